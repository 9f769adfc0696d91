"""Badge batches on the shared job queue: a real RQ worker (burst mode, unique queue) renders
a batch asked for on the web page, and a retried job records each badge once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from summit.badges import services
from summit.badges.models import BadgeBatch, BadgePrint
from summit.extensions import db
from summit.jobs import Job, run_pending_jobs

from .conftest import url_of
from .helpers import decode_pages

ROOT = Path(__file__).resolve().parents[2]


def _redis():
    from redis import Redis

    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        redis.ping()
    except Exception:  # pragma: no cover - Redis is part of the test environment
        pytest.fail("Redis on 127.0.0.1:6379 is required for the RQ backend test")
    return redis


def test_batch_runs_in_a_real_rq_worker(app, client, auth, badge_world, test_database,
                                        tmp_path):
    from rq import Queue

    w = badge_world
    redis = _redis()
    queue_name = f"summit-badges-test-{uuid.uuid4().hex[:8]}"
    app.config.update(JOBS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:6379/0",
                      JOBS_RQ_QUEUE=queue_name)
    try:
        auth.login(w.organizer)
        response = client.post(f"/admin/e/{w.event.slug}/badges/batches",
                               data={"stock": "a4-a6", "role": "Teacher"})
        assert response.status_code == 303
        batch_id = db.session.scalar(select(BadgeBatch.id))
        expected = sorted(url_of(a) for a in w.shelby)
        slug = w.event.slug
        db.session.close()  # release SQLite's lock for the worker process
        assert Queue(queue_name, connection=redis).count == 1, "handed to RQ after the commit"
        env = {
            **os.environ,
            "DATABASE_URL": test_database.url,
            "JOBS_BACKEND": "rq",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "JOBS_RQ_QUEUE": queue_name,
            "SECRET_KEY": "test-secret-key",
            "OUTBOX_DIR": str(tmp_path / "outbox"),
            "BASE_URL": "http://wrong.example",  # the batch keeps the URL it was asked with
        }
        proc = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "summit", "jobs", "worker", "--burst"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        db.session.expire_all()
        batch = db.session.get(BadgeBatch, batch_id)
        assert batch.ready and batch.job.status == "done"
        pages = decode_pages(batch.pdf)
        assert len(pages) == 1  # three A6 badges on one A4 sheet
        assert sorted(pages[0]) == expected
        download = client.get(f"/admin/e/{slug}/badges/batches/{batch_id}/download")
        assert download.data == batch.pdf
        assert db.session.scalar(select(func.count(BadgePrint.id))) == 3
    finally:
        Queue(queue_name, connection=redis).delete(delete_jobs=True)


def test_retried_job_records_each_badge_once(app, badge_world):
    w = badge_world
    batch = services.create_batch(w.event, services.Selection(), "cr80",
                                  user_id=w.organizer.id, base_url="http://summit.test")
    db.session.commit()
    assert run_pending_jobs() == 1
    job = db.session.scalar(select(Job))
    # The worker died after recording but before the job row said "done": run it again.
    job.status, job.run_after = "queued", job.created_at
    db.session.commit()
    assert run_pending_jobs() == 1
    prints = db.session.scalars(select(BadgePrint)).all()
    assert len(prints) == batch.count == 7
    assert len({p.attendee_id for p in prints}) == 7
    pages = decode_pages(db.session.get(BadgeBatch, batch.id).pdf)
    assert sorted(c for page in pages for c in page) == sorted(
        url_of(a) for a in w.knox + w.shelby)
