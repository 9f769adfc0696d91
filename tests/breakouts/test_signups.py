"""Sign-up, swap, waitlist, promotion and notices, against the database."""

from sqlalchemy import select

from summit.breakouts import services
from summit.breakouts.models import Enrollment, SessionChangeNotice
from summit.checkin import services as checkin_services
from summit.extensions import db
from summit.jobs import run_pending_jobs


def status_of(attendee, session):
    row = db.session.scalar(select(Enrollment).where(
        Enrollment.attendee_id == attendee.id, Enrollment.session_id == session.id))
    return row.status if row else None


def test_take_a_seat_then_swap_in_one_step(schedule, make_attendee):
    s = schedule
    amy = make_attendee(s.event)
    result = services.sign_up(amy, s.policy)
    db.session.commit()
    assert result.action == "enroll"
    result = services.sign_up(amy, s.privacy)
    db.session.commit()
    assert result.action == "swap"
    assert result.released.id == s.policy.id
    assert status_of(amy, s.policy) == "cancelled"
    assert status_of(amy, s.privacy) == "enrolled"
    # A different slot does not swap anything.
    assert services.sign_up(amy, s.assessment).action == "enroll"
    db.session.commit()
    assert status_of(amy, s.privacy) == "enrolled"
    # Asking again is harmless.
    assert services.sign_up(amy, s.assessment).action == "already"


def test_full_session_waitlist_keeps_the_first_seat_and_promotion_swaps(schedule,
                                                                      make_attendee):
    s = schedule  # policy: Room 101, 2 seats
    a, b, c, d = (make_attendee(s.event) for _ in range(4))
    services.sign_up(a, s.policy)
    services.sign_up(b, s.policy)
    services.sign_up(c, s.privacy)
    services.sign_up(d, s.privacy)
    db.session.commit()
    result = services.sign_up(c, s.policy)
    db.session.commit()
    assert result.action == "waitlist" and result.rank == 1
    assert "You keep your seat in “Data privacy for staff”" in result.message
    assert status_of(c, s.privacy) == "enrolled"  # never lose the first seat
    assert services.sign_up(d, s.policy).rank == 2
    db.session.commit()

    promoted = services.leave(a, s.policy)
    db.session.commit()
    assert [e.attendee_id for e in promoted] == [c.id]
    assert status_of(c, s.policy) == "enrolled"
    assert status_of(c, s.privacy) == "cancelled"  # released in the same transaction
    assert status_of(d, s.policy) == "waitlisted"
    enrolled, waiting = services.counts_for([s.policy.id])[s.policy.id]
    assert (enrolled, waiting) == (2, 1)
    d_row = db.session.scalar(select(Enrollment).where(
        Enrollment.attendee_id == d.id, Enrollment.session_id == s.policy.id))
    assert services.waitlist_rank(d_row) == 1
    notice = db.session.scalar(select(SessionChangeNotice).where(
        SessionChangeNotice.attendee_id == c.id))
    assert notice.kind == "promoted"
    assert "Drafting a district AI policy" in notice.message
    assert "Your seat in “Data privacy for staff” at the same time was released" in notice.message


def test_promotion_release_cascades_to_the_other_waitlist(make_schedule, make_attendee):
    from summit.breakouts.services import SessionData, save_session

    s = make_schedule()
    # privacy becomes a 1-seat session so its own waitlist matters.
    save_session(s.event, SessionData(title=s.privacy.title, room_id=s.big.id,
                                      slot_id=s.morning.id, capacity=1), s.privacy)
    db.session.commit()
    a, b, c, x = (make_attendee(s.event) for _ in range(4))
    services.sign_up(a, s.policy)
    services.sign_up(b, s.policy)      # policy full
    services.sign_up(c, s.privacy)     # privacy full (1 seat)
    services.sign_up(c, s.policy)      # c waits for policy, keeps privacy
    services.sign_up(x, s.privacy)     # x waits for privacy
    db.session.commit()
    services.leave(a, s.policy)
    db.session.commit()
    # c moves into policy, releases privacy, and x gets privacy.
    assert status_of(c, s.policy) == "enrolled"
    assert status_of(c, s.privacy) == "cancelled"
    assert status_of(x, s.privacy) == "enrolled"


