"""The last places of a summit, taken by many phones at the same moment, never overbook it."""

from __future__ import annotations

import re
import threading

import requests
from sqlalchemy import select

from summit.extensions import db
from summit.registration.models import Attendee


def prepared_phone(base: str, slug: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(f"{base}/e/{slug}/register", timeout=10)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    return session, token


def test_last_places_race(live_server):
    app = live_server.app
    with app.app_context():
        from datetime import date

        from summit.events.services import create_event

        create_event("race", "Race Summit", date(2027, 3, 1), capacity=3)
        db.session.commit()
    phones = [prepared_phone(live_server.url, "race") for _ in range(12)]
    barrier = threading.Barrier(len(phones))
    statuses: list[int] = []

    def register(index: int) -> None:
        session, token = phones[index]
        barrier.wait()
        response = session.post(f"{live_server.url}/e/race/register", data={
            "csrf_token": token, "first_name": f"P{index}", "last_name": "Racer",
            "email": f"p{index}@example.org", "organization": "Race District", "state": "TN",
            "role": "Teacher"}, allow_redirects=False, timeout=30)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(len(phones))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302] * len(phones)
    with app.app_context():
        rows = db.session.scalars(select(Attendee).order_by(Attendee.registered_at)).all()
        registered = [a for a in rows if a.status == "registered"]
        waitlisted = [a for a in rows if a.status == "waitlisted"]
        assert len(registered) == 3
        assert len(waitlisted) == 9
        assert sorted(a.waitlist_position for a in waitlisted) == list(range(1, 10))
        # Waitlist order is arrival order.
        assert [a.waitlist_position for a in sorted(waitlisted, key=lambda a: a.registered_at)] \
            == list(range(1, 10))


def race(count: int, action) -> list[int]:
    """Run ``action(index)`` in ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def run(index: int) -> None:
        barrier.wait()
        statuses.append(action(index))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_phones_registering_one_cancelled_address_at_once_make_one_registration(live_server):
    """Re-registering makes a new row, so nothing but the event lock and the partial unique
    index stands between racing phones and two active registrations of one address."""
    app = live_server.app
    with app.app_context():
        from datetime import date

        from summit.events.services import create_event

        event = create_event("again", "Again Summit", date(2027, 3, 1))
        db.session.add(Attendee(event_id=event.id, first_name="Vera", last_name="Early",
                                email="same@example.org", status="cancelled"))
        db.session.commit()
    phones = [prepared_phone(live_server.url, "again") for _ in range(8)]

    def register(index: int) -> int:
        session, token = phones[index]
        return session.post(f"{live_server.url}/e/again/register", data={
            "csrf_token": token, "first_name": f"P{index}", "last_name": "Racer",
            "email": "same@example.org", "organization": "Race District", "state": "TN",
            "role": "Teacher"}, allow_redirects=False, timeout=30).status_code

    statuses = race(len(phones), register)
    # One phone registered; every other got the "check your email" answer.
    assert sorted(statuses) == [200] * (len(phones) - 1) + [302]
    with app.app_context():
        rows = db.session.scalars(select(Attendee).order_by(Attendee.id)).all()
        assert [a.status for a in rows] == ["cancelled", "registered"]
        assert rows[0].first_name == "Vera"


def test_a_double_tap_on_ask_to_join_makes_one_request(live_server):
    from summit.database import utcnow
    from summit.registration.models import JoinRequest

    app = live_server.app
    with app.app_context():
        from datetime import date

        from summit.events.services import create_event
        from summit.registration.services import find_or_create_organization

        event = create_event("ask", "Ask Summit", date(2027, 3, 1))
        person = Attendee(event_id=event.id, first_name="Tap", last_name="Twice",
                          email="tap@example.org", email_confirmed_at=utcnow(),
                          organization=find_or_create_organization("Knox", "TN"))
        db.session.add(person)
        db.session.commit()
        secret = person.personal_secret
    tabs = []
    for _ in range(12):
        session = requests.Session()
        session.get(f"{live_server.url}/me/{secret}", timeout=10)
        page = session.get(f"{live_server.url}/e/ask/team", timeout=10)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        tabs.append((session, token))

    def ask(index: int) -> int:
        session, token = tabs[index]
        return session.post(f"{live_server.url}/e/ask/team/request",
                            data={"csrf_token": token}, allow_redirects=False,
                            timeout=30).status_code

    assert race(len(tabs), ask) == [303] * len(tabs)
    with app.app_context():
        assert db.session.scalars(select(JoinRequest.status)).all() == ["pending"]
