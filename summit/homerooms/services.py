"""Homerooms between the database and the pure engine.

- ``create_tables``: bulk "60 tables of 8".
- ``build_problem``: registered attendees, tables, pins, locks, facilitators, accessibility and
  the keep-together/keep-apart rules of an event, as an engine ``Problem`` plus what is needed to
  save the answer.
- ``assign`` (every day, or one day keeping everything else), ``rebalance_event`` (walk-ins,
  cancellations, no-shows: moves as few people as possible) and ``move_seat`` (a hand move).
  Each saves in one transaction; pins, locked seats and locked tables never move.
- ``table_labels_for``: what other capabilities show (through ``api`` and the labels registry),
  attendee lists, My summit and the check-in desk.

Flask-free except for what the database session needs; the views stay thin.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import delete, func, insert, select, update

from summit import audit
from summit.database import lock_for_update, utcnow
from summit.events.models import Event
from summit.extensions import db
from summit.registration.api import Attendee

from .engine import (
    InfeasibleError,
    Person,
    Problem,
    Seating,
    Table,
    quality_report,
    rebalance,
    solve,
)
from .models import (
    AccessibilityNeed,
    HomeroomDay,
    HomeroomRules,
    HomeroomTable,
    Seat,
    TableLock,
    needs_accessible_from_note,
)
from .report import QualityReport

EXPORT_COLUMNS = ("day", "table", "email", "first_name", "last_name", "organization", "state",
                  "role")
MAX_TABLES = 1000
MAX_SEATS = 30


class HomeroomError(ValueError):
    """A request the seating rules refuse; the message is shown to the organizer."""


class AttendeeKey(int):
    """An attendee id that prints as the person's name, so engine messages read naturally."""

    label: str

    def __new__(cls, value: int, label: str = ""):
        obj = super().__new__(cls, value)
        obj.label = label or str(value)
        return obj

    def __str__(self) -> str:
        return self.label

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return format(self.label, spec)

    def __reduce__(self):
        return (type(self), (int(self), self.label))


class TableKey(AttendeeKey):
    """A table id that prints as "Table 12"."""


# --- tables ----------------------------------------------------------------------------------


def tables_of(event: Event) -> list[HomeroomTable]:
    return list(db.session.scalars(
        select(HomeroomTable).where(HomeroomTable.event_id == event.id)
        .order_by(HomeroomTable.number)
    ))


def create_tables(event: Event, count: int, seats: int, *, location: str = "",
                  accessible_every: int = 0) -> list[HomeroomTable]:
    """Add ``count`` tables of ``seats`` numbered after the existing ones (caller commits).

    ``accessible_every``: mark every n-th new table wheelchair-accessible (0: none).
    """
    if not 1 <= count <= MAX_TABLES:
        raise HomeroomError(f"Create between 1 and {MAX_TABLES} tables at a time.")
    if not 2 <= seats <= MAX_SEATS:
        raise HomeroomError(f"A table seats between 2 and {MAX_SEATS} people.")
    existing = db.session.scalar(
        select(func.count()).select_from(HomeroomTable).where(HomeroomTable.event_id == event.id)
    ) or 0
    if existing + count > MAX_TABLES:
        raise HomeroomError(f"An event can have at most {MAX_TABLES} tables.")
    start = (db.session.scalar(
        select(func.max(HomeroomTable.number)).where(HomeroomTable.event_id == event.id)
    ) or 0) + 1
    made = []
    for i in range(count):
        table = HomeroomTable(
            event_id=event.id, number=start + i, seats=seats, location=location.strip(),
            accessible=bool(accessible_every) and (i % accessible_every == 0),
        )
        db.session.add(table)
        made.append(table)
    db.session.flush()
    audit.record("homerooms.tables_created", event_id=event.id,
                 after={"count": count, "seats": seats, "first": start})
    event.bump()
    return made


