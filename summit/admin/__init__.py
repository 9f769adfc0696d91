"""The organizer's pages: events, attendees, import, export and the audit log."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The organizer's pages and their navigation."""
    from summit import panels
    from summit.admin import next_steps, views

    app.register_blueprint(views.bp)
    for order, label, endpoint, roles, group in views.NAV_ITEMS:
        panels.add_nav_item(order, label, endpoint, roles, group=group)
    panels.add_next_steps(next_steps.steps)
