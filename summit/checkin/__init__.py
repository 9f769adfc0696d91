"""Check-in: codes, lists and check-ins."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The desk, the kiosk and live counts; the entrance list of every new event; the "not
    checked in yet" audience; check-in records in personal-data exports."""
    from summit import panels
    from summit.checkin import next_steps, privacy, receivers, views
    from summit.privacy.api import add_provider

    app.register_blueprint(views.bp)
    receivers.connect()
    add_provider(privacy.Checkins)
    panels.add_event_home_panel(views.checkin_home_panel, order=20)
    panels.add_nav_item(30, "Check-in desk", "checkin.desk", views.DESK_ROLES, group="day")
    panels.add_nav_item(31, "Live counts", "checkin.live", ("organizer",), group="day")
    panels.add_next_steps(next_steps.steps)