def test_leaving_a_waitlist_does_not_promote(schedule, make_attendee):
    s = schedule
    a, b, c = (make_attendee(s.event) for _ in range(3))
    for person in (a, b, c):
        services.sign_up(person, s.policy)
    db.session.commit()
    assert services.leave(c, s.policy) == []
    db.session.commit()
    assert services.counts_for([s.policy.id])[s.policy.id] == (2, 0)


def test_raising_capacity_promotes_the_waiting(schedule, make_attendee):
    s = schedule
    people = [make_attendee(s.event) for _ in range(4)]
    for person in people:
        services.sign_up(person, s.policy)
    db.session.commit()
    services.save_room(s.event, "Room 101", 3, False, s.small)
    db.session.commit()
    assert services.counts_for([s.policy.id])[s.policy.id] == (3, 1)


def test_only_registered_attendees_and_scheduled_signup_sessions(schedule, make_attendee):
    import pytest

    s = schedule
    waiting = make_attendee(s.event, status="waitlisted")
    with pytest.raises(services.BreakoutError):
        services.sign_up(waiting, s.policy)
    open_session = services.save_session(s.event, services.SessionData(
        title="Hallway track", room_id=s.big.id, slot_id=s.late.id, mode="open"))
    db.session.commit()
    with pytest.raises(services.BreakoutError, match="open seating"):
        services.sign_up(make_attendee(s.event), open_session)


def test_moving_a_session_notifies_everyone_signed_up(schedule, make_attendee, app, tmp_path):
    from pathlib import Path

    s = schedule
    a, b, c = (make_attendee(s.event) for _ in range(3))
    for person in (a, b, c):
        services.sign_up(person, s.policy)  # c is waitlisted
    db.session.commit()
    told = services.move_session(s.event, s.policy, s.big.id, s.late.id)
    db.session.commit()
    assert told == 3
    notices = db.session.scalars(select(SessionChangeNotice).where(
        SessionChangeNotice.kind == "moved")).all()
    assert sorted(n.attendee_id for n in notices) == sorted([a.id, b.id, c.id])
    assert "from Room 101, Monday, March 1, 09:00–10:00 to Ballroom A" in notices[0].message
    outbox = Path(app.config["OUTBOX_DIR"])
    assert not list(outbox.glob("*.eml")), "queued in the transaction, sent by the job queue"
    assert run_pending_jobs() == 1
    emails = sorted(outbox.glob("*.eml"))
    assert len(emails) == 3
    text = b"".join(p.read_bytes() for p in emails).decode()
    assert "Moved: Drafting a district AI policy" in text
    assert "Ballroom A" in text and "10:30" in text
    assert "Your seat is kept." in text
    # The bigger room has space: the waitlisted person got in at once.
    assert status_of(c, s.policy) == "enrolled"
    agenda = services.agenda_for(s.event, a)
    assert agenda[0].session.room.name == "Ballroom A"


def test_move_into_a_slot_where_someone_holds_a_seat_is_flagged(schedule, make_attendee):
    s = schedule
    a = make_attendee(s.event)
    services.sign_up(a, s.policy)
    services.sign_up(a, s.assessment)
    db.session.commit()
    services.move_session(s.event, s.policy, s.small.id, s.late.id)
    db.session.commit()
    items = services.agenda_for(s.event, a)
    assert all(i.clash for i in items)
    notice = db.session.scalar(select(SessionChangeNotice))
    assert "please keep one and leave the other" in notice.message


def test_conflicts_follow_the_schedule(schedule, make_attendee):
    s = schedule
    assert services.conflicts_for(s.event) == []
    wheel = make_attendee(s.event, accessibility="Wheelchair user")
    services.sign_up(wheel, s.policy)  # Room 101 is not step-free
    services.save_session(s.event, services.SessionData(
        title="Privacy", room_id=s.small.id, slot_id=s.morning.id, capacity=40,
        facilitators=[("", "dana@example.org")]), s.privacy)
    db.session.commit()
    kinds = sorted(c.kind for c in services.conflicts_for(s.event))
    assert kinds == ["facilitator_clash", "inaccessible", "over_room_capacity",
                     "room_double_booked"]


