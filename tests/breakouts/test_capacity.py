"""The pure rules: labels, the one-seat-per-slot decision, promotions, conflicts, CSV parsing."""

from datetime import date, time

import pytest

from summit.breakouts import capacity as rules
from summit.breakouts import csv_io


@pytest.mark.parametrize(("capacity", "taken", "mode", "label"), [
    (120, 0, "signup", None),  # 120 of 120 seats free: nothing to warn about
    (20, 9, "signup", None),
    (20, 10, "signup", "Limited"),  # half taken
    (20, 14, "signup", "Limited"),
    (3, 1, "signup", None),
    (3, 2, "signup", "Limited"),
    (1, 0, "signup", None),
    (1, 1, "signup", "Full"),
    (0, 0, "signup", "Full"),
    (20, 15, "signup", "Filling"),  # 75%
    (20, 19, "signup", "Filling"),
    (20, 20, "signup", "Full"),
    (20, 23, "signup", "Full"),  # organizers may overbook on purpose
    (None, 5, "signup", None),
    (20, 20, "open", None),
])
def test_seat_labels(capacity, taken, mode, label):
    assert rules.seat_label(capacity, taken, mode) == label


def test_seats_left_never_negative():
    assert rules.seats_left(10, 4) == 6
    assert rules.seats_left(10, 12) == 0
    assert rules.seats_left(None, 12) is None


def decide(**kw):
    args = {"mode": "signup", "capacity": 2, "enrolled": 0, "waiting": 0,
            "current_status": None, "held_in_slot": None}
    args.update(kw)
    return rules.decide_signup(**args)


def test_free_seat_is_taken():
    assert decide().action == "enroll"


def test_free_seat_while_holding_another_in_the_slot_swaps():
    decision = decide(held_in_slot=7)
    assert decision.action == "swap"
    assert decision.release_session_id == 7


def test_full_session_waitlists_and_keeps_the_held_seat():
    decision = decide(enrolled=2, held_in_slot=7)
    assert decision.action == "waitlist"
    assert decision.release_session_id is None  # the seat in 7 is kept


def test_people_waiting_go_before_a_newcomer():
    # A seat is free (capacity raised) but someone waits: the newcomer queues behind them.
    assert decide(enrolled=1, waiting=1).action == "waitlist"


def test_repeated_requests_are_idempotent():
    assert decide(current_status="enrolled").action == "already"
    assert decide(current_status="waitlisted", enrolled=2).action == "already_waiting"
    assert decide(current_status="cancelled").action == "enroll"


def test_open_seating_has_no_signup():
    assert decide(mode="open").action == "closed"


def test_unlimited_capacity_always_has_a_seat():
    assert decide(capacity=None, enrolled=500).action == "enroll"


def test_promotions_possible():
    assert rules.promotions_possible(3, 1, 5) == 2
    assert rules.promotions_possible(3, 3, 5) == 0
    assert rules.promotions_possible(3, 4, 5) == 0
    assert rules.promotions_possible(3, 0, 1) == 1
    assert rules.promotions_possible(None, 10, 4) == 4


@pytest.mark.parametrize(("note", "needs"), [
    ("Wheelchair user", True),
    ("I need step-free access please", True),
    ("limited mobility, no stairs", True),
    ("uses a walker", True),
    ("Large print handouts", False),
    ("Hearing loop", False),
    ("", False),
    (None, False),
])
def test_access_rule(note, needs):
    assert rules.needs_access(note) is needs


def _facts():
    rooms = {1: rules.RoomFacts(1, "Ballroom", 30, True),
             2: rules.RoomFacts(2, "Room 101", 10, False)}
    slots = {1: rules.SlotFacts(1, 1, time(9), time(10)),
             2: rules.SlotFacts(2, 1, time(9, 30), time(10, 30)),
             3: rules.SlotFacts(3, 1, time(11), time(12)),
             4: rules.SlotFacts(4, 2, time(9), time(10))}
    return rooms, slots


def test_no_conflicts_in_a_clean_schedule():
    rooms, slots = _facts()
    sessions = [rules.SessionFacts(1, "A", 1, 1, None, ("x@a.org",)),
                rules.SessionFacts(2, "B", 3, 1, 20, ("x@a.org",)),
                rules.SessionFacts(3, "C", 4, 2, None, ("x@a.org",), needs_access_count=0)]
    assert rules.find_conflicts(sessions, rooms, slots) == []


