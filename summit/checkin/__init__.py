"""Check-in: codes, lists and check-ins."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The desk, the kiosk and live counts."""
    from summit import panels
    from summit.checkin import views

    app.register_blueprint(views.bp)
    panels.add_event_home_panel(views.checkin_home_panel, order=20)
    panels.add_nav_item(20, "Check-in desk", "checkin.desk", views.DESK_ROLES)
    panels.add_nav_item(21, "Live counts", "checkin.live", ("organizer",))
