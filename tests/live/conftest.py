"""A live world: an event with a keynote (plenary block) and a breakout session facilitated by
a staff account, two attendees, an organizer and another facilitator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pytest

from summit.extensions import db


@dataclass
class LiveWorld:
    event: object
    session: object
    block: object
    amber: object
    ben: object
    organizer: object
    host: object  # facilitates the session
    other_host: object  # a facilitator of the event, not of this session

    @property
    def slug(self):
        return self.event.slug

    @property
    def skey(self):
        return f"s{self.session.id}"

    @property
    def bkey(self):
        return f"b{self.block.id}"


@pytest.fixture
def live_world(app, make_event, make_attendee, make_staff):
    from summit.breakouts import services
    from summit.breakouts.program import services as program

    event = make_event("live")
    host = make_staff("facilitator", event, email="host@live.test")
    other = make_staff("facilitator", event, email="other@live.test")
    organizer = make_staff("organizer", event, email="lead@live.test")
    room = services.save_room(event, "Ballroom", 300, True)
    slot = services.save_slot(event, 1, time(10), time(11))
    session = services.save_session(event, services.SessionData(
        title="AI policy workshop", room_id=room.id, slot_id=slot.id,
        facilitators=[("Host", "host@live.test")]))
    block = program.save_block(event, program.BlockData(
        title="Opening keynote", day=1, starts=time(9), ends=time(9, 45)))
    db.session.commit()
    amber = make_attendee(event, first_name="Amber", last_name="Ames", email="amber@x.org")
    ben = make_attendee(event, first_name="Ben", last_name="Bell", email="ben@x.org")
    return LiveWorld(event, session, block, amber, ben, organizer, host, other)


@pytest.fixture
def phone(app):
    """A signed-in attendee's phone (a test client)."""

    def make(attendee):
        client = app.test_client()
        assert client.get(f"/me/{attendee.personal_secret}").status_code == 302
        return client

    return make


@pytest.fixture
def staff_client(app):
    def make(user):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email,
                                               "password": "correct horse battery"})
        assert response.status_code == 302
        return client

    return make