def test_room_booked_twice_including_overlapping_slots():
    rooms, slots = _facts()
    same = [rules.SessionFacts(1, "A", 1, 1, None), rules.SessionFacts(2, "B", 1, 1, None)]
    overlap = [rules.SessionFacts(1, "A", 1, 1, None), rules.SessionFacts(2, "B", 2, 1, None)]
    other_day = [rules.SessionFacts(1, "A", 1, 1, None), rules.SessionFacts(2, "B", 4, 1, None)]
    assert [c.kind for c in rules.find_conflicts(same, rooms, slots)] == ["room_double_booked"]
    assert [c.kind for c in rules.find_conflicts(overlap, rooms, slots)] == [
        "room_double_booked"]
    assert rules.find_conflicts(other_day, rooms, slots) == []


def test_facilitator_in_two_places():
    rooms, slots = _facts()
    sessions = [rules.SessionFacts(1, "A", 1, 1, None, ("dana@x.org", "lee@x.org")),
                rules.SessionFacts(2, "B", 2, 2, None, ("dana@x.org",))]
    conflicts = rules.find_conflicts(sessions, rooms, slots)
    assert [c.kind for c in conflicts] == ["facilitator_clash"]
    assert "dana@x.org" in conflicts[0].message
    assert conflicts[0].session_ids == (1, 2)


def test_capacity_above_room_and_inaccessible_room():
    rooms, slots = _facts()
    sessions = [rules.SessionFacts(1, "A", 1, 2, 12, needs_access_count=2)]
    kinds = sorted(c.kind for c in rules.find_conflicts(sessions, rooms, slots))
    assert kinds == ["inaccessible", "over_room_capacity"]
    # Nobody who needs access signed up: the inaccessible room is fine.
    assert [c.kind for c in rules.find_conflicts(
        [rules.SessionFacts(1, "A", 1, 2, 10)], rooms, slots)] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("09:00", time(9)), ("9:00", time(9)), ("9am", time(9)), ("1:30 PM", time(13, 30)),
    ("13.30", time(13, 30)), ("12pm", time(12)), ("12am", time(0)), ("09:00:00", time(9)),
])
def test_parse_time(text, expected):
    assert csv_io.parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "9:75", "noon", "", "13pm"])
def test_parse_time_rejects(text):
    with pytest.raises(ValueError):
        csv_io.parse_time(text)


def test_parse_day_accepts_numbers_and_dates():
    start = date(2027, 3, 1)
    assert csv_io.parse_day("1", start, 3) == 1
    assert csv_io.parse_day("Day 2", start, 3) == 2
    assert csv_io.parse_day("2027-03-03", start, 3) == 3
    assert csv_io.parse_day("3/2/2027", start, 3) == 2
    assert csv_io.parse_day("March 2, 2027", start, 3) == 2
    for bad in ("4", "0", "2027-03-09", "tomorrow"):
        with pytest.raises(ValueError):
            csv_io.parse_day(bad, start, 3)


CSV = (
    "title,description,day,start,end,room,capacity,facilitators,tags\n"
    "Drafting a district AI policy,Bring your board policy,1,09:00,10:00,Room 101,25,"
    "dana@example.org; Lee Park <lee@example.org>,Policy|Leadership\n"
    "Assessment redesign,,2027-03-02,1:30 PM,2:30 PM,Ballroom,,,Assessment\n"
)


def test_parse_sessions_clean_file():
    result = csv_io.parse_sessions(CSV.encode("utf-8-sig"), date(2027, 3, 1), 3)
    assert result.ok, result.errors
    first, second = result.rows
    assert first.facilitators == (("", "dana@example.org"), ("Lee Park", "lee@example.org"))
    assert first.tags == ("Policy", "Leadership")
    assert first.capacity == 25
    assert (second.day, second.start, second.end) == (2, time(13, 30), time(14, 30))
    assert second.capacity is None


def test_parse_sessions_reports_every_bad_row_and_keeps_nothing():
    bad = CSV + (
        ",,1,09:00,10:00,Room 1,,,\n"
        "Late,,7,09:00,08:00,Room 1,lots,not-an-email,\n"
    )
    result = csv_io.parse_sessions(bad, date(2027, 3, 1), 3)
    assert not result.ok
    assert len(result.rows) == 2  # the good rows, but callers import only when ok
    lines = dict(result.errors)
    assert "title is empty" in lines[4]
    assert "not one of the event's 3 day(s)" in lines[5]
    assert "end is not after start" in lines[5]
    assert "capacity" in lines[5] and "facilitator" in lines[5]


def test_parse_sessions_missing_columns():
    result = csv_io.parse_sessions("title,room\nA,B\n", date(2027, 3, 1), 1)
    assert result.errors and "Missing column(s): day, start, end" in result.errors[0][1]
