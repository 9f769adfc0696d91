"""Registration: the public form, waitlist, personal links, import and export."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The public form, personal links and My summit."""
    from summit import access, panels
    from summit.extensions import db
    from summit.registration import views
    from summit.registration.models import Attendee

    app.register_blueprint(views.bp)
    access.attendee_loader(lambda attendee_id: db.session.get(Attendee, attendee_id))
    panels.add_nav_item(12, "Districts", "registration.districts", ("organizer",),
                        group="before")
