"""Two phones opening the same attendee's ledger at the same moment issue one certificate.

Real concurrent HTTP requests (threads against the threaded live server), on SQLite and on
PostgreSQL: the certificate is written by a page that otherwise only reads, in a short write of
its own, and a partial unique index keeps one valid certificate per person.
"""

from __future__ import annotations

import threading
import urllib.request
from datetime import UTC, date, datetime, time
from http.cookiejar import CookieJar

from sqlalchemy import func, select

from summit.extensions import db


def test_concurrent_ledger_pages_issue_one_certificate(live_server, monkeypatch):
    from summit.breakouts.api import save_program_block
    from summit.checkin.api import check_in, entrance_list
    from summit.credits.models import Certificate
    from summit.events.services import create_event
    from summit.registration.models import Attendee

    monkeypatch.setattr("summit.checkin.services.utcnow",
                        lambda: datetime(2027, 3, 1, 14, 50, tzinfo=UTC))
    app = live_server.app
    with app.app_context():
        event = create_event("race-credit", "Race Summit", date(2027, 3, 1), days=1,
                             timezone="America/Chicago")
        people = [Attendee(event_id=event.id, first_name=f"P{i}", last_name="Race",
                           email=f"p{i}@example.org") for i in range(3)]
        db.session.add_all(people)
        db.session.flush()
        save_program_block(event, title="Keynote", day=1, starts=time(9), ends=time(10))
        for person in people:
            check_in(person, entrance_list(event))
        db.session.commit()
        links = [(p.id, p.personal_secret) for p in people]
        slug = event.slug
        db.session.remove()

    def phone(secret):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        opener.open(f"{live_server.url}/me/{secret}").read()
        return opener

    openers = [(phone(secret), attendee_id) for attendee_id, secret in links for _ in range(4)]
    start = threading.Barrier(len(openers))
    statuses = []

    def open_ledger(opener):
        start.wait()
        with opener.open(f"{live_server.url}/e/{slug}/credits") as response:
            statuses.append(response.status)

    threads = [threading.Thread(target=open_ledger, args=(opener,)) for opener, _ in openers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * len(openers)
    with app.app_context():
        per_person = dict(db.session.execute(
            select(Certificate.attendee_id, func.count()).group_by(Certificate.attendee_id)).all())
        db.session.remove()
    assert per_person == {attendee_id: 1 for attendee_id, _ in links}
