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


add_job_kind("test.count", count_job, max_attempts=3)
add_job_kind("test.flaky", flaky_job, max_attempts=3)
