"""Two desks scanning the same badge at the same moment give exactly one check-in.

Real concurrent HTTP requests: threads against the threaded live server (desk sessions with
CSRF and API tokens mixed), and threads against gunicorn with several worker processes, on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from summit.auth.services import create_user, issue_token
from summit.checkin.models import Checkin
from summit.events.services import create_event
from summit.extensions import db
from summit.registration.models import Attendee
from tests.conftest import STAFF_PASSWORD, free_port

ROOT = Path(__file__).resolve().parents[2]


def _seed(app, attendees: int = 1):
    from datetime import date

    with app.app_context():
        event = create_event("race", "Race Summit", date(2027, 3, 1))
        users = [create_user(f"desk{i}@staff.test", "checkin", STAFF_PASSWORD, event_id=event.id)
                 for i in range(2)]
        people = [Attendee(event_id=event.id, first_name=f"P{i}", last_name="Race",
                           email=f"p{i}@example.org") for i in range(attendees)]
        db.session.add_all(people)
        db.session.flush()
        tokens = [issue_token(users[i % 2], f"lane {i}") for i in range(2)]
        db.session.commit()
        return ([p.checkin_code for p in people], [u.email for u in users], tokens)


def _count(app) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(Checkin))
        db.session.remove()
        return n


class Desk:
    """A browser-like desk session: signs in through the form, then posts scans with CSRF."""

    def __init__(self, base: str, email: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        login = self.opener.open(f"{base}/login").read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login) or \
            re.search(r'name="csrf_token" value="([^"]+)"', login)
        body = urllib.parse.urlencode({"csrf_token": token.group(1), "email": email,
                                       "password": STAFF_PASSWORD}).encode()
        self.opener.open(f"{base}/login", data=body)
        page = self.opener.open(f"{base}/admin/e/race/checkin").read().decode()
        self.csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)

    def scan(self, code: str) -> str:
        request = urllib.request.Request(
            f"{self.base}/admin/e/race/checkin/scan",
            data=urllib.parse.urlencode({"code": code, "source": "camera"}).encode(),
            headers={"X-CSRFToken": self.csrf, "HX-Request": "true"}, method="POST")
        html = self.opener.open(request, timeout=30).read().decode()
        return re.search(r'data-outcome="([a-z_]+)"', html).group(1)


def api_scan(base: str, token: str, code: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{base}/api/v1/events/race/checkins", data=json.dumps({"code": code}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def race(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_desks_and_scanners_race_on_the_live_server(live_server):
    (code,), emails, tokens = _seed(live_server.app)
    desks = [Desk(live_server.url, email) for email in emails]
    calls = []
    for i in range(12):
        if i % 2:
            calls.append(lambda d=desks[i % 4 // 2]: d.scan(code))
        else:
            calls.append(lambda t=tokens[i % 4 // 2]: api_scan(live_server.url, t, code))
    results = race(calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    outcomes = [r if isinstance(r, str) else r[1].get("result") for r in results]
    statuses = [r[0] for r in results if isinstance(r, tuple)]
    assert outcomes.count("checked_in") == 1, outcomes
    assert outcomes.count("already_checked_in") == 11, outcomes
    assert set(statuses) <= {200, 201}
    assert _count(live_server.app) == 1


@pytest.fixture
def gunicorn_server(live_server):
    """The same app and database served by gunicorn with three worker processes."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": live_server.app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": "race-secret", "BASE_URL": f"http://127.0.0.1:{port}",
           "JOBS_EMBEDDED_WORKER": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "3", "-b", f"127.0.0.1:{port}", "--log-level",
         "warning", "--no-control-socket", "--preload", "summit:create_app()"],
        cwd=ROOT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/login", timeout=5)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.terminate()
        pytest.fail("gunicorn did not start")
    yield url
    proc.send_signal(signal.SIGINT)  # quick shutdown
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its own process group: master and workers
        proc.wait(5)


def test_race_across_gunicorn_worker_processes(live_server, gunicorn_server):
    codes, _, tokens = _seed(live_server.app, attendees=4)
    calls = [lambda c=code, t=tokens[i % 2]: api_scan(gunicorn_server, t, c)
             for code in codes for i in range(6)]
    results = race(calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    created = [r for r in results if r[0] == 201]
    assert len(created) == len(codes), [r[0] for r in results]
    assert {r[0] for r in results} == {200, 201}
    assert _count(live_server.app) == len(codes)