def update_table(event: Event, table: HomeroomTable, *, number: int, name: str, seats: int,
                 location: str, accessible: bool, facilitator_user_id: int | None,
                 facilitator_email: str) -> None:
    """Change a table's details (caller commits)."""
    if not 2 <= seats <= MAX_SEATS:
        raise HomeroomError(f"A table seats between 2 and {MAX_SEATS} people.")
    if number < 1:
        raise HomeroomError("Table numbers start at 1.")
    clash = db.session.scalar(select(HomeroomTable.id).where(
        HomeroomTable.event_id == event.id, HomeroomTable.number == number,
        HomeroomTable.id != table.id))
    if clash:
        raise HomeroomError(f"Another table already has number {number}.")
    facilitator_attendee_id = None
    email = facilitator_email.strip().lower()
    if email:
        person = db.session.scalar(select(Attendee).where(
            Attendee.event_id == event.id, func.lower(Attendee.email) == email,
            Attendee.status != "cancelled"))
        if person is None or person.status != "registered":
            raise HomeroomError(f"No registered attendee has the address {email}.")
        other = db.session.scalar(select(HomeroomTable).where(
            HomeroomTable.event_id == event.id,
            HomeroomTable.facilitator_attendee_id == person.id, HomeroomTable.id != table.id))
        if other is not None:
            raise HomeroomError(f"{person.full_name} already facilitates {other.label}.")
        facilitator_attendee_id = person.id
    if facilitator_user_id is not None:
        from summit.auth.models import StaffUser

        user = db.session.get(StaffUser, facilitator_user_id)
        if user is None or not user.has_role(event.id, "facilitator"):
            raise HomeroomError("Choose a staff member with the facilitator role.")
    before = _table_snapshot(table)
    table.number, table.name, table.seats = number, name.strip(), seats
    table.location, table.accessible = location.strip(), accessible
    table.facilitator_user_id = facilitator_user_id
    table.facilitator_attendee_id = facilitator_attendee_id
    old, new = audit.diff(before, _table_snapshot(table))
    if new:
        audit.record("homerooms.table_updated", event_id=event.id, target=table, before=old,
                     after=new)
        event.bump()


def _table_snapshot(table: HomeroomTable) -> dict:
    return {"number": table.number, "name": table.name, "seats": table.seats,
            "location": table.location, "accessible": table.accessible,
            "facilitator_user_id": table.facilitator_user_id,
            "facilitator_attendee_id": table.facilitator_attendee_id}


def delete_table(event: Event, table: HomeroomTable) -> None:
    seated = db.session.scalar(select(func.count()).select_from(Seat).where(
        Seat.table_id == table.id)) or 0
    audit.record("homerooms.table_deleted", event_id=event.id, target=table,
                 before={"number": table.number, "seated": seated})
    db.session.execute(delete(Seat).where(Seat.table_id == table.id))
    db.session.execute(delete(TableLock).where(TableLock.table_id == table.id))
    db.session.delete(table)
    event.bump()


# --- rules -----------------------------------------------------------------------------------


def rules_for(event: Event, *, create: bool = False) -> HomeroomRules | None:
    rules = db.session.scalar(select(HomeroomRules).where(HomeroomRules.event_id == event.id))
    if rules is None and create:
        rules = HomeroomRules(event_id=event.id, keep_together=[], keep_apart=[], seed=0)
        db.session.add(rules)
        db.session.flush()
    return rules


EMAIL_SPLIT = re.compile(r"[\s,;]+")


def parse_groups(text: str) -> list[list[str]]:
    """One group per line; addresses separated by commas, semicolons or spaces."""
    groups = []
    for line in text.splitlines():
        emails = [e.strip().lower() for e in EMAIL_SPLIT.split(line) if e.strip()]
        unique = list(dict.fromkeys(emails))
        if unique:
            groups.append(unique)
    return groups


def save_rules(event: Event, together_text: str, apart_text: str) -> list[str]:
    """Store keep-together groups and keep-apart pairs; returns problems to show (caller commits).

    Unknown addresses are refused so a typo never silently drops a rule.
    """
    together = parse_groups(together_text)
    apart = parse_groups(apart_text)
    problems = []
    for line in apart:
        if len(line) != 2:
            problems.append(f"Keep apart takes two addresses per line: {' '.join(line)}")
    for line in together:
        if len(line) < 2:
            problems.append(f"A keep-together group needs two or more addresses: {line[0]}")
    known = {e.lower() for e in db.session.scalars(select(Attendee.email).where(
        Attendee.event_id == event.id, Attendee.status == "registered"))}
    unknown = sorted({e for line in together + apart for e in line} - known)
    if unknown:
        problems.append("Not registered for this event: " + ", ".join(unknown))
    if problems:
        return problems
    rules = rules_for(event, create=True)
    before = {"keep_together": rules.keep_together, "keep_apart": rules.keep_apart}
    rules.keep_together, rules.keep_apart = together, apart
    audit.record("homerooms.rules_updated", event_id=event.id, before=before,
                 after={"keep_together": together, "keep_apart": apart})
    event.bump()
    return []