def test_attendance_stats_and_session_checkin_list(schedule, make_attendee):
    from summit.checkin.models import Checkin

    s = schedule
    a, b, walk_in = (make_attendee(s.event) for _ in range(3))
    services.sign_up(a, s.privacy)
    services.sign_up(b, s.privacy)
    checkin_list = checkin_services.session_list(s.event.id, s.privacy.id, s.privacy.title)
    again = checkin_services.session_list(s.event.id, s.privacy.id, s.privacy.title)
    assert again.id == checkin_list.id  # get-or-create
    assert (checkin_list.kind, checkin_list.session_id) == ("session", s.privacy.id)
    db.session.add_all([Checkin(list_id=checkin_list.id, attendee_id=a.id),
                        Checkin(list_id=checkin_list.id, attendee_id=walk_in.id)])
    db.session.commit()
    stats = services.attendance_stats([s.privacy])[s.privacy.id]
    assert (stats.signed_up, stats.attended, stats.walk_ins, stats.no_shows) == (2, 2, 1, 1)


def test_import_command_is_all_or_nothing(runner, make_event, tmp_path):
    from summit.breakouts.models import BreakoutSession, Room

    make_event(slug="imp")
    good = tmp_path / "good.csv"
    good.write_text(
        "title,description,day,start,end,room,capacity,facilitators,tags\n"
        "Drafting a district AI policy,,1,09:00,10:00,Room 101,25,dana@example.org,Policy\n"
        "Assessment redesign,,2,13:30,14:30,Ballroom,,lee@example.org|kim@example.org,"
        "Assessment;Policy\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text() + "Broken,,9,09:00,10:00,Room 9,,,\n")
    result = runner.invoke(args=["breakouts", "import", "imp", str(bad)])
    assert result.exit_code == 1
    assert "line 4" in result.output and "not one of the event's 3 day(s)" in result.output
    assert db.session.scalar(select(BreakoutSession)) is None
    assert db.session.scalar(select(Room)) is None
    result = runner.invoke(args=["breakouts", "import", "imp", str(good)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 new session(s)" in result.output and "created 2 room(s)" in result.output
    result = runner.invoke(args=["breakouts", "import", "imp", str(good)])
    assert "Imported 0 new session(s) and updated 2" in result.output
    sessions = db.session.scalars(select(BreakoutSession).order_by(BreakoutSession.title)).all()
    assert [s.title for s in sessions] == ["Assessment redesign", "Drafting a district AI policy"]
    assert {f.email for f in sessions[0].facilitators} == {"lee@example.org", "kim@example.org"}
    assert sorted(sessions[0].tag_names) == ["Assessment", "Policy"]
    assert sessions[1].effective_capacity == 25
    listing = runner.invoke(args=["breakouts", "list", "imp"])
    assert "Drafting a district AI policy" in listing.output


def test_release_all_when_a_registration_is_cancelled(schedule, make_attendee):
    s = schedule
    a, b, c = (make_attendee(s.event) for _ in range(3))
    for person in (a, b, c):
        services.sign_up(person, s.policy)
    services.sign_up(a, s.assessment)
    db.session.commit()
    promoted = services.release_all_for(a)
    db.session.commit()
    assert [e.attendee_id for e in promoted] == [c.id]
    assert status_of(a, s.policy) == status_of(a, s.assessment) == "cancelled"
    assert services.agenda_for(s.event, a) == []


def test_deleting_a_session_tells_the_people_signed_up(schedule, make_attendee):
    s = schedule
    a = make_attendee(s.event)
    services.sign_up(a, s.policy)
    db.session.commit()
    services.delete_session(s.event, s.policy)
    db.session.commit()
    notices = services.open_notices(a)
    assert [n.kind for n in notices] == ["cancelled"]
    assert "“Drafting a district AI policy” has been cancelled" in notices[0].message
    assert services.agenda_for(s.event, a) == []
