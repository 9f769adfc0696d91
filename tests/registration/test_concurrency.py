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
