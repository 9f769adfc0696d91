"""A two-day summit for learning-credit tests: a keynote, lunch, breakouts on both days,
homeroom time at tables, and clocks the tests move (Chicago: UTC-6 in early March)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from summit.extensions import db

FIRST_DAY = date(2027, 3, 1)


def local(day: int, hh: int, mm: int = 0) -> datetime:
    """``hh:mm`` in Chicago on ``day`` of the summit, in UTC."""
    return datetime(2027, 3, day, hh, mm, tzinfo=UTC) + timedelta(hours=6)


def iso(day: int, hh: int, mm: int = 0) -> str:
    """The same moment as a scanner writes it: ISO 8601 with Chicago's offset."""
    return f"2027-03-{day:02d}T{hh:02d}:{mm:02d}:00-06:00"


@pytest.fixture
def clock(monkeypatch):
    """Every clock a scan reads, set by the test: ``clock(moment)``."""
    state = {"now": local(1, 8)}

    def now():
        return state["now"]

    for target in ("summit.checkin.services.utcnow", "summit.api.views.utcnow",
                   "summit.selfcheckin.views._now", "summit.plans.feedback.utcnow",
                   "summit.audit.utcnow"):
        monkeypatch.setattr(target, now)

    def move(moment: datetime):
        state["now"] = moment

    return move


@pytest.fixture
def two_days(make_event, make_attendee, make_staff):
    from summit.auth.services import issue_token
    from summit.breakouts.api import save_program_block
    from summit.breakouts.models import BreakoutSession, Room, Slot
    from summit.homerooms.models import HomeroomTable, Seat

    event = make_event(start_date=FIRST_DAY, days=2, timezone="America/Chicago")
    people = {name: make_attendee(event, first_name=name, last_name="Tester",
                                  email=f"{name.lower()}@example.org",
                                  organization=org)
              for name, org in (("Amber", "Knox County Schools"), ("Ben", "Austin ISD"),
                                ("Cora", "Seattle Public Schools"))}
    volunteer = make_staff("checkin", event=event)
    organizer = make_staff("organizer", event=event)
    token = issue_token(volunteer, "Room doors")
    rooms = [Room(event_id=event.id, name=name, capacity=40)
             for name in ("Room 204", "Room 210", "Hall A")]
    day1 = Slot(event_id=event.id, day=1, starts=time(13, 0), ends=time(14, 15))
    day2 = Slot(event_id=event.id, day=2, starts=time(13, 0), ends=time(14, 0))
    db.session.add_all([*rooms, day1, day2])
    db.session.flush()
    sessions = {
        "A": BreakoutSession(event_id=event.id, title="AI policy drafting",
                             room_id=rooms[0].id, slot_id=day1.id, mode="open"),
        "B": BreakoutSession(event_id=event.id, title="Coaching with AI",
                             room_id=rooms[1].id, slot_id=day1.id, mode="open"),
        "C": BreakoutSession(event_id=event.id, title="Data privacy for leaders",
                             room_id=rooms[0].id, slot_id=day2.id, mode="open"),
    }
    db.session.add_all(sessions.values())
    table = HomeroomTable(event_id=event.id, number=12, seats=8, location="Hall B")
    db.session.add(table)
    db.session.flush()
    for person in people.values():
        db.session.add(Seat(event_id=event.id, table_id=table.id, attendee_id=person.id, day=2))
    save_program_block(event, title="Opening keynote", day=1, starts=time(9),
                       ends=time(10, 30), kind="plenary", room="Hall A")
    save_program_block(event, title="Lunch", day=1, starts=time(12), ends=time(13),
                       kind="meal")
    save_program_block(event, title="Homeroom time", day=2, starts=time(9), ends=time(10),
                       kind="homeroom")
    db.session.commit()
    return {"event": event, **people, "volunteer": volunteer, "organizer": organizer,
            "token": token, "sessions": sessions, "table": table}
