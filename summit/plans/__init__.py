"""Action plans, after-action feedback and participant-led topics."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The worksheet, team plans, feedback and topics."""
    from summit import jobs, panels
    from summit.homerooms.api import use_prompts_from
    from summit.plans import mailing, next_steps, privacy, topics, views
    from summit.privacy.api import add_provider

    app.register_blueprint(views.bp)
    add_provider(privacy.Plans)
    jobs.add_job_kind(mailing.EMAIL_JOB, mailing.email_plan_job, max_attempts=3)
    use_prompts_from(topics.prompt_text_for_day)
    panels.add_my_summit_panel(views.plan_panel, order=30)
    panels.add_event_home_panel(views.organizer_panel, order=40)
    panels.add_nav_item(41, "Plans", "plans.dashboard", ("organizer",), group="after")
    panels.add_nav_item(22, "Topics", "plans.moderate_topics", ("organizer",), group="program")
    panels.add_nav_item(23, "Worksheet", "plans.edit_template", ("organizer",), group="program")
    panels.add_nav_item(40, "Feedback", "plans.feedback_results", ("organizer",), group="after")
    panels.add_nav_item(38, "Table progress", "plans.table_progress", ("facilitator",),
                        group="day")
    panels.add_next_steps(next_steps.steps)
