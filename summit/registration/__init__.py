"""Registration: the public form, waitlist, personal links, import and export."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The public form, personal links and My summit."""
    from summit.registration import views

    app.register_blueprint(views.bp)
