"""Homeroom services: building the engine problem from the database, saving, re-balancing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from summit.extensions import db
from summit.homerooms import services
from summit.homerooms.models import HomeroomTable, Seat, needs_accessible_from_note
from summit.homerooms.services import HomeroomError
from summit.registration.models import Attendee


def seats_by_day(event) -> dict[int, dict[int, int]]:
    out: dict[int, dict[int, int]] = {}
    for seat in db.session.scalars(select(Seat).where(Seat.event_id == event.id)):
        out.setdefault(seat.day, {})[seat.attendee_id] = seat.table_id
    return out


def registered_ids(event) -> set[int]:
    return set(db.session.scalars(select(Attendee.id).where(
        Attendee.event_id == event.id, Attendee.status == "registered")))


@pytest.mark.parametrize("note, needs", [
    ("I use a wheelchair", True), ("Wheel-chair user", True), ("step-free access please", True),
    ("limited mobility", True), ("walker", True), ("vegetarian", False), ("", False),
    ("arcane requests", False), ("large print handouts", False),
])
def test_accessibility_inference_rule(note, needs):
    assert needs_accessible_from_note(note) is needs


def test_problem_from_the_database(app, summit_world, make_attendee):
    event, people, _ = summit_world()
    make_attendee(event, email="wait@example.org", status="waitlisted")
    make_attendee(event, email="gone@example.org", status="cancelled")
    chair = make_attendee(event, email="chair@example.org", organization="Austin ISD", state="TX",
                          accessibility="Uses a wheelchair")
    override = make_attendee(event, email="override@example.org", accessibility="wheelchair")
    services.set_needs_accessible(event, override, False)
    tables = services.tables_of(event)
    tables[0].accessible = True
    tables[1].facilitator_attendee_id = people[3].id
    db.session.add(Seat(event_id=event.id, table_id=tables[2].id, attendee_id=people[5].id,
                        day=2, pinned=True))
    assert services.save_rules(event, f"{people[0].email}, {people[1].email}",
                               f"{people[2].email} {people[4].email}") == []
    db.session.commit()

    built = services.build_problem(event)
    problem = built.problem
    ids = {int(p.id) for p in problem.people}
    assert ids == {a.id for a in people} | {chair.id, override.id}  # registered only
    person = {int(p.id): p for p in problem.people}
    assert person[people[0].id].district == "Knox County Schools"
    assert person[people[0].id].state == "TN"
    assert person[people[0].id].role == "Principal"
    assert person[chair.id].needs_accessible is True
    assert person[override.id].needs_accessible is False  # the organizer's setting wins
    assert problem.days == 3
    engine_tables = {int(t.id): t for t in problem.tables}
    assert engine_tables[tables[0].id].accessible is True
    assert engine_tables[tables[1].id].facilitator_id == people[3].id
    assert {(int(k), d): int(t) for (k, d), t in problem.pins.items()} == {
        (people[5].id, 2): tables[2].id}
    assert [sorted(map(int, g)) for g in problem.keep_together] == [
        sorted([people[0].id, people[1].id])]
    assert [tuple(map(int, p)) for p in problem.keep_apart] == [(people[2].id, people[4].id)]
    # Engine messages name people and tables, not database ids.
    assert str(problem.people[0].id) == "Ana00 Ruiz00"
    assert f"{problem.tables[0].id!r}" == "Table 1"


def test_assign_seats_everyone_once_per_day_within_capacity(app, summit_world):
    event, people, _ = summit_world()
    result = services.assign(event, seed=7)
    assert result.days == [1, 2, 3]
    assert result.report.hard_violations == []
    seats = seats_by_day(event)
    capacity = {t.id: t.seats for t in services.tables_of(event)}
    for day in (1, 2, 3):
        assert set(seats[day]) == {a.id for a in people}
        for table_id, cap in capacity.items():
            assert sum(1 for t in seats[day].values() if t == table_id) <= cap
    lines = result.summary_lines()
    assert len(lines) == 3 and lines[0].startswith("Day 1: district pairs ")
    assert "(bound " in lines[0] and "repeats" in lines[0]
    rules = services.rules_for(event)
    assert rules.seed == 7 and rules.last_run_seconds is not None


def test_same_seed_same_seating(app, summit_world):
    event, _, _ = summit_world()
    services.assign(event, seed=3)
    first = seats_by_day(event)
    services.assign(event, seed=3)
    assert seats_by_day(event) == first


def test_rebalance_seats_walk_ins_frees_cancelled_and_keeps_everyone_else(
        app, summit_world, make_attendee):
    from summit.registration.services import cancel

    event, people, _ = summit_world()
    services.assign(event, seed=1)
    before = seats_by_day(event)
    cancel(people[0])
    walk_in = make_attendee(event, email="walkin@example.org", organization="Mesa Public Schools",
                            state="AZ", first_name="Walk", last_name="In")
    db.session.commit()
    result = services.rebalance_event(event)
    after = seats_by_day(event)
    for day in (1, 2, 3):
        assert walk_in.id in after[day]
        assert people[0].id not in after[day]
        for a in people[1:]:
            assert after[day][a.id] == before[day][a.id], "a seated person was moved"
    assert result.moved == 6  # three new seats and three freed


def test_rebalance_from_a_later_day_leaves_earlier_days(app, summit_world, make_attendee):
    event, people, _ = summit_world()
    services.assign(event, seed=1)
    before = seats_by_day(event)
    walk_in = make_attendee(event, email="late@example.org", organization="Mesa", state="AZ")
    db.session.commit()
    services.rebalance_event(event, from_day=2)
    after = seats_by_day(event)
    assert after[1] == before[1]
    assert walk_in.id in after[2] and walk_in.id in after[3]


def test_no_shows_are_left_out_from_the_chosen_day(app, summit_world):
    from summit.checkin.models import Checkin, CheckinList

    event, people, _ = summit_world()
    services.assign(event, seed=1)
    with pytest.raises(HomeroomError, match="Nobody is checked in"):
        services.rebalance_event(event, from_day=2, drop_no_shows=True)
    entrance = db.session.scalar(select(CheckinList).where(
        CheckinList.event_id == event.id, CheckinList.kind == "entrance"))
    for a in people[1:]:
        db.session.add(Checkin(list_id=entrance.id, attendee_id=a.id))
    db.session.commit()
    assert services.no_show_ids(event) == {people[0].id}
    services.rebalance_event(event, from_day=2, drop_no_shows=True)
    after = seats_by_day(event)
    assert people[0].id in after[1]  # day 1 already happened
    assert people[0].id not in after[2] and people[0].id not in after[3]


def test_pins_and_locks_survive_a_full_re_run(app, summit_world):
    event, people, _ = summit_world()
    services.assign(event, seed=1)
    tables = services.tables_of(event)
    pinned = db.session.scalar(select(Seat).where(Seat.attendee_id == people[0].id, Seat.day == 2))
    services.move_seat(event, people[0].id, 2, tables[5].id if pinned.table_id != tables[5].id
                       else tables[4].id)
    db.session.commit()
    services.toggle_pin(event, people[0].id, 2)
    locked = db.session.scalar(select(Seat).where(Seat.attendee_id == people[1].id, Seat.day == 1))
    locked.locked = True
    db.session.commit()
    pin_table = seats_by_day(event)[2][people[0].id]
    lock_table = locked.table_id
    for seed in (2, 3):
        result = services.assign(event, seed=seed)
        assert result.report.hard_violations == []
        seats = seats_by_day(event)
        assert seats[2][people[0].id] == pin_table
        assert seats[1][people[1].id] == lock_table
    seat = db.session.scalar(select(Seat).where(Seat.attendee_id == people[0].id, Seat.day == 2))
    assert seat.pinned and seat.locked  # flags survive the save


def test_locked_table_and_other_days_stay_when_one_day_is_re_run(app, summit_world):
    event, _, _ = summit_world()
    services.assign(event, seed=1)
    table = services.tables_of(event)[0]
    assert services.toggle_table_lock(event, table, 2) is True
    db.session.commit()
    before = seats_by_day(event)
    services.assign(event, seed=99, only_day=2)
    after = seats_by_day(event)
    assert after[1] == before[1] and after[3] == before[3]
    members = lambda seats: {a for a, t in seats[2].items() if t == table.id}  # noqa: E731
    assert members(after) == members(before)


def test_facilitator_and_accessibility_are_hard_rules(app, summit_world, make_attendee):
    event, people, _ = summit_world()
    tables = services.tables_of(event)
    tables[2].accessible = True
    tables[4].facilitator_attendee_id = people[7].id
    chair = make_attendee(event, email="chair@example.org", accessibility="wheelchair user")
    db.session.commit()
    services.assign(event, seed=5)
    seats = seats_by_day(event)
    for day in (1, 2, 3):
        assert seats[day][people[7].id] == tables[4].id
        assert seats[day][chair.id] == tables[2].id
    # A hand move cannot break them either.
    with pytest.raises(HomeroomError, match="facilitates Table 5"):
        services.move_seat(event, people[7].id, 1, tables[0].id)
    with pytest.raises(HomeroomError, match="needs a wheelchair-accessible table"):
        services.move_seat(event, chair.id, 1, tables[0].id)


def test_move_refuses_a_full_or_locked_table_and_locks_the_moved_seat(app, summit_world):
    event, people, _ = summit_world(people=10, tables=2, seats=5)
    services.assign(event, seed=1)
    seats = seats_by_day(event)
    a, b = services.tables_of(event)
    person = next(p for p, t in seats[1].items() if t == a.id)
    with pytest.raises(HomeroomError, match="is full"):
        services.move_seat(event, person, 1, b.id)
    db.session.rollback()
    someone_at_b = next(p for p, t in seats[1].items() if t == b.id)
    services.move_seat(event, someone_at_b, 1, None)  # to the "not seated" tray
    assert db.session.scalar(select(Seat).where(Seat.attendee_id == someone_at_b,
                                                Seat.day == 1)) is None
    services.move_seat(event, person, 1, b.id)
    db.session.commit()
    seat = db.session.scalar(select(Seat).where(Seat.attendee_id == person, Seat.day == 1))
    assert seat.table_id == b.id and seat.locked
    services.toggle_table_lock(event, a, 1)
    db.session.commit()
    with pytest.raises(HomeroomError, match="locked"):
        services.move_seat(event, person, 1, a.id)


def test_assign_explains_what_is_missing(app, make_event, make_attendee):
    event = make_event("empty", days=2)
    with pytest.raises(HomeroomError, match="no tables"):
        services.assign(event)
    services.create_tables(event, 1, 2)
    db.session.commit()
    with pytest.raises(HomeroomError, match="Nobody is registered"):
        services.assign(event)
    for i in range(3):
        make_attendee(event, email=f"p{i}@example.org")
    with pytest.raises(HomeroomError, match="3 registered attendees but only 2 seats"):
        services.assign(event)
    with pytest.raises(HomeroomError, match="2 day"):
        services.assign(event, days=5)


def test_rules_refuse_unknown_addresses(app, summit_world):
    event, people, _ = summit_world()
    problems = services.save_rules(event, f"{people[0].email} nobody@example.org",
                                   f"{people[1].email}")
    assert any("nobody@example.org" in p for p in problems)
    assert any("two addresses" in p for p in problems)
    assert services.rules_for(event) is None


def test_homeroom_labels_reach_other_capabilities_through_the_registry(app, summit_world,
                                                                       make_attendee):
    from summit.panels import attendee_labels
    from summit.registration.services import cancel

    def homeroom_labels(event, ids, day):
        return attendee_labels("homeroom", event, ids, day)

    event, people, _ = summit_world()
    tables = services.tables_of(event)
    tables[0].location = "Hall B"
    db.session.commit()
    services.assign(event, seed=1)
    seats = seats_by_day(event)
    labels = homeroom_labels(event, [a.id for a in people], day=2)
    assert set(labels) == {a.id for a in people}
    first = next(a for a, t in seats[2].items() if t == tables[0].id)
    assert labels[first] == "Table 1 (Hall B)"
    other = next(a for a, t in seats[2].items() if t == tables[3].id)
    assert labels[other] == "Table 4"
    cancel(db.session.get(Attendee, first))
    db.session.commit()
    assert first not in homeroom_labels(event, [first], day=2)


def test_registration_export_carries_the_day_one_table(app, summit_world):
    from summit.admin.exports import export_rows

    event, people, _ = summit_world()
    services.assign(event, seed=1)
    rows = {r["email"]: r for r in export_rows(event, "http://summit.test")}
    assert rows[people[0].email]["homeroom"].startswith("Table ")


def test_create_tables_numbers_after_existing(app, make_event):
    event = make_event("numbers")
    services.create_tables(event, 3, 8)
    made = services.create_tables(event, 2, 10, location="Hall C", accessible_every=2)
    db.session.commit()
    assert [t.number for t in made] == [4, 5]
    assert [t.accessible for t in made] == [True, False]
    assert db.session.scalar(select(HomeroomTable).where(HomeroomTable.number == 5)).seats == 10
    with pytest.raises(HomeroomError):
        services.create_tables(event, 2, 1)
