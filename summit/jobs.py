"""Background jobs shared by every capability (badge batches, email delivery, ...).

The ``jobs`` table is the single source of truth: status, progress, result and error live in
the row, so a progress bar served by any web worker can poll it, and several processes (or
hosts) can share the queue through the database.

Usage::

    def print_batch(job, report_progress):
        for i, attendee in enumerate(attendees, 1):
            ...
            report_progress(i, len(attendees))
        return "badges/batch-12.pdf"          # stored in ``job.result``

    jobs.add_job_kind("badges.batch", print_batch, max_attempts=3)   # in the capability's init_app

    job = jobs.enqueue("badges.batch", event_id=event.id, params={"ids": [...]}, created_by=user)
    db.session.commit()                      # the job is handed to a worker after the commit

Backends (``JOBS_BACKEND``):

- ``embedded`` (default): a daemon thread inside each web process polls the table
  (``JOBS_EMBEDDED_WORKER``, on by default, off in tests). ``flask --app summit jobs worker``
  runs the same poller in the foreground, e.g. on another host.
- ``rq``: the job id is pushed to an RQ queue on Redis (``REDIS_URL``, ``JOBS_RQ_QUEUE``) after
  the commit; ``flask --app summit jobs worker`` runs an RQ worker.

Either way a job is *claimed* with ``UPDATE jobs SET status='running' WHERE id=? AND
status='queued'``: exactly one claimer wins, so a job handed out twice still runs once.
Failures are retried with exponential backoff (``attempts``, ``run_after``) up to the handler's
``max_attempts``, then the job is ``failed`` with the error kept for organizers to see.
``run_pending_jobs()`` drains due jobs synchronously (tests and the poller use it).

No transaction is held while a job waits on the network. A handler runs with no write
transaction open: what it reads begins a plain (deferred) transaction, which on SQLite takes no
write lock, and it writes only inside ``write_transaction(db.session)`` blocks, short ones that
take the write lock and commit. A job that talks to a mail server or renders a long PDF reads
what it needs, commits, does the slow part, then records the result in such a block::

    @register_job("things.send")
    def send_things(job, report_progress):
        thing = db.session.get(Thing, job.params["id"])
        message = build(thing)
        db.session.commit()                   # end the read
        outcome = talk_to_the_network(message)  # no transaction open (it may check)
        with write_transaction(db.session):
            db.session.get(Thing, job.params["id"]).outcome = outcome

The handler's ``job`` is a copy of the row that belongs to no session (reading it costs no
query); the runner records progress, result and error.

``summit.messages.mail`` refuses to talk SMTP while a transaction is open
(``require_no_transaction``), and the runner fails a handler that leaves changes behind
uncommitted, so a job cannot silently fall back into holding SQLite's write lock through a
slow mail server while the check-in desk waits.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import click
from flask import Flask, current_app, g, has_app_context
from flask.cli import AppGroup
from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    case,
    event,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from summit.database import UTCDateTime, utcnow, write_transaction
from summit.extensions import db

log = logging.getLogger(__name__)

STATUSES = ("queued", "running", "done", "failed")


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    # A file path relative to instance/, or a short text; whatever the handler returned.
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Touched by report_progress: a running job without a heartbeat for a long time is stale.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def percent(self) -> int | None:
        if self.status == "done":
            return 100
        if not self.total:
            return None
        return max(0, min(100, int(self.progress * 100 / self.total)))

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "status": self.status, "progress": self.progress,
            "total": self.total, "percent": self.percent, "result": self.result,
            "error": self.error, "attempts": self.attempts,
        }

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"


# --- registry ----------------------------------------------------------------------------------

ProgressFn = Callable[..., None]
Handler = Callable[[Job, ProgressFn], Any]


@dataclass(frozen=True)
class JobKind:
    kind: str
    handler: Handler
    max_attempts: int = 5


_HANDLERS: dict[str, JobKind] = {}


def add_job_kind(kind: str, handler: Handler, *, max_attempts: int = 5) -> None:
    """Make ``handler(job, report_progress)`` run the jobs of ``kind`` (called from the owning
    capability's ``init_app``)."""
    _HANDLERS[kind] = JobKind(kind, handler, max_attempts)


# --- enqueue and dispatch after commit -----------------------------------------------------------

_PENDING_KEY = "summit_jobs_to_dispatch"


def enqueue(kind: str, *, event_id: int | None = None, params: dict | None = None,
            created_by: Any = None, run_after: datetime | None = None,
            max_attempts: int | None = None) -> Job:
    """Add a job to the current transaction; it reaches a worker once the caller commits."""
    if kind not in _HANDLERS:
        raise KeyError(f"no job handler registered for {kind!r}")
    created_by_id = getattr(created_by, "id", created_by)
    job = Job(
        kind=kind, event_id=event_id, params=params or {}, status="queued",
        created_by_user_id=created_by_id, run_after=run_after or utcnow(),
        max_attempts=max_attempts or _HANDLERS[kind].max_attempts,
    )
    db.session.add(job)
    db.session.flush()
    session = db.session()
    session.info.setdefault(_PENDING_KEY, []).append(job.id)
    return job


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    if ids and has_app_context():
        _dispatch(ids)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def _dispatch(ids: list[int], delay: timedelta | None = None) -> None:
    app = current_app._get_current_object()
    if app.config.get("JOBS_BACKEND") == "rq":
        try:
            queue = _rq_queue(app)
            for job_id in ids:
                if delay and delay.total_seconds() > 0:
                    queue.enqueue_in(delay, rq_run_job, job_id, job_timeout=_timeout(app))
                else:
                    queue.enqueue(rq_run_job, job_id, job_timeout=_timeout(app))
        except Exception:  # Redis down: the rows stay queued; `jobs worker` re-sends them.
            log.exception("could not hand jobs %s to RQ; they stay queued in the database", ids)
    else:
        _wake(app)


def _timeout(app: Flask) -> int:
    return int(app.config.get("JOBS_TIMEOUT_SECONDS", 1800))


# --- running -------------------------------------------------------------------------------------


def backoff(attempts: int, base: float) -> timedelta:
    """Delay before the next try after ``attempts`` failures: base, 2*base, 4*base ... <= 1 h."""
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def claim(job_id: int, now: datetime | None = None) -> bool:
    """Atomically take a queued, due job. Exactly one caller gets ``True``."""
    now = now or utcnow()
    with write_transaction(db.session):
        result = db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued", Job.run_after <= now)
            .values(status="running", started_at=utcnow(), heartbeat_at=utcnow(),
                    attempts=Job.attempts + 1, error=None)
            .execution_options(synchronize_session=False)
        )
    return result.rowcount == 1


