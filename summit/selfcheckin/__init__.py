"""Self check-in: the rotating entrance QR code, table tents and room doors, scanned by the
attendee's own phone."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The entrance screen, table tents and room doors."""
    from summit import panels
    from summit.breakouts.api import handle_door_scans
    from summit.selfcheckin import views

    app.register_blueprint(views.bp)
    handle_door_scans(views.room_door)
    panels.add_nav_item(32, "Entrance screen", "selfcheckin.screen", views.SCREEN_ROLES,
                        group="day")
