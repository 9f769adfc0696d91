"""The ``badges.batch`` background job: renders a :class:`~summit.badges.models.BadgeBatch`.

Added by ``summit.badges.init_app`` when the app is created, so the embedded worker thread,
``flask jobs worker`` and an RQ worker all know it.
"""

from __future__ import annotations

import os

from flask import current_app

from summit.badges import services
from summit.badges.models import BadgeBatch
from summit.extensions import db


def batch_job(job, report_progress) -> str:
    batch = db.session.get(BadgeBatch, int(job.params["batch_id"]))
    if batch is None:
        return "batch deleted before it ran"
    base_url = job.params.get("base_url") or current_app.config["BASE_URL"]
    processes = current_app.config.get("BADGES_PROCESSES") or os.environ.get("BADGES_PROCESSES")
    services.run_batch(batch, base_url=base_url, progress=report_progress,
                       processes=int(processes) if processes else None)
    return f"badge batch {batch.id}: {batch.count} badges, {batch.pages} pages"