def accessibility_overrides(event: Event) -> dict[int, bool]:
    rows = db.session.execute(
        select(AccessibilityNeed.attendee_id, AccessibilityNeed.needs_accessible_table)
        .join(Attendee, Attendee.id == AccessibilityNeed.attendee_id)
        .where(Attendee.event_id == event.id)
    )
    return {aid: needs for aid, needs in rows}


def needs_accessible(attendee: Attendee, overrides: dict[int, bool]) -> bool:
    """The organizer's setting if there is one, else inferred from the accessibility note."""
    if attendee.id in overrides:
        return overrides[attendee.id]
    return needs_accessible_from_note(attendee.accessibility)


def set_needs_accessible(event: Event, attendee: Attendee, needs: bool) -> None:
    row = db.session.scalar(select(AccessibilityNeed).where(
        AccessibilityNeed.attendee_id == attendee.id))
    if row is None:
        row = AccessibilityNeed(attendee_id=attendee.id)
        db.session.add(row)
    row.needs_accessible_table = needs
    audit.record("homerooms.accessibility_set", event_id=event.id, target=attendee,
                 after={"needs_accessible_table": needs})
    event.bump()


# Other capabilities that set the day's prompt (action plans turns topics into prompts), in
# ``init_app``: ``source(event, day)`` gives the prompt, or "" when it has none for that day.
_PROMPT_SOURCES: list[Callable[[Event, int], str]] = []


def use_prompts_from(source: Callable[[Event, int], str]) -> None:
    """Let ``source`` set the day's prompt; it takes precedence over the board's own."""
    if source not in _PROMPT_SOURCES:
        _PROMPT_SOURCES.append(source)


def prompts_come_from_elsewhere() -> bool:
    return bool(_PROMPT_SOURCES)


def discussion_prompt(event: Event, day: int) -> str:
    """The day's prompt: one set elsewhere (a topic turned into a prompt) if there is one,
    else the seating board's own."""
    for source in _PROMPT_SOURCES:
        text = source(event, day)
        if text:
            return text
    own = db.session.scalar(select(HomeroomDay).where(
        HomeroomDay.event_id == event.id, HomeroomDay.day == day))
    return own.prompt if own else ""


def set_prompt(event: Event, day: int, text: str) -> None:
    row = db.session.scalar(select(HomeroomDay).where(
        HomeroomDay.event_id == event.id, HomeroomDay.day == day))
    if row is None:
        row = HomeroomDay(event_id=event.id, day=day)
        db.session.add(row)
    row.prompt = text.strip()
    audit.record("homerooms.prompt_set", event_id=event.id, after={"day": day})


# --- the problem -----------------------------------------------------------------------------


class SeatRow(NamedTuple):
    id: int
    attendee_id: int
    day: int
    table_id: int
    pinned: bool
    locked: bool


@dataclass
class Built:
    """An engine problem built from the database, with what saving the answer needs."""

    problem: Problem
    attendees: dict[int, Attendee]
    tables: dict[int, HomeroomTable]
    keys: dict[int, AttendeeKey]
    table_keys: dict[int, TableKey]
    seats: dict[tuple[int, int], SeatRow]  # (attendee_id, day) -> every seat of the event
    current: Seating  # registered attendees' seats for days 1..problem.days
    locked_seats: set[tuple[AttendeeKey, int]]
    locked_tables: set[tuple[TableKey, int]]
    needs_access: set[int]
    notes: list[str] = field(default_factory=list)


