"""Staff login, roles, API tokens; attendee personal links live in ``summit.access``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Sign-in pages and the staff page."""
    from summit.auth import views

    app.register_blueprint(views.bp)
