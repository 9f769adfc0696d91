"""The program: the plenary blocks of an event (keynote, homeroom time, lunch, workshops) and
the public program that shows them with the breakout sessions, on the event page and in a
frame on the organizer's own website.

Part of breakouts (its blocks share breakouts' rooms and are shown beside its time slots);
``summit.breakouts.api`` is what other capabilities use of it.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The organizer's program page, the embed, and the program section of the event page."""
    from summit import panels
    from summit.breakouts.program import views

    app.register_blueprint(views.bp)
    panels.add_event_page_section("program", views.program_section, order=10)
    panels.add_event_home_panel(views.home_panel, order=29)
