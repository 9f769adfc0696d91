"""Breakouts: rooms, time slots, sessions, sign-ups with real capacity, waitlists and agendas."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The schedule, sign-ups and agendas, and the session audience for messages."""
    from summit import panels
    from summit.breakouts import cli, privacy, program, receivers, segments, views
    from summit.privacy.api import add_provider

    app.register_blueprint(views.bp)
    receivers.connect()
    cli.register(app)
    segments.register()
    add_provider(privacy.Breakouts)
    panels.add_my_summit_panel(views.agenda_panel, order=30)
    panels.add_event_home_panel(views.breakouts_home_panel, order=30)
    program.init_app(app)
    # With Breakouts in the organizer's "Program" group.
    panels.add_nav_item(29, "Program", "program.blocks", ("organizer",))
    panels.add_nav_item(30, "Breakouts", "breakouts.schedule", ("organizer",))
    panels.add_nav_item(31, "Attendance", "breakouts.attendance", ("organizer",))
    panels.add_nav_item(32, "My sessions", "breakouts.my_sessions", ("facilitator",))
