"""Messages to attendees: email (SMTP or the outbox folder) and announcements."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Email delivery (a job), the audiences organizers write to, announcements and the panels
    that show them."""
    from summit import jobs, panels
    from summit.messages import next_steps, privacy, receivers, segments, services, views
    from summit.privacy.api import add_provider

    app.register_blueprint(views.bp)
    receivers.connect()
    jobs.add_job_kind(services.DELIVER_JOB, services.deliver_job, max_attempts=6)
    jobs.add_job_kind(services.SEGMENT_JOB, services.segment_job, max_attempts=6)
    jobs.add_job_kind(services.SESSION_CHANGED_JOB, services.session_changed_job, max_attempts=6)
    segments.register_builtin()
    add_provider(privacy.Messages)
    panels.add_my_summit_panel(views.announcements_panel, order=15)
    panels.add_event_home_panel(views.delivery_panel, order=40)
    panels.add_nav_item(42, "Messages", "messages.index", ("organizer",), group="after")
    panels.add_nav_item(34, "Announcements", "messages.announcements", ("organizer",),
                        group="day")
    panels.add_next_steps(next_steps.steps)