def district_labels(attendees: list[Attendee]) -> dict[int, str]:
    """Organization name per attendee; the state is added only where two share a name."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for a in attendees:
        if a.organization is not None:
            by_name[a.organization.name].add(a.organization.state)
    labels = {}
    for a in attendees:
        org = a.organization
        if org is None:
            labels[a.id] = f"{a.full_name} (no district)"
        elif len(by_name[org.name]) > 1:
            labels[a.id] = f"{org.name} ({org.state})"
        else:
            labels[a.id] = org.name
    return labels


def registered_attendees(event: Event) -> list[Attendee]:
    from sqlalchemy.orm import joinedload, load_only

    return list(db.session.scalars(
        select(Attendee).options(
            load_only(Attendee.id, Attendee.event_id, Attendee.organization_id,
                      Attendee.first_name, Attendee.last_name, Attendee.email, Attendee.role,
                      Attendee.accessibility, Attendee.share_contact, Attendee.status),
            joinedload(Attendee.organization))
        .where(Attendee.event_id == event.id, Attendee.status == "registered")
        .order_by(Attendee.id)
    ))


def build_problem(event: Event, *, days: int | None = None, seed: int | None = None,
                  exclude: set[int] = frozenset()) -> Built:
    days = days or max(event.days, 1)
    rules = rules_for(event)
    if seed is None:
        seed = rules.seed if rules else 0
    attendees = [a for a in registered_attendees(event) if a.id not in exclude]
    by_id = {a.id: a for a in attendees}
    districts = district_labels(attendees)
    overrides = accessibility_overrides(event)
    keys = {a.id: AttendeeKey(a.id, a.full_name or a.email) for a in attendees}
    needs_access = {a.id for a in attendees if needs_accessible(a, overrides)}
    people = [
        Person(id=keys[a.id], district=districts[a.id],
               state=(a.state or f"(no state) {a.full_name}"), role=a.role or "",
               needs_accessible=a.id in needs_access)
        for a in attendees
    ]
    tables = tables_of(event)
    table_by_id = {t.id: t for t in tables}
    table_keys = {t.id: TableKey(t.id, t.label) for t in tables}
    engine_tables = [
        Table(id=table_keys[t.id], capacity=t.seats, accessible=t.accessible,
              facilitator_id=keys.get(t.facilitator_attendee_id))
        for t in tables
    ]
    seats = {(row.attendee_id, row.day): SeatRow(*row) for row in db.session.execute(
        select(Seat.id, Seat.attendee_id, Seat.day, Seat.table_id, Seat.pinned, Seat.locked)
        .where(Seat.event_id == event.id))}
    pins = {}
    locked_seats = set()
    current: Seating = {d: {table_keys[t.id]: [] for t in tables} for d in range(1, days + 1)}
    for (aid, day), seat in sorted(seats.items()):
        if aid not in keys or day > days or seat.table_id not in table_keys:
            continue
        key, tkey = keys[aid], table_keys[seat.table_id]
        current[day][tkey].append(key)
        if seat.pinned:
            pins[(key, day)] = tkey
        if seat.locked:
            locked_seats.add((key, day))
    locked_tables = {
        (table_keys[tid], day) for tid, day in db.session.execute(
            select(TableLock.table_id, TableLock.day).where(TableLock.event_id == event.id))
        if tid in table_keys and day <= days
    }
    email_key = {a.email.lower(): keys[a.id] for a in attendees}
    notes = []
    together = []
    apart = []
    for group in (rules.keep_together if rules else []):
        members = [email_key[e] for e in group if e in email_key]
        if len(members) >= 2:
            together.append(members)
        if len(members) < len(group):
            notes.append("A keep-together group names someone no longer registered.")
    for pair in (rules.keep_apart if rules else []):
        if len(pair) == 2 and all(e in email_key for e in pair):
            apart.append((email_key[pair[0]], email_key[pair[1]]))
    problem = Problem(people=people, tables=engine_tables, days=days, pins=pins,
                      keep_together=together, keep_apart=apart, seed=seed)
    return Built(problem=problem, attendees=by_id, tables=table_by_id, keys=keys,
                 table_keys=table_keys, seats=seats, current=current, locked_seats=locked_seats,
                 locked_tables=locked_tables, needs_access=needs_access, notes=notes)


def has_seats(event: Event, days: range | None = None) -> bool:
    query = select(Seat.id).where(Seat.event_id == event.id)
    if days is not None:
        query = query.where(Seat.day.in_(list(days)))
    return db.session.scalar(query.limit(1)) is not None


# --- running the engine ----------------------------------------------------------------------


@dataclass
class RunResult:
    seconds: float
    days: list[int]
    report: QualityReport
    moved: int  # seats that changed table, were added or removed
    notes: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        """Per day: district and state pairs against their bounds, repeats, size spread."""
        lines = []
        for d in self.report.days:
            if d.day not in self.days:
                continue
            lines.append(
                f"Day {d.day}: district pairs {d.district_pairs} (bound {d.district_bound}), "
                f"state pairs {d.state_pairs} (bound {d.state_bound}), "
                f"repeats {d.repeated_pairs}, table sizes {d.min_size}-{d.max_size} "
                f"(spread {d.size_spread})"
            )
        return lines


def _engine_options(fn) -> dict:
    """Search budget from the app config (``HOMEROOMS_ANNEAL_ITERATIONS``,
    ``HOMEROOMS_TIME_LIMIT`` seconds), passed only if the engine accepts it."""
    import inspect

    from flask import current_app, has_app_context

    if not has_app_context():
        return {}
    wanted = {
        "anneal_iterations": current_app.config.get("HOMEROOMS_ANNEAL_ITERATIONS"),
        "time_limit": current_app.config.get("HOMEROOMS_TIME_LIMIT", 30.0),
    }
    accepted = inspect.signature(fn).parameters
    return {k: v for k, v in wanted.items() if v is not None and k in accepted}


def _check_ready(built: Built) -> None:
    if not built.tables:
        raise HomeroomError("There are no tables yet: create tables first.")
    if not built.attendees:
        raise HomeroomError("Nobody is registered yet.")
    seats = sum(t.seats for t in built.tables.values())
    if seats < len(built.attendees):
        raise HomeroomError(
            f"{len(built.attendees)} registered attendees but only {seats} seats: "
            "add tables or seats.")


def _lock_run(event: Event) -> HomeroomRules:
    rules = rules_for(event, create=True)
    return lock_for_update(db.session, HomeroomRules, rules.id)


def assign(event: Event, *, days: int | None = None, seed: int | None = None,
           only_day: int | None = None) -> RunResult:
    """Seat everyone, keeping pins, locked seats and locked tables; commits.

    With ``only_day``, every other day stays exactly as it is and that day is seated again
    (avoiding pairs who already share a table on another day).
    """
    total_days = max(event.days, 1)
    days = days or total_days
    if not 1 <= days <= total_days:
        raise HomeroomError(f"This event has {total_days} day(s).")
    if only_day is not None and not 1 <= only_day <= total_days:
        raise HomeroomError(f"There is no day {only_day}.")
    rules = _lock_run(event)
    if seed is not None:
        rules.seed = seed
    if only_day is not None:
        days = total_days
    built = build_problem(event, days=days, seed=rules.seed)
    _check_ready(built)
    started = time.perf_counter()
    try:
        if only_day is not None:
            keep = set(built.locked_seats)
            for day, by_table in built.current.items():
                if day != only_day:
                    keep.update((p, day) for members in by_table.values() for p in members)
            seating = rebalance(built.problem, built.current, reseat_all=True,
                                locked_seats=keep,
                                locked_tables={lt for lt in built.locked_tables
                                               if lt[1] == only_day},
                                **_engine_options(rebalance))
        elif built.locked_seats or built.locked_tables:
            seating = rebalance(built.problem, built.current, reseat_all=True,
                                locked_seats=built.locked_seats,
                                locked_tables=built.locked_tables,
                                **_engine_options(rebalance))
        else:
            seating = solve(built.problem, **_engine_options(solve))
    except InfeasibleError as exc:
        db.session.rollback()
        raise HomeroomError(f"The seating rules cannot all hold: {exc}") from exc
    seconds = time.perf_counter() - started
    saved_days = [only_day] if only_day is not None else list(range(1, days + 1))
    kind = f"day {only_day}" if only_day is not None else f"{days} day(s)"
    return _save(event, built, seating, saved_days, seconds, rules, f"assign {kind}")


def rebalance_event(event: Event, *, from_day: int = 1, drop_no_shows: bool = False) -> RunResult:
    """Seat walk-ins and free cancelled seats from ``from_day`` on, moving as few as possible.

    ``drop_no_shows`` leaves out registered people never checked in at the entrance. Earlier
    days stay as they were. Commits.
    """
    total_days = max(event.days, 1)
    if not 1 <= from_day <= total_days:
        raise HomeroomError(f"There is no day {from_day}.")
    rules = _lock_run(event)
    exclude = no_show_ids(event) if drop_no_shows else set()
    built = build_problem(event, days=total_days, seed=rules.seed, exclude=exclude)
    _check_ready(built)
    keep = set(built.locked_seats)
    for day, by_table in built.current.items():
        if day < from_day:
            keep.update((p, day) for members in by_table.values() for p in members)
    started = time.perf_counter()
    try:
        seating = rebalance(built.problem, built.current, locked_seats=keep,
                            locked_tables=built.locked_tables, **_engine_options(rebalance))
    except InfeasibleError as exc:
        db.session.rollback()
        raise HomeroomError(f"The seating rules cannot all hold: {exc}") from exc
    seconds = time.perf_counter() - started
    return _save(event, built, seating, list(range(from_day, total_days + 1)), seconds, rules,
                 f"re-balance from day {from_day}")


def no_show_ids(event: Event) -> set[int]:
    """Registered attendees with no check-in on the event's entrance list."""
    from summit.checkin.api import checked_in_ids

    checked = checked_in_ids(event.id)
    registered = set(db.session.scalars(select(Attendee.id).where(
        Attendee.event_id == event.id, Attendee.status == "registered")))
    if not checked:
        raise HomeroomError("Nobody is checked in yet, so there are no no-shows to leave out.")
    return registered - checked


