"""A summit morning behind one address, with the production limits: 3,000 attendees open their
valid links and scan the entrance code from the venue Wi-Fi while one phone sends bad links and
codes (keeping its cookie), and another client sends them dropping its cookie every time.

Every valid request is answered; only the two bad senders are slowed (429, Retry-After)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from summit.extensions import db
from summit.registration.models import Attendee
from summit.selfcheckin import codes

ATTENDEES = 3000
VENUE = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


def bulk_attendees(event, count: int) -> list[str]:
    from summit.codes import new_code, new_personal_secret

    rows = [{"event_id": event.id, "first_name": f"P{n}", "last_name": "Venue",
             "email": f"p{n}@venue.test", "status": "registered", "checkin_code": new_code(),
             "personal_secret": new_personal_secret()} for n in range(count)]
    db.session.execute(insert(Attendee), rows)
    db.session.commit()
    return list(db.session.scalars(select(Attendee.personal_secret)
                                   .where(Attendee.event_id == event.id)))


BURST = 40  # bad secrets a sender tries in one go, every 500 valid requests: over its budget


class Slowed:
    """Whether a sender of bad secrets was slowed: each burst ends refused, and over the whole
    test it got no more answers than its budget allows for the time the test took (a slow
    machine spans more one-minute windows)."""

    def __init__(self):
        self.started = time.monotonic()

    def check(self, bursts: list[list[int]], per_minute: int, per_hour: int) -> bool:
        minutes = int((time.monotonic() - self.started) // 60) + 2  # windows it can span
        allowed = min(per_minute * minutes, per_hour * 2)
        statuses = [status for burst in bursts for status in burst]
        assert set(statuses) <= {404, 429}, Counter(statuses)
        assert statuses.count(404) <= allowed, (allowed, Counter(statuses))
        return all(burst[-1] == 429 for burst in bursts)


def test_3000_valid_links_from_one_address_all_open_while_one_device_is_slowed(app, make_event):
    event = make_event(capacity=None)
    secrets = bulk_attendees(event, ATTENDEES)
    assert len(secrets) == ATTENDEES
    bad_phone = app.test_client()  # keeps its cookie
    clock = Slowed()
    answers: Counter = Counter()
    phone_bursts, dropper_bursts = [], []
    for n, secret in enumerate(secrets):
        first_visit = app.test_client()  # every attendee's phone, new to the site
        response = first_visit.get(f"/me/{secret}", environ_base=VENUE)
        answers[response.status_code] += 1
        if n % 500 == 0:
            phone_bursts.append([bad_phone.get(f"/me/{'x' * 34}{n:04d}{k:02d}",
                                               environ_base=VENUE).status_code
                                 for k in range(BURST)])
            dropper_bursts.append([app.test_client().get(f"/me/{'y' * 34}{n:04d}{k:02d}",
                                                         environ_base=VENUE).status_code
                                   for k in range(BURST)])
        if response.status_code == 302 and n % 500 == 0:
            assert response.headers["Location"].endswith(f"/e/{event.slug}/me")
            assert first_visit.get(f"/e/{event.slug}/me",
                                   environ_base=VENUE).status_code == 200
    assert answers == {302: ATTENDEES}
    assert clock.check(phone_bursts, 10, 60)  # personal_link: per device
    assert clock.check(dropper_bursts, 30, 300)  # personal_link_new_device: per address
    # The slowed phone's own valid link still opens.
    assert bad_phone.get(f"/me/{secrets[0]}", environ_base=VENUE).status_code == 302


def test_3000_entrance_scans_from_one_address_while_one_device_forges_codes(app, make_event,
                                                                             monkeypatch):
    from summit.selfcheckin import views

    now = datetime.now(UTC)
    monkeypatch.setattr(views, "_now", lambda: now)  # the code stays current, however slow
    event = make_event(capacity=None)
    code = codes.entrance_code(app.config["SECRET_KEY"], event.id, now)
    forger = app.test_client()
    clock = Slowed()
    answers: Counter = Counter()
    forged_bursts = []
    for n in range(ATTENDEES):
        response = app.test_client().get(f"/e/{event.slug}/here/{code}", environ_base=VENUE)
        answers[response.status_code] += 1
        if n % 1000 == 0:  # 90 in all: below a phone's overall budget (selfcheckin_scan: 120/min)
            forged_bursts.append([forger.get(f"/e/{event.slug}/here/{code[:-4]}{k:04d}",
                                             environ_base=VENUE).status_code
                                  for k in range(BURST // 2 + 10)])
    assert answers == {302: ATTENDEES}  # valid code, no session yet: "ask for my link"
    assert clock.check(forged_bursts, 20, 200)  # selfcheckin_bad_code: per device
    # The forger's own valid scan is still answered.
    assert forger.get(f"/e/{event.slug}/here/{code}", environ_base=VENUE).status_code == 302
