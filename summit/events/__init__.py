"""Events and organizations, and the public event pages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The public event pages."""
    from summit.events import views

    app.register_blueprint(views.bp)