def _save(event: Event, built: Built, seating: Seating, days: list[int], seconds: float,
          rules: HomeroomRules, kind: str) -> RunResult:
    wanted: dict[tuple[int, int], int] = {}
    for day in days:
        for tkey, members in seating.get(day, {}).items():
            for key in members:
                wanted[(int(key), day)] = int(tkey)
    day_set = set(days)
    updates, removals = [], []
    for (aid, day), seat in built.seats.items():
        if day not in day_set:
            continue
        target = wanted.pop((aid, day), None)
        if target is None:
            removals.append(seat.id)
        elif target != seat.table_id:
            updates.append({"id": seat.id, "table_id": target})
    inserts = [
        {"event_id": event.id, "attendee_id": aid, "day": day, "table_id": tid,
         "pinned": False, "locked": False}
        for (aid, day), tid in sorted(wanted.items())
    ]
    for start in range(0, len(removals), 500):
        db.session.execute(delete(Seat).where(Seat.id.in_(removals[start:start + 500])))
    if updates:
        db.session.execute(update(Seat), updates)
    if inserts:
        db.session.execute(insert(Seat), inserts)
    rules.last_run_seconds = round(seconds, 3)
    rules.last_run_kind = kind
    rules.last_run_at = utcnow()
    moved = len(updates) + len(inserts) + len(removals)
    audit.record("homerooms.assigned", event_id=event.id,
                 after={"run": kind, "seconds": round(seconds, 3), "changed_seats": moved,
                        "seed": rules.seed})
    event.bump()
    db.session.commit()
    db.session.expire_all()
    report = quality_report(built.problem, seating)
    return RunResult(seconds=seconds, days=days, report=report, moved=moved, notes=built.notes)


