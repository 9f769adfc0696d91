"""A summit with homeroom tables, a breakout room and a frozen clock for self check-in tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from summit.extensions import db

# 09:00 in Chicago on day 2 of an event that starts on March 1, 2027.
NOW = datetime(2027, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the self check-in views' clock at ``NOW`` (returns a setter to move it)."""
    state = {"now": NOW}
    monkeypatch.setattr("summit.selfcheckin.views._now", lambda: state["now"])

    def move(to: datetime):
        state["now"] = to

    return move


@pytest.fixture
def summit_setup(make_event, make_attendee):
    from summit.breakouts.models import BreakoutSession, Room, Slot
    from summit.homerooms.models import HomeroomTable, Seat

    event = make_event(start_date=date(2027, 3, 1), days=3)
    amber = make_attendee(event, first_name="Amber", last_name="Okafor",
                          email="amber@example.org")
    ben = make_attendee(event, first_name="Ben", last_name="Ruiz", email="ben@example.org")
    wait = make_attendee(event, first_name="Wes", email="wes@example.org", status="waitlisted")
    t12 = HomeroomTable(event_id=event.id, number=12, seats=8, location="Hall B")
    t7 = HomeroomTable(event_id=event.id, number=7, seats=8, location="Hall A")
    db.session.add_all([t12, t7])
    db.session.flush()
    for day in (1, 2, 3):
        db.session.add(Seat(event_id=event.id, table_id=t12.id, attendee_id=amber.id, day=day))
        db.session.add(Seat(event_id=event.id, table_id=t7.id, attendee_id=ben.id, day=day))
    room = Room(event_id=event.id, name="Room 204", capacity=30)
    morning = Slot(event_id=event.id, day=2, starts=time(9, 5), ends=time(10, 0))
    afternoon = Slot(event_id=event.id, day=2, starts=time(13, 0), ends=time(14, 0))
    db.session.add_all([room, morning, afternoon])
    db.session.flush()
    talk = BreakoutSession(event_id=event.id, title="AI policy drafting", room_id=room.id,
                           slot_id=morning.id, mode="open")
    later = BreakoutSession(event_id=event.id, title="Coaching with AI", room_id=room.id,
                            slot_id=afternoon.id)
    db.session.add_all([talk, later])
    db.session.commit()
    return {"event": event, "amber": amber, "ben": ben, "wait": wait, "t12": t12, "t7": t7,
            "room": room, "talk": talk, "later": later}
