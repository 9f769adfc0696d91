"""Breakouts: rooms, time slots, sessions, sign-ups with real capacity, waitlists and agendas."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The schedule, sign-ups and agendas, and the session audience for messages."""
    from summit import panels
    from summit.breakouts import cli, next_steps, privacy, program, receivers, segments, views
    from summit.privacy.api import add_provider

    app.register_blueprint(views.bp)
    receivers.connect()
    cli.register(app)
    segments.register()
    add_provider(privacy.Breakouts)
    panels.add_my_summit_panel(views.agenda_panel, order=30)
    panels.add_event_home_panel(views.breakouts_home_panel, order=30)
    program.init_app(app)
    panels.add_nav_item(19, "Program", "program.blocks", ("organizer",), group="program")
    panels.add_nav_item(21, "Breakouts", "breakouts.schedule", ("organizer",), group="program")
    panels.add_nav_item(35, "Attendance", "breakouts.attendance", ("organizer",), group="day")
    panels.add_nav_item(37, "My sessions", "breakouts.my_sessions", ("facilitator",),
                        group="day")
    panels.add_next_steps(next_steps.steps)