# --- hand moves and locks --------------------------------------------------------------------


def table_locked(table_id: int, day: int) -> bool:
    return db.session.scalar(select(TableLock.id).where(
        TableLock.table_id == table_id, TableLock.day == day)) is not None


def seated_count(table_id: int, day: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Seat).join(Attendee, Attendee.id == Seat.attendee_id)
        .where(Seat.table_id == table_id, Seat.day == day, Attendee.status == "registered")
    ) or 0


def move_seat(event: Event, attendee_id: int, day: int, table_id: int | None) -> int | None:
    """Move an attendee to ``table_id`` on ``day`` (``None``: unseat); returns the old table id.

    The seat is locked afterwards, so re-runs keep the organizer's decision. Refused: full or
    locked tables, a non-accessible table for someone who needs one, moving a table's
    facilitator away. The caller commits.
    """
    if not 1 <= day <= max(event.days, 1):
        raise HomeroomError(f"There is no day {day}.")
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != event.id or attendee.status != "registered":
        raise HomeroomError("That person is not registered for this event.")
    target = None
    if table_id is not None:
        target = lock_for_update(db.session, HomeroomTable, table_id)
        if target is None or target.event_id != event.id:
            raise HomeroomError("That table does not exist.")
    seat = db.session.scalar(select(Seat).where(Seat.attendee_id == attendee.id, Seat.day == day))
    old_table_id = seat.table_id if seat else None
    if old_table_id == table_id:
        return old_table_id
    if old_table_id is not None:
        old = db.session.get(HomeroomTable, old_table_id)
        if table_locked(old_table_id, day):
            raise HomeroomError(f"{old.label} is locked for day {day}: unlock it first.")
        if old.facilitator_attendee_id == attendee.id:
            raise HomeroomError(f"{attendee.full_name} facilitates {old.label} and sits there "
                                "every day.")
    if target is not None:
        if table_locked(target.id, day):
            raise HomeroomError(f"{target.label} is locked for day {day}: unlock it first.")
        if seated_count(target.id, day) >= target.seats:
            raise HomeroomError(f"{target.label} is full ({target.seats} seats) on day {day}.")
        if not target.accessible and needs_accessible(attendee, accessibility_overrides(event)):
            raise HomeroomError(f"{attendee.full_name} needs a wheelchair-accessible table; "
                                f"{target.label} is not.")
    if target is None:
        if seat is not None:
            db.session.delete(seat)
    elif seat is None:
        db.session.add(Seat(event_id=event.id, attendee_id=attendee.id, day=day,
                            table_id=target.id, locked=True))
    else:
        seat.table_id = target.id
        seat.locked = True
    audit.record("homerooms.moved", event_id=event.id, target=attendee,
                 before={"day": day, "table_id": old_table_id},
                 after={"day": day, "table_id": table_id})
    event.bump()
    return old_table_id