def run_job(job_id: int, now: datetime | None = None) -> bool:
    """Claim and run one job. Returns ``False`` if someone else had it (or it is not due)."""
    if not claim(job_id, now):
        return False
    app = current_app._get_current_object()
    # A request context lets handlers use url_for/render_template. It is a GET on purpose:
    # the handler's reads begin deferred and hold no write lock; it writes in
    # ``write_transaction`` blocks (see the module docstring).
    with app.test_request_context("/", base_url=app.config.get("BASE_URL"), method="GET"):
        g.job_id = job_id  # summit.messages.mail: SMTP is allowed here, not in a web request
        try:
            job = db.session.get(Job, job_id)
            spec = _HANDLERS.get(job.kind)
            if spec is None:
                raise LookupError(f"no handler registered for job kind {job.kind!r}")
            # The handler gets a copy outside the session (reading it costs no query) and
            # starts with no transaction open.
            job = _copy(job)
            db.session.commit()
            result = spec.handler(job, _progress_reporter(job_id))
            session = db.session()
            if session.new or session.dirty or session.deleted:
                raise RuntimeError(f"job {job.kind!r} left changes outside write_transaction()")
        except Exception as exc:
            db.session.rollback()
            _record_failure(job_id, exc)
        else:
            db.session.commit()  # whatever the handler last read
            with write_transaction(db.session):
                db.session.execute(
                    update(Job).where(Job.id == job_id).values(
                        status="done", result=None if result is None else str(result),
                        finished_at=utcnow(), heartbeat_at=utcnow(),
                        progress=case((Job.total.is_not(None), Job.total), else_=Job.progress),
                    ).execution_options(synchronize_session=False)
                )
    return True


def _copy(job: Job) -> Job:
    """A copy of ``job``'s row that belongs to no session."""
    return Job(**{attr.key: getattr(job, attr.key) for attr in Job.__mapper__.column_attrs})


