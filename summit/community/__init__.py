"""Communities of practice that meet after the summit: a series repeating by an RRULE, its
members, meetings (moved, cancelled, added), the topics members bring and vote on, RSVPs,
attendance, small groups formed by the homeroom engine, and progress notes on action plans.

Pure modules (no Flask): ``recurrence``, ``agenda``, ``drift``, ``groups``, ``ical``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The organizer's series pages (After), the member's pages and calendar feed, a panel on
    My summit, and the personal-data provider."""
    from summit import panels
    from summit.community import privacy, views
    from summit.privacy.api import add_provider

    app.register_blueprint(views.bp)
    app.add_template_filter(views.local, "community_local")
    add_provider(privacy.Community)
    panels.add_my_summit_panel(views.my_summit_panel, order=60)
    panels.add_nav_item(80, "Communities", "community.admin_index", ("organizer",),
                        group="after")
