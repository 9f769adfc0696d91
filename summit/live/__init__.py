"""Live Q&A and polls in every room: questions with upvotes, polls and word clouds on
attendees' phones, moderation, and a projector view (see docs/live.md)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The attendee's, moderator's and projector pages; My summit's panel; the rooms' results
    on the after-action pages; the personal data of questions and votes."""
    from summit import panels
    from summit.live import privacy, services, views
    from summit.privacy.api import add_provider

    app.register_blueprint(views.bp)
    app.add_template_global(services.result_rows, "live_rows")
    add_provider(privacy.Live)
    panels.add_my_summit_panel(views.my_summit_panel, order=25)
    panels.add_session_results(views.session_results_panel, order=20)
    panels.add_session_link(views.live_link, order=20)
    panels.add_nav_item(39, "Live Q&A", "live.staff_index", views.STAFF_ROLES, group="day")