def _toggle_seat_flag(event: Event, attendee_id: int, day: int, flag: str,
                      actions: tuple[str, str]) -> Seat:
    """Flip ``seat.<flag>`` (``locked`` or ``pinned``) and audit it as ``actions[on/off]``."""
    seat = db.session.scalar(select(Seat).where(
        Seat.event_id == event.id, Seat.attendee_id == attendee_id, Seat.day == day))
    if seat is None:
        raise HomeroomError("That person has no seat on this day.")
    on = not getattr(seat, flag)
    setattr(seat, flag, on)
    audit.record(actions[0] if on else actions[1],
                 event_id=event.id, target=seat.attendee, after={"day": day})
    event.bump()
    return seat


def toggle_seat_lock(event: Event, attendee_id: int, day: int) -> Seat:
    return _toggle_seat_flag(event, attendee_id, day, "locked",
                             ("homerooms.seat_locked", "homerooms.seat_unlocked"))


def toggle_pin(event: Event, attendee_id: int, day: int) -> Seat:
    return _toggle_seat_flag(event, attendee_id, day, "pinned",
                             ("homerooms.seat_pinned", "homerooms.seat_unpinned"))


def toggle_table_lock(event: Event, table: HomeroomTable, day: int) -> bool:
    """Lock or unlock ``table`` for ``day``; returns whether it is now locked."""
    row = db.session.scalar(select(TableLock).where(
        TableLock.table_id == table.id, TableLock.day == day))
    if row is None:
        db.session.add(TableLock(event_id=event.id, table_id=table.id, day=day))
    else:
        db.session.delete(row)
    audit.record("homerooms.table_locked" if row is None else "homerooms.table_unlocked",
                 event_id=event.id, target=table, after={"day": day})
    event.bump()
    return row is None


# --- reading the seating ---------------------------------------------------------------------


@dataclass
class Chip:
    attendee: Attendee
    district: str
    seat: SeatRow | None
    needs_accessible: bool


@dataclass(frozen=True)
class TableNote:
    """A quality-report warning on a table; ``forced`` ones the roster makes unavoidable."""

    reason: str
    kind: str
    forced: bool

    def __str__(self) -> str:
        return self.reason


@dataclass
class TableView:
    table: HomeroomTable
    chips: list[Chip]
    locked: bool
    warnings: list[TableNote]

    @property
    def avoidable(self) -> list[TableNote]:
        return [w for w in self.warnings if not w.forced]


@dataclass
class Board:
    """Everything the seating board shows for one day."""

    day: int
    tables: list[TableView]
    unseated: list[Chip]
    report: QualityReport
    day_report: object
    violations: list[str]
    held_by_cancelled: int
    built: Built


