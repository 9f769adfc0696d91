"""Homerooms: daily round-table seating for summit attendees.

The engine (``engine``, ``search``, ``repeats``, ``bounds``, ``report``) is plain Python with no
Flask import; ``services`` keeps tables and seats, ``views`` is the seating board."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The seating board, rosters and table tents, the table audience for messages, the
    attendee's and facilitator's views of their table, and a seat for late registrants."""
    from summit import panels
    from summit.homerooms import (
        checkin_detail,
        cli,
        next_steps,
        privacy,
        receivers,
        segments,
        services,
        views,
    )
    from summit.privacy.api import add_provider

    app.register_blueprint(views.bp)
    receivers.connect()
    cli.register(app)
    segments.register()
    checkin_detail.install()  # the table today, in a check-in's answer
    add_provider(privacy.Homerooms)
    panels.add_my_summit_panel(views.my_homeroom_panel, order=20)
    panels.add_my_summit_fact(views.my_homeroom_fact, order=20)
    panels.add_attendee_labels("homeroom", services.table_labels_for)
    panels.add_event_home_panel(views.homerooms_home_panel, order=30)
    panels.add_nav_item(20, "Homerooms", "homerooms.board", ("organizer",), group="program")
    panels.add_nav_item(36, "My table", "homerooms.my_table", ("facilitator",), group="day")
    panels.add_next_steps(next_steps.steps)
