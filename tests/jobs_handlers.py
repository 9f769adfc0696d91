"""Job handlers used by tests/test_jobs.py; also imported by a real worker process
(``flask --app summit jobs worker --import tests.jobs_handlers``)."""

from __future__ import annotations

from pathlib import Path

from summit.jobs import add_job_kind


def count_job(job, report_progress):
    """Count to ``params['n']``, appending one line per run to ``params['log']`` if given."""
    n = int(job.params.get("n", 3))
    for i in range(1, n + 1):
        report_progress(i, n)
    if job.params.get("log"):
        with open(job.params["log"], "a") as fh:
            fh.write(f"{job.id}\n")
    return f"counted to {n}"


def flaky_job(job, report_progress):
    """Fail on the first ``params['fail']`` attempts."""
    if job.attempts <= int(job.params.get("fail", 0)):
        raise ConnectionError(f"attempt {job.attempts} refused")
    if job.params.get("out"):
        Path(job.params["out"]).write_text("ok")
    return "ok"


# ``test.hold`` waits here until the test releases it (threading.Event objects by name).
HOLDS: dict[str, dict] = {}


def hold_job(job, report_progress):
    """Note whether a transaction was open when the handler started, read the job's row (as
    any handler reads), then wait until ``HOLDS[name]["release"]`` is set."""
    from summit.extensions import db
    from summit.jobs import Job

    hold = HOLDS[job.params["name"]]
    hold["open_at_start"] = db.session().in_transaction()
    db.session.get(Job, job.id, populate_existing=True)  # a read, left open while it waits
    hold["started"].set()
    hold["release"].wait(30)
    return "released"


def sloppy_job(job, report_progress):
    """Change a row outside ``write_transaction`` (and leave it for the runner to commit)."""
    from summit.extensions import db
    from summit.jobs import Job

    db.session.get(Job, job.id).result = "written by the handler"
    return "done?"


add_job_kind("test.count", count_job, max_attempts=3)
add_job_kind("test.flaky", flaky_job, max_attempts=3)
add_job_kind("test.hold", hold_job, max_attempts=1)
add_job_kind("test.sloppy", sloppy_job, max_attempts=1)
