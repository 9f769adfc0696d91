"""Homeroom tables and breakout sessions are audiences for messages and announcements."""

from datetime import time

from summit.extensions import db
from summit.messages.segments import get_kind, resolve


def test_table_and_session_segments(app, make_event, make_attendee):
    from summit.breakouts.models import BreakoutSession, Enrollment, Room, Slot
    from summit.homerooms.models import HomeroomTable, Seat

    event = make_event()
    amber, ben = make_attendee(event), make_attendee(event)
    table = HomeroomTable(event_id=event.id, number=12, seats=8, location="Hall B")
    room = Room(event_id=event.id, name="Room 101", capacity=20)
    slot = Slot(event_id=event.id, day=1, starts=time(10), ends=time(11))
    db.session.add_all([table, room, slot])
    db.session.flush()
    session = BreakoutSession(event_id=event.id, title="AI policy", room_id=room.id,
                              slot_id=slot.id, capacity=20)
    db.session.add(session)
    db.session.flush()
    db.session.add_all([Seat(event_id=event.id, table_id=table.id, attendee_id=amber.id, day=1),
                        Enrollment(session_id=session.id, attendee_id=ben.id)])
    db.session.commit()

    assert (str(table.id), "Table 12 (Hall B)") in get_kind("table").options(event)
    assert resolve(event, "table", str(table.id)) == [amber.id]
    assert get_kind("table").keys_for_attendee(event, amber) == {str(table.id)}
    assert resolve(event, "session", str(session.id)) == [ben.id]
    assert "AI policy" in get_kind("session").options(event)[0][1]
    assert get_kind("session").keys_for_attendee(event, ben) == {str(session.id)}
    assert resolve(event, "table", "not-a-number") == []
