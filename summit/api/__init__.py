"""The JSON API for scanner apps, kiosks and scripts (bearer tokens, no cookies)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The JSON API for scanner apps."""
    from summit.api import views

    app.register_blueprint(views.bp)
