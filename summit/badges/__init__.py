"""Badge printing: stocks (label sheets, cards, thermal), layout, QR codes and PDF rendering.

The renderer (``stocks``, ``layout``, ``fit``, ``qr``, ``render``) is plain Python with no Flask
import; see :mod:`summit.badges.render` for the API.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Badge pages, desk printing, the batch job and the badge-print records."""
    from summit import jobs, panels
    from summit.badges import cli, next_steps, privacy, tasks, views
    from summit.privacy.api import add_provider

    app.register_blueprint(views.bp)
    cli.register(app)
    jobs.add_job_kind("badges.batch", tasks.batch_job, max_attempts=3)
    add_provider(privacy.Badges)
    panels.add_event_home_panel(views.badges_panel, order=30)
    panels.add_nav_item(33, "Badges", "badges.index", ("organizer", "checkin"), group="day")
    panels.add_next_steps(next_steps.steps)