def _progress_reporter(job_id: int) -> ProgressFn:
    last = [0.0]

    def report_progress(done: int, total: int | None = None, *, force: bool = False) -> None:
        """Record progress in a short write transaction of its own (at most a few times a
        second); a read transaction still open is ended first."""
        now = time.monotonic()
        if not force and now - last[0] < 0.25 and (total is None or done < total):
            return
        last[0] = now
        values: dict[str, Any] = {"progress": int(done), "heartbeat_at": utcnow()}
        if total is not None:
            values["total"] = int(total)
        with write_transaction(db.session):
            db.session.execute(update(Job).where(Job.id == job_id).values(**values)
                               .execution_options(synchronize_session=False))

    return report_progress


def _record_failure(job_id: int, exc: BaseException) -> None:
    app = current_app._get_current_object()
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
    with write_transaction(db.session):
        job = db.session.get(Job, job_id)
        log.warning("job %s (%s) failed on attempt %s: %s", job_id, job.kind, job.attempts,
                    text)
        job.error = text
        job.heartbeat_at = utcnow()
        retry_in = None
        if job.attempts < job.max_attempts:
            retry_in = backoff(job.attempts,
                               float(app.config.get("JOBS_RETRY_BASE_SECONDS", 30)))
            job.status = "queued"
            job.run_after = utcnow() + retry_in
        else:
            job.status = "failed"
            job.finished_at = utcnow()
    if retry_in is not None and app.config.get("JOBS_BACKEND") == "rq":
        _dispatch([job_id], delay=retry_in)


def due_job_ids(now: datetime | None = None, limit: int = 50) -> list[int]:
    now = now or utcnow()
    ids = list(db.session.scalars(
        select(Job.id).where(Job.status == "queued", Job.run_after <= now)
        .order_by(Job.run_after, Job.id).limit(limit)
    ))
    db.session.commit()  # end the read transaction at once
    return ids


_LAST_STALE_CHECK = -1e9


def run_pending_jobs(now: datetime | None = None, *, limit: int | None = None) -> int:
    """Run every due queued job in this thread; returns how many ran. ``now`` may be in the
    future to run delayed retries at once (tests)."""
    ran = 0
    global _LAST_STALE_CHECK
    if time.monotonic() - _LAST_STALE_CHECK > 60:
        _LAST_STALE_CHECK = time.monotonic()
        requeue_stale()
    while limit is None or ran < limit:
        ids = due_job_ids(now)
        if not ids:
            break
        progressed = False
        for job_id in ids:
            if run_job(job_id, now):
                ran += 1
                progressed = True
                if limit is not None and ran >= limit:
                    break
        if not progressed:
            break
    return ran


def requeue_stale() -> int:
    """Put back running jobs whose worker died (no heartbeat for ``JOBS_STALE_SECONDS``)."""
    seconds = float(current_app.config.get("JOBS_STALE_SECONDS", 900))
    cutoff = utcnow() - timedelta(seconds=seconds)
    with write_transaction(db.session):
        result = db.session.execute(
            update(Job).where(
                Job.status == "running",
                or_(Job.heartbeat_at < cutoff,
                    Job.heartbeat_at.is_(None) & (Job.started_at < cutoff)),
            ).values(status="queued", run_after=utcnow(), error="worker stopped; retried")
            .execution_options(synchronize_session=False)
        )
    return result.rowcount or 0


def retry(job: Job) -> None:
    """Organizer action: run a failed job again now (the caller commits)."""
    job.status = "queued"
    job.run_after = utcnow()
    job.finished_at = None
    job.max_attempts = max(job.max_attempts, job.attempts + 1)
    db.session.flush()
    db.session().info.setdefault(_PENDING_KEY, []).append(job.id)


# --- embedded worker thread ----------------------------------------------------------------------


class EmbeddedWorker:
    """A daemon thread polling the jobs table; one per process, restarted after a fork."""

    def __init__(self, app: Flask):
        self.app = app
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.pid = os.getpid()
        self.thread = threading.Thread(target=self._loop, name="summit-jobs", daemon=True)

    def start(self) -> EmbeddedWorker:
        self.thread.start()
        return self

    def _loop(self) -> None:
        interval = float(self.app.config.get("JOBS_POLL_SECONDS", 1.0))
        while not self.stop.is_set():
            try:
                with self.app.app_context():
                    run_pending_jobs()
                    db.session.remove()
            except Exception:  # keep the thread alive: a broken DB connection heals later
                log.exception("embedded job worker")
                time.sleep(interval)
            self.wake.wait(interval)
            self.wake.clear()


_WORKER_LOCK = threading.Lock()


def _embedded_worker(app: Flask) -> EmbeddedWorker | None:
    return app.extensions.get("summit_jobs_worker")


