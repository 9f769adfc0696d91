"""Capacity is real: simultaneous requests against a real server never overbook a session.

- Threads against the threaded test server (SQLite and PostgreSQL);
- on PostgreSQL also gunicorn with 3 worker processes, so the row lock is what keeps order.

Each simulated phone signs in through its personal link and sends the htmx POST with its CSRF
token, as a browser would; a barrier releases all requests at the same moment.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import time as clock
from pathlib import Path

import pytest
from sqlalchemy import select

from summit.extensions import db
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


class Phone:
    """One attendee's browser: cookies, CSRF token, htmx headers."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def sign_in(self, secret: str, slug: str) -> None:
        self.get(f"/me/{secret}")
        page = self.get(f"/e/{slug}/breakouts")
        self.token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)

    def post(self, path: str) -> str:
        request = urllib.request.Request(self.base + path, data=b"", method="POST", headers={
            "X-CSRFToken": self.token, "HX-Request": "true"})
        with self.opener.open(request, timeout=60) as response:
            return response.read().decode()


def race(phones: list[Phone], path_for) -> list[str]:
    barrier = threading.Barrier(len(phones))
    results: list[str | BaseException] = [""] * len(phones)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = phones[i].post(path_for(i))
        except BaseException as exc:  # noqa: BLE001 - reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(phones))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return results  # type: ignore[return-value]


def build(event_factory, attendee_factory, people: int, capacity: int):
    from summit.breakouts import services

    event = event_factory()
    room = services.save_room(event, "Room 101", capacity, True)
    slot = services.save_slot(event, 1, clock(9), clock(10))
    session = services.save_session(event, services.SessionData(
        title="Drafting a district AI policy", room_id=room.id, slot_id=slot.id))
    db.session.commit()
    attendees = [attendee_factory(event) for _ in range(people)]
    return event, session, [(a.id, a.personal_secret) for a in attendees]


def assert_exact(session_id: int, capacity: int, people: int, replies: list[str]) -> None:
    from summit.breakouts.models import Enrollment

    db.session.expire_all()
    rows = db.session.scalars(select(Enrollment).where(Enrollment.session_id == session_id)
                              ).all()
    enrolled = [r for r in rows if r.status == "enrolled"]
    waiting = sorted((r for r in rows if r.status == "waitlisted"),
                     key=lambda r: r.waitlist_position)
    assert len(enrolled) == capacity
    assert len(waiting) == people - capacity
    assert [r.waitlist_position for r in waiting] == list(range(1, people - capacity + 1))
    # Arrival order: every seat was taken before the first waitlisting, and the waitlist
    # positions follow the order in which the requests were served.
    assert max(r.created_at for r in enrolled) <= waiting[0].created_at
    assert [r.created_at for r in waiting] == sorted(r.created_at for r in waiting)
    assert sum("You have a seat" in r for r in replies) == capacity
    assert sum("on the waitlist" in r for r in replies) == people - capacity


def test_last_seats_race_on_the_threaded_server(live_server):
    app = live_server.app
    with app.app_context():
        from summit.events.services import create_event
        from summit.registration.models import Attendee
        from summit.registration.services import find_or_create_organization

        def event_factory():
            from datetime import date

            e = create_event("race", "Race Summit", date(2027, 3, 1), days=1)
            db.session.commit()
            return e

        counter = iter(range(10_000))

        def attendee_factory(event):
            n = next(counter)
            a = Attendee(event_id=event.id, first_name=f"P{n}", last_name="Racer",
                         email=f"p{n}@example.org", status="registered",
                         organization=find_or_create_organization("Knox", "TN"))
            db.session.add(a)
            db.session.commit()
            return a

        capacity, people = 3, 12
        event, session, people_ids = build(event_factory, attendee_factory, people, capacity)
        slug, session_id = event.slug, session.id
    phones = []
    for _, secret in people_ids:
        phone = Phone(live_server.url)
        phone.sign_in(secret, slug)
        phones.append(phone)
    replies = race(phones, lambda i: f"/e/{slug}/breakouts/{session_id}/join")
    with app.app_context():
        assert_exact(session_id, capacity, people, replies)

        # Two people give up their seats at the same moment: exactly the first two waiting
        # are promoted, the third stays first in line.
        from summit.breakouts.models import Enrollment

        enrolled_ids = [r.attendee_id for r in db.session.scalars(select(Enrollment).where(
            Enrollment.session_id == session_id, Enrollment.status == "enrolled"))]
        waiting_ids = [r.attendee_id for r in db.session.scalars(select(Enrollment).where(
            Enrollment.session_id == session_id, Enrollment.status == "waitlisted")
            .order_by(Enrollment.waitlist_position))]
    index = {aid: i for i, (aid, _) in enumerate(people_ids)}
    leavers = [phones[index[aid]] for aid in enrolled_ids[:2]]
    race(leavers, lambda i: f"/e/{slug}/breakouts/{session_id}/leave")
    with app.app_context():
        db.session.expire_all()
        rows = {r.attendee_id: r for r in db.session.scalars(
            select(Enrollment).where(Enrollment.session_id == session_id))}
        assert sum(r.status == "enrolled" for r in rows.values()) == capacity
        assert rows[waiting_ids[0]].status == "enrolled"
        assert rows[waiting_ids[1]].status == "enrolled"
        assert rows[waiting_ids[2]].status == "waitlisted"


@pytest.fixture
def gunicorn_server(test_database, db_backend, tmp_path):
    if db_backend != "postgresql":
        pytest.skip("several worker processes need PostgreSQL")
    port = free_port()
    instance = tmp_path / "gunicorn-instance"
    env = {**os.environ, "DATABASE_URL": test_database.url, "SECRET_KEY": "race-secret",
           "BASE_URL": f"http://127.0.0.1:{port}", "OUTBOX_DIR": str(instance / "outbox"),
           "JOBS_EMBEDDED_WORKER": "0"}
    factory = f"summit:create_app({{'INSTANCE_PATH': {str(instance)!r}}})"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "3", "--threads", "4", "--preload", "-b",
         f"127.0.0.1:{port}", "--graceful-timeout", "2", factory],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("gunicorn did not start: " + proc.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_last_seats_race_across_gunicorn_workers(app, make_event, make_attendee,
                                                 gunicorn_server):
    capacity, people = 4, 16
    event, session, people_ids = build(make_event, make_attendee, people, capacity)
    slug, session_id = event.slug, session.id
    phones = []
    for _, secret in people_ids:
        phone = Phone(gunicorn_server)
        phone.sign_in(secret, slug)
        phones.append(phone)
    replies = race(phones, lambda i: f"/e/{slug}/breakouts/{session_id}/join")
    assert_exact(session_id, capacity, people, replies)
