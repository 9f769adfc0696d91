"""A summit morning behind one address, with the production limits: 3,000 attendees open their
valid links and scan the entrance code from the venue Wi-Fi while one phone sends bad links and
codes (keeping its cookie), and another client sends them dropping its cookie every time.

Every valid request is answered; only the two bad senders are slowed (429, Retry-After)."""

from __future__ import annotations

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
    from summit.checkin.codes import new_code, new_personal_secret

    rows = [{"event_id": event.id, "first_name": f"P{n}", "last_name": "Venue",
             "email": f"p{n}@venue.test", "status": "registered", "checkin_code": new_code(),
             "personal_secret": new_personal_secret()} for n in range(count)]
    db.session.execute(insert(Attendee), rows)
    db.session.commit()
    return list(db.session.scalars(select(Attendee.personal_secret)
                                   .where(Attendee.event_id == event.id)))


def slowed(statuses: list[int], per_minute: int) -> bool:
    """The sender got at most two minutes' worth of answers (the test may straddle a window)
    and 429 ever after."""
    answered = statuses.count(404)
    first_refusal = statuses.index(429)
    return (answered <= 2 * per_minute and statuses[-1] == 429
            and set(statuses[first_refusal:]) <= {404, 429}
            and statuses.count(429) >= len(statuses) - 2 * per_minute)


def test_3000_valid_links_from_one_address_all_open_while_one_device_is_slowed(app, make_event):
    event = make_event(capacity=None)
    secrets = bulk_attendees(event, ATTENDEES)
    assert len(secrets) == ATTENDEES
    bad_phone = app.test_client()  # keeps its cookie
    answers: Counter = Counter()
    phone_statuses, dropper_statuses = [], []
    for n, secret in enumerate(secrets):
        first_visit = app.test_client()  # every attendee's phone, new to the site
        response = first_visit.get(f"/me/{secret}", environ_base=VENUE)
        answers[response.status_code] += 1
        if n % 10 == 0:
            phone_statuses.append(bad_phone.get(f"/me/{'x' * 36}{n:04d}",
                                                environ_base=VENUE).status_code)
            dropper_statuses.append(app.test_client().get(f"/me/{'y' * 36}{n:04d}",
                                                          environ_base=VENUE).status_code)
        if response.status_code == 302 and n % 500 == 0:
            assert response.headers["Location"].endswith(f"/e/{event.slug}/me")
            assert first_visit.get(f"/e/{event.slug}/me",
                                   environ_base=VENUE).status_code == 200
    assert answers == {302: ATTENDEES}
    assert slowed(phone_statuses, per_minute=10)  # personal_link: 10 a minute per device
    assert slowed(dropper_statuses, per_minute=30)  # personal_link_new_device: 30 a minute
    # The slowed phone's own valid link still opens.
    assert bad_phone.get(f"/me/{secrets[0]}", environ_base=VENUE).status_code == 302


def test_3000_entrance_scans_from_one_address_while_one_device_forges_codes(app, make_event):
    event = make_event(capacity=None)
    code = codes.entrance_code(app.config["SECRET_KEY"], event.id, datetime.now(UTC))
    forger = app.test_client()
    answers: Counter = Counter()
    forged_statuses = []
    for n in range(ATTENDEES):
        response = app.test_client().get(f"/e/{event.slug}/here/{code}", environ_base=VENUE)
        answers[response.status_code] += 1
        if n % 30 == 0:  # below a person's overall budget (selfcheckin_scan): bad codes only
            forged = f"{code[:-4]}{n % 10000:04d}"
            forged_statuses.append(forger.get(f"/e/{event.slug}/here/{forged}",
                                              environ_base=VENUE).status_code)
    assert answers == {302: ATTENDEES}  # valid code, no session yet: "ask for my link"
    assert slowed(forged_statuses, per_minute=20)  # selfcheckin_bad_code: 20 a minute
    # The forger's own valid scan is still answered.
    assert forger.get(f"/e/{event.slug}/here/{code}", environ_base=VENUE).status_code == 302