def ensure_embedded_worker(app: Flask) -> EmbeddedWorker | None:
    """Start (or, after a fork, restart) this process's worker thread if configured."""
    if app.config.get("JOBS_BACKEND", "embedded") != "embedded":
        return None
    if not app.config.get("JOBS_EMBEDDED_WORKER"):
        return None
    worker = _embedded_worker(app)
    if worker is not None and worker.pid == os.getpid() and worker.thread.is_alive():
        return worker
    with _WORKER_LOCK:
        worker = _embedded_worker(app)
        if worker is None or worker.pid != os.getpid() or not worker.thread.is_alive():
            worker = EmbeddedWorker(app).start()
            app.extensions["summit_jobs_worker"] = worker
    return worker


def _wake(app: Flask) -> None:
    worker = _embedded_worker(app)
    if worker is not None:
        worker.wake.set()


def init_app(app: Flask) -> None:
    """Called by ``create_app``: starts the embedded worker with the web process."""
    app.cli.add_command(jobs_cli)

    # Started on the first request, not at import: a forking server (gunicorn --preload) would
    # otherwise lose the thread in its workers, and CLI commands such as `db upgrade` must not
    # poll a table that may not exist yet.
    @app.before_request
    def _start_job_worker():
        if app.config.get("JOBS_EMBEDDED_WORKER"):
            ensure_embedded_worker(app)


# --- RQ backend ---------------------------------------------------------------------------------


def _redis(app: Flask):
    from redis import Redis

    return Redis.from_url(app.config.get("REDIS_URL") or "redis://127.0.0.1:6379/0")


def _rq_queue(app: Flask):
    from rq import Queue

    return Queue(app.config.get("JOBS_RQ_QUEUE") or "summit", connection=_redis(app))


def rq_run_job(job_id: int) -> bool:
    """The function RQ calls: run our job by id. ``flask --app summit jobs worker`` runs the RQ
    worker inside the application, so the app context is there."""
    if not has_app_context():
        raise RuntimeError("Run RQ workers with `flask --app summit jobs worker`: a plain "
                           "`rq worker` has no Summit application to run jobs in.")
    return run_job(job_id)


def resend_due_to_rq() -> int:
    """Hand every due queued job to RQ (after Redis lost them, or retries whose delay passed)."""
    ids = due_job_ids(limit=10_000)
    if ids:
        _dispatch(ids)
    return len(ids)


# --- command line -------------------------------------------------------------------------------

jobs_cli = AppGroup("jobs", help="Background jobs (badge batches, email delivery).")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Run what is due, then exit.")
@click.option("--import", "imports", multiple=True,
              help="Also import this module (extra job handlers).")
def jobs_worker(burst: bool, imports: tuple[str, ...]) -> None:
    """Run jobs: an RQ worker if JOBS_BACKEND=rq, else the database poller."""
    import importlib

    for name in imports:
        importlib.import_module(name)
    app = current_app._get_current_object()
    if app.config.get("JOBS_BACKEND") == "rq":
        from rq import SimpleWorker

        requeue_stale()
        resend_due_to_rq()
        db.session.remove()
        # SimpleWorker runs jobs in this process (no fork), so the database pool stays valid.
        worker = SimpleWorker([_rq_queue(app)], connection=_redis(app))
        worker.work(burst=burst, with_scheduler=True)
        return
    interval = float(app.config.get("JOBS_POLL_SECONDS", 1.0))
    while True:
        ran = run_pending_jobs()
        db.session.remove()
        if ran:
            click.echo(f"ran {ran} job(s)")
        if burst:
            return
        time.sleep(interval)


@jobs_cli.command("list")
@click.option("--status", type=click.Choice(STATUSES), default=None)
@click.option("--limit", type=int, default=30, show_default=True)
def jobs_list(status: str | None, limit: int) -> None:
    """Show the latest jobs."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if status:
        query = query.where(Job.status == status)
    for job in db.session.scalars(query):
        progress = f"{job.progress}/{job.total}" if job.total else str(job.progress)
        click.echo(f"{job.id}\t{job.kind}\t{job.status}\t{progress}\tattempts={job.attempts}"
                   + (f"\t{job.error.splitlines()[-1]}" if job.error else ""))


@jobs_cli.command("retry")
@click.argument("job_id", type=int)
def jobs_retry(job_id: int) -> None:
    """Queue a failed job again."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise click.ClickException(f"No job {job_id}.")
    retry(job)
    db.session.commit()
    click.echo(f"Job {job_id} queued again.")