def board(event: Event, day: int) -> Board:
    built = build_problem(event, days=max(event.days, 1))
    report = quality_report(built.problem, built.current)
    day_report = report.days[day - 1]
    districts = {p.id: p.district for p in built.problem.people}
    warnings: dict[int, list[TableNote]] = defaultdict(list)
    for w in day_report.warnings:
        warnings[int(w.table_id)].append(TableNote(w.reason, w.kind, w.forced))
    locked = {int(t) for t, d in built.locked_tables if d == day}
    seats_today = {aid: s for (aid, d), s in built.seats.items() if d == day}
    views = []
    seated = set()
    for tid, table in built.tables.items():
        members = built.current[day][built.table_keys[tid]]
        chips = [Chip(built.attendees[int(k)], districts[k], seats_today.get(int(k)),
                      int(k) in built.needs_access) for k in members]
        chips.sort(key=lambda c: (c.attendee.last_name.casefold(), c.attendee.id))
        seated.update(int(k) for k in members)
        views.append(TableView(table, chips, tid in locked, warnings.get(tid, [])))
    unseated = [Chip(a, districts[built.keys[a.id]], None, a.id in built.needs_access)
                for a in built.attendees.values() if a.id not in seated]
    unseated.sort(key=lambda c: (c.attendee.last_name.casefold(), c.attendee.id))
    violations = [v for v in report.hard_violations
                  if v.startswith(f"Day {day}:") and "has no seat" not in v]
    held = db.session.scalar(
        select(func.count()).select_from(Seat).join(Attendee, Attendee.id == Seat.attendee_id)
        .where(Seat.event_id == event.id, Seat.day == day, Attendee.status != "registered")
    ) or 0
    return Board(day=day, tables=views, unseated=unseated, report=report, day_report=day_report,
                 violations=violations, held_by_cancelled=held, built=built)


def table_labels_for(event: Event, attendee_ids: list[int], day: int = 1) -> dict[int, str]:
    """``{attendee_id: "Table 12 (Hall B)"}`` for registered attendees seated on ``day``."""
    ids = list(attendee_ids)
    labels: dict[int, str] = {}
    for start in range(0, len(ids), 900):
        rows = db.session.execute(
            select(Seat.attendee_id, HomeroomTable)
            .join(HomeroomTable, HomeroomTable.id == Seat.table_id)
            .join(Attendee, Attendee.id == Seat.attendee_id)
            .where(Seat.event_id == event.id, Seat.day == day,
                   Seat.attendee_id.in_(ids[start:start + 900]),
                   Attendee.status == "registered")
        )
        labels.update({aid: table.full_label for aid, table in rows})
    return labels


def seats_of(event: Event, attendee: Attendee) -> dict[int, HomeroomTable]:
    rows = db.session.execute(
        select(Seat.day, HomeroomTable).join(HomeroomTable, HomeroomTable.id == Seat.table_id)
        .where(Seat.attendee_id == attendee.id).order_by(Seat.day))
    return {day: table for day, table in rows}


def members_of(table: HomeroomTable, day: int) -> list[Attendee]:
    return list(db.session.scalars(
        select(Attendee).join(Seat, Seat.attendee_id == Attendee.id)
        .where(Seat.table_id == table.id, Seat.day == day, Attendee.status == "registered")
        .order_by(Attendee.last_name, Attendee.first_name, Attendee.id)))


@dataclass
class MyDay:
    day: int
    table: HomeroomTable
    tablemates: list[Attendee]  # only those who agreed to share their contact details
    others: int  # tablemates not shown


def my_days(event: Event, attendee: Attendee) -> list[MyDay]:
    out = []
    for day, table in seats_of(event, attendee).items():
        if day > max(event.days, 1):
            continue
        mates = [a for a in members_of(table, day) if a.id != attendee.id]
        shown = [a for a in mates if a.share_contact]
        out.append(MyDay(day, table, shown, len(mates) - len(shown)))
    return out


def facilitated_tables(event: Event, user) -> list[HomeroomTable]:
    return list(db.session.scalars(
        select(HomeroomTable).where(HomeroomTable.event_id == event.id,
                                    HomeroomTable.facilitator_user_id == user.id)
        .order_by(HomeroomTable.number)))


def export_rows(event: Event) -> list[dict[str, str]]:
    rows = db.session.execute(
        select(Seat.day, HomeroomTable, Attendee)
        .join(HomeroomTable, HomeroomTable.id == Seat.table_id)
        .join(Attendee, Attendee.id == Seat.attendee_id)
        .where(Seat.event_id == event.id, Attendee.status == "registered",
               Seat.day <= max(event.days, 1))
        .order_by(Seat.day, HomeroomTable.number, Attendee.last_name, Attendee.first_name,
                  Attendee.id))
    return [
        {"day": str(day), "table": table.label, "email": a.email, "first_name": a.first_name,
         "last_name": a.last_name, "organization": a.organization_name, "state": a.state,
         "role": a.role}
        for day, table, a in rows
    ]
