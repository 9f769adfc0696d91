"""The shared background job queue: enqueue after commit, progress, retries with backoff,
atomic claims, the embedded worker thread and a real RQ worker on Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from summit import jobs
from summit.database import utcnow
from summit.extensions import db
from summit.jobs import Job, enqueue, run_pending_jobs
from tests import jobs_handlers  # noqa: F401  (registers test.count and test.flaky)

ROOT = Path(__file__).resolve().parent.parent


def status_of(job_id: int) -> str:
    status = db.session.scalar(select(Job.status).where(Job.id == job_id))
    db.session.commit()  # outside a request SQLite reads take the write lock: release it
    return status


def fresh(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_job_runs_with_progress_and_result(app, make_event, make_staff):
    event = make_event()
    user = make_staff("organizer")
    job = enqueue("test.count", event_id=event.id, params={"n": 4}, created_by=user)
    db.session.commit()
    assert fresh(job.id).status == "queued"
    assert run_pending_jobs() == 1
    job = fresh(job.id)
    assert (job.status, job.progress, job.total, job.percent) == ("done", 4, 4, 100)
    assert job.result == "counted to 4"
    assert job.attempts == 1
    assert job.created_by_user_id == user.id and job.event_id == event.id
    assert job.started_at <= job.finished_at
    assert run_pending_jobs() == 0


def test_rolled_back_job_never_runs(app):
    enqueue("test.count", params={"n": 1})
    db.session.rollback()
    assert db.session.scalar(select(Job)) is None
    assert run_pending_jobs() == 0


def test_unknown_kind_is_refused(app):
    with pytest.raises(KeyError):
        enqueue("no.such.kind")


def test_failures_are_retried_with_backoff_then_succeed(app, tmp_path):
    app.config["JOBS_RETRY_BASE_SECONDS"] = 30
    out = tmp_path / "flaky.txt"
    job = enqueue("test.flaky", params={"fail": 2, "out": str(out)})
    db.session.commit()

    before = utcnow()
    assert run_pending_jobs() == 1
    job = fresh(job.id)
    assert job.status == "queued" and job.attempts == 1
    assert "attempt 1 refused" in job.error
    assert timedelta(seconds=29) <= job.run_after - before <= timedelta(seconds=31)
    assert run_pending_jobs() == 0, "not due yet"

    assert run_pending_jobs(now=utcnow() + timedelta(seconds=31)) == 1
    job = fresh(job.id)
    assert job.status == "queued" and job.attempts == 2
    # The delay doubles: 60 s after the second failure.
    assert job.run_after - utcnow() > timedelta(seconds=55)

    assert run_pending_jobs(now=utcnow() + timedelta(minutes=2)) == 1
    job = fresh(job.id)
    assert (job.status, job.attempts, job.error) == ("done", 3, None)
    assert out.read_text() == "ok"


def test_job_fails_for_good_after_max_attempts_and_can_be_retried(app):
    job = enqueue("test.flaky", params={"fail": 99})
    db.session.commit()
    later = utcnow() + timedelta(hours=3)
    for _ in range(3):
        run_pending_jobs(now=later)
        later += timedelta(hours=2)
    job = fresh(job.id)
    assert job.status == "failed" and job.attempts == 3 and job.finished_at is not None
    assert "ConnectionError: attempt 3 refused" in job.error
    assert run_pending_jobs(now=later) == 0

    jobs.retry(job)
    db.session.commit()
    run_pending_jobs()
    assert fresh(job.id).attempts == 4 and fresh(job.id).status == "failed"


def test_backoff_doubles_and_is_capped():
    assert jobs.backoff(1, 10) == timedelta(seconds=10)
    assert jobs.backoff(3, 10) == timedelta(seconds=40)
    assert jobs.backoff(30, 10) == timedelta(hours=1)


def test_only_one_of_many_concurrent_claims_wins(app):
    job_id = enqueue("test.count", params={"n": 1}).id
    db.session.commit()
    db.session.close()  # the test's own session must not hold SQLite's write lock
    barrier = threading.Barrier(6)
    wins = []

    def claimer():
        with app.app_context():
            barrier.wait()
            wins.append(jobs.claim(job_id))
            db.session.remove()

    threads = [threading.Thread(target=claimer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(wins) == [False] * 5 + [True]
    assert fresh(job_id).status == "running" and fresh(job_id).attempts == 1


def test_stale_running_job_is_requeued(app):
    job = enqueue("test.count", params={"n": 1})
    db.session.commit()
    assert jobs.claim(job.id)
    assert jobs.requeue_stale() == 0
    stale = fresh(job.id)
    stale.heartbeat_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert jobs.requeue_stale() == 1
    assert run_pending_jobs() == 1
    assert fresh(job.id).status == "done"


def test_embedded_worker_thread_runs_committed_jobs(app):
    app.config["JOBS_EMBEDDED_WORKER"] = True
    app.config["JOBS_POLL_SECONDS"] = 5  # the commit wakes the thread; no need to wait 5 s
    worker = jobs.ensure_embedded_worker(app)
    try:
        assert jobs.ensure_embedded_worker(app) is worker, "one thread per process"
        time.sleep(0.2)  # let the first (empty) poll finish so the wake-up is what runs the job
        job_id = enqueue("test.count", params={"n": 2}).id
        db.session.commit()
        deadline = time.monotonic() + 4
        while status_of(job_id) != "done" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert status_of(job_id) == "done"
    finally:
        worker.stop.set()
        worker.wake.set()
        worker.thread.join(10)
        app.extensions.pop("summit_jobs_worker", None)


def _redis_or_skip():
    from redis import Redis

    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        redis.ping()
    except Exception:  # pragma: no cover - Redis is part of the test environment
        pytest.fail("Redis on 127.0.0.1:6379 is required for the RQ backend test")
    return redis


def test_rq_backend_runs_jobs_in_a_real_worker_exactly_once(app, test_database, tmp_path):
    redis = _redis_or_skip()
    queue_name = f"summit-test-{uuid.uuid4().hex[:8]}"
    app.config.update(JOBS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:6379/0",
                      JOBS_RQ_QUEUE=queue_name)
    log = tmp_path / "runs.log"
    try:
        first = enqueue("test.count", params={"n": 5, "log": str(log)}).id
        second = enqueue("test.count", params={"n": 2, "log": str(log)}).id
        db.session.commit()
        db.session.close()  # release SQLite's lock for the worker process
        from rq import Queue

        queue = Queue(queue_name, connection=redis)
        assert queue.count == 2, "handed to RQ after the commit"
        # Hand the first job out a second time: the atomic claim must still run it once.
        queue.enqueue(jobs.rq_run_job, first)

        env = {
            **os.environ,
            "DATABASE_URL": test_database.url,
            "JOBS_BACKEND": "rq",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "JOBS_RQ_QUEUE": queue_name,
            "SECRET_KEY": "test-secret-key",
            "OUTBOX_DIR": str(tmp_path / "outbox"),
        }
        proc = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "summit", "jobs", "worker", "--burst",
             "--import", "tests.jobs_handlers"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert fresh(first).status == "done" and fresh(first).result == "counted to 5"
        assert fresh(second).status == "done" and fresh(second).progress == 2
        assert sorted(log.read_text().split()) == sorted([str(first), str(second)])
    finally:
        from rq import Queue

        Queue(queue_name, connection=redis).delete(delete_jobs=True)


def test_a_running_job_holds_no_write_lock(app):
    """While a handler works (here: waits, having read its row), other writers go on: the
    runner opens no write transaction for it. A job used to run as a POST, which on SQLite
    took the write lock at BEGIN and kept it through the handler's SMTP conversation."""
    hold = jobs_handlers.HOLDS["lock"] = {"started": threading.Event(),
                                          "release": threading.Event()}
    enqueue("test.hold", params={"name": "lock"})
    db.session.commit()

    def worker():
        with app.app_context():
            run_pending_jobs()
            db.session.remove()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert hold["started"].wait(10)
        started = time.monotonic()
        other = enqueue("test.count", params={"n": 1})  # any write
        db.session.commit()
        waited = time.monotonic() - started
    finally:
        hold["release"].set()
        thread.join(30)
    assert hold["open_at_start"] is False, "the handler starts with no transaction open"
    assert waited < 2, f"a write waited {waited:.1f} s for the running job"
    assert fresh(other.id).status in ("queued", "done")


def test_a_handler_that_writes_outside_write_transaction_fails(app):
    job = enqueue("test.sloppy")
    db.session.commit()
    assert run_pending_jobs() == 1
    job = fresh(job.id)
    assert job.status == "failed" and job.result is None
    assert "left changes outside write_transaction()" in job.error


def test_write_transaction_commits_or_rolls_back_and_refuses_earlier_changes(app, make_event):
    from summit.database import write_transaction
    from summit.events.models import Event

    event = make_event(name="Before")
    with write_transaction(db.session):
        db.session.get(Event, event.id).name = "Inside"
    db.session.rollback()
    assert db.session.get(Event, event.id).name == "Inside", "committed"
    with pytest.raises(ZeroDivisionError), write_transaction(db.session):
        db.session.get(Event, event.id).name = "Rolled back"
        1 / 0  # noqa: B018
    assert db.session.get(Event, event.id).name == "Inside"
    db.session.get(Event, event.id).name = "Outside"
    with pytest.raises(RuntimeError, match="outside write_transaction"), \
            write_transaction(db.session):
        pass
    db.session.rollback()
    assert db.session.get(Event, event.id).name == "Inside"
