"""Check-ins racing through gunicorn while its workers are killed (SIGKILL) lose nothing, count
nobody twice, and give every person exactly one "checked in" answer, on SQLite and PostgreSQL.

Scanners retry with the same nonce until they hear an answer, as the scanner apps do. Two
things kill workers: some requests kill their own worker right after their check-in committed
and before it answered (``dying_app``), and a thread SIGKILLs random workers throughout. The
first are the moment issue 15 saw: the retry must be told "checked in" (201), not "already
checked in", or the volunteer reads it as a badge used twice.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from summit.audit import AuditLog
from summit.auth.services import create_user, issue_token
from summit.checkin.models import Checkin
from summit.events.services import create_event
from summit.extensions import db
from summit.registration.models import Attendee
from tests.conftest import STAFF_PASSWORD, free_port

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
ALONE = 8  # attendees scanned once, by a request that kills its worker after the commit
CROWD = 30  # attendees scanned by three lanes at once, while workers are killed at random
LANES = 3
RETRY_FOR = 120  # seconds a scanner keeps retrying the same nonce


def _worker_pids(master: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                ppid = next(line for line in status if line.startswith("PPid:"))
        except (OSError, StopIteration):
            continue
        if int(ppid.split()[1]) == master:
            pids.append(int(entry))
    return pids


@pytest.fixture
def dying_gunicorn(app):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": "kill-secret", "BASE_URL": f"http://127.0.0.1:{port}",
           "JOBS_EMBEDDED_WORKER": "0", "RATELIMIT_ENABLED": "0"}
    proc = subprocess.Popen(
        # No ./gunicorn.conf.py (its access log): the plain set-up bench/checkin uses.
        [sys.executable, "-m", "gunicorn", "-c", "/dev/null", "-w", str(WORKERS), "-b",
         f"127.0.0.1:{port}", "--log-level", "critical", "--no-control-socket", "--preload",
         "tests.checkin.dying_app:app"],
        cwd=ROOT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/login", timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                pytest.fail("gunicorn did not start")
            time.sleep(0.1)
    yield proc, port
    os.killpg(proc.pid, signal.SIGKILL)  # master and workers
    proc.wait(10)


class Scanner:
    """One lane's scanner app: posts a check-in and, when it hears no answer (a worker died,
    the connection dropped) or a 503, posts it again with the same nonce."""

    def __init__(self, port: int, slug: str, token: str):
        self.port, self.slug, self.token = port, slug, token
        self.unanswered = 0

    answers = 0  # answers heard by all scanners: the killer waits for progress between kills

    def scan(self, code: str, nonce: str, *, die_after_commit: bool = False):
        body = json.dumps({"code": code, "nonce": nonce})
        # Retry until a deadline, not a count: on a loaded machine gunicorn takes a while to
        # fork a new worker, and a count of quick retries can run out before one is up.
        deadline = time.monotonic() + RETRY_FOR
        last = "nothing tried"
        while time.monotonic() < deadline:
            headers = {"Authorization": f"Bearer {self.token}",
                       "Content-Type": "application/json"}
            if die_after_commit:
                headers["X-Test-Die"] = "after-commit"
                die_after_commit = False  # the retry is a plain retry
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
            try:
                connection.request("POST", f"/api/v1/events/{self.slug}/checkins", body,
                                   headers)
                response = connection.getresponse()
                status, answer = response.status, json.loads(response.read() or b"{}")
            except (OSError, http.client.HTTPException) as error:
                last = repr(error)
                self.unanswered += 1
                time.sleep(0.05)
                continue
            finally:
                connection.close()
            if status == 503:
                last = f"503 {answer}"
                time.sleep(0.05)
                continue
            Scanner.answers += 1
            return status, answer
        raise AssertionError(f"no answer for {nonce} in {RETRY_FOR} s; last: {last}")


def test_killed_workers_lose_nothing_count_nobody_twice_and_answer_each_once(app,
                                                                           dying_gunicorn):
    proc, port = dying_gunicorn
    event = create_event("killed", "Killed Workers Summit", date(2027, 3, 1))
    people = [Attendee(event_id=event.id, first_name=f"P{i}", last_name="Kill",
                       email=f"k{i}@example.org") for i in range(ALONE + CROWD)]
    db.session.add_all(people)
    users = [create_user(f"lane{i}@staff.test", "checkin", STAFF_PASSWORD, event_id=event.id)
             for i in range(LANES)]
    db.session.flush()
    tokens = [issue_token(user, f"lane {i}") for i, user in enumerate(users)]
    db.session.commit()
    codes = {person.id: person.checkin_code for person in people}
    alone, crowd = people[:ALONE], people[ALONE:]
    scanners = [Scanner(port, event.slug, token) for token in tokens]

    # 1. The issue's moment, on its own: committed, then killed before answering; the retry.
    for person in alone:
        status, answer = scanners[0].scan(codes[person.id], f"alone-{person.id}",
                                          die_after_commit=True)
        assert (status, answer["result"], answer.get("duplicate_nonce")) == (
            201, "checked_in", True), answer
    assert scanners[0].unanswered == ALONE

    # 2. Three lanes per person at once, some dying after their commit, while a thread kills
    #    workers at random.
    done = threading.Event()
    kills = []

    def killer():
        chance = random.Random(15)
        answered_at_last_kill = -1
        while not done.wait(chance.uniform(0.05, 0.25)):
            workers = _worker_pids(proc.pid)
            # Kill only while every worker is up and some scan was answered since the last
            # kill: on a loaded machine a request can take longer than the pause between
            # kills, and without this a retry could be cut off again and again.
            if len(workers) == WORKERS and Scanner.answers > answered_at_last_kill:
                answered_at_last_kill = Scanner.answers
                victim = chance.choice(workers)
                try:
                    os.kill(victim, signal.SIGKILL)
                    kills.append(victim)
                except ProcessLookupError:
                    pass

    jobs = [(person.id, lane) for person in crowd for lane in range(LANES)]
    random.Random(16).shuffle(jobs)
    killing = threading.Thread(target=killer)
    killing.start()
    try:
        with ThreadPoolExecutor(max_workers=9) as pool:
            answers = list(pool.map(
                lambda job: (job[0], scanners[job[1]].scan(
                    codes[job[0]], f"lane{job[1]}-{job[0]}",
                    die_after_commit=(job[0] + job[1]) % 4 == 0)), jobs))
    finally:
        done.set()
        killing.join()

    assert len(kills) >= 5, "the test killed too few workers to mean anything"
    assert sum(s.unanswered for s in scanners) > ALONE  # requests really were cut off
    by_person: dict[int, list[str]] = {person.id: [] for person in crowd}
    for person_id, (status, answer) in answers:
        assert (status, answer["result"]) in ((201, "checked_in"), (200, "already_checked_in"))
        by_person[person_id].append(answer["result"])
    assert {pid: results.count("checked_in") for pid, results in by_person.items()} == {
        pid: 1 for pid in by_person}, "every person is told \"checked in\" exactly once"

    # Nothing lost, nobody twice: one check-in and one audit entry per person.
    db.session.rollback()  # a fresh snapshot
    stored = db.session.execute(select(Checkin.attendee_id, func.count())
                                .group_by(Checkin.attendee_id)).all()
    assert dict(stored) == {person.id: 1 for person in people}
    logged = db.session.execute(select(AuditLog.target_id, func.count())
                                .where(AuditLog.action == "checkin.created")
                                .group_by(AuditLog.target_id)).all()
    assert dict(logged) == {person.id: 1 for person in people}
