"""Professional-learning credit: clock hours from verified attendance, and certificates anyone
can verify (docs/credits.md)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The ledger (from ``checked_in``), the attendee's hours, the organizer's pages and
    commands, certificate jobs, and the credit record in personal-data exports."""
    from summit import jobs, panels
    from summit.credits import cli, documents, privacy, receivers, views
    from summit.privacy.api import add_provider

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.credits_cli)
    receivers.connect()
    add_provider(privacy.LearningCredit)
    jobs.add_job_kind(documents.BATCH_JOB, documents.batch_job, max_attempts=2)
    jobs.add_job_kind(documents.EMAIL_JOB, documents.email_job)
    panels.add_my_summit_panel(views.my_panel, order=45)
    panels.add_nav_item(60, "Learning credit", "credits.manage", views.ORGANIZER, group="after")
