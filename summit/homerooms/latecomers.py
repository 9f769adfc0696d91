"""Seat a late registrant at once, around a seating that is already set.

``seat_latecomer`` runs inside the registration's (or the promotion's) transaction, from the
``attendee_registered`` and ``attendee_promoted`` receivers. It reads the seated days' tables
with a few indexed queries, chooses with ``placement.choose_tables`` (the engine's rules, nobody
else moves) and inserts at most one seat per day. Days the organizer has not seated yet are left
to the engine; a day with no table that fits is left unseated, for the organizer to see on the
seating board.
"""

from __future__ import annotations

from sqlalchemy import case, false, func, select

from summit import audit
from summit.database import lock_for_update, utcnow
from summit.events.models import Event, Organization
from summit.extensions import db
from summit.registration.api import Attendee

from .models import AccessibilityNeed, HomeroomTable, Seat, TableLock, needs_accessible_from_note
from .placement import TableDay, choose_table
from .services import rules_for


def seated_days(event: Event, from_day: int = 1) -> list[int]:
    """The days from ``from_day`` on that the organizer has seated (someone has a seat)."""
    return list(db.session.scalars(
        select(Seat.day).where(Seat.event_id == event.id, Seat.day >= from_day,
                               Seat.day <= max(event.days, 1))
        .group_by(Seat.day).order_by(Seat.day)))


def _first_day_to_seat(event: Event) -> int:
    """While the event runs, today (past days are history); before it, day 1; after it, none."""
    today = event.current_day_or_none()
    if today is not None:
        return today
    return 1 if utcnow().astimezone(event.tz).date() < event.start_date else event.days + 1


def _needs_accessible(attendee: Attendee) -> bool:
    override = db.session.scalar(select(AccessibilityNeed.needs_accessible_table).where(
        AccessibilityNeed.attendee_id == attendee.id))
    return override if override is not None else needs_accessible_from_note(attendee.accessibility)


def _rule_partners(event: Event, attendee: Attendee) -> tuple[frozenset, frozenset]:
    """(keep-apart partners, keep-together group) of ``attendee``, as registered attendee ids."""
    rules = rules_for(event)
    if rules is None:
        return frozenset(), frozenset()
    email = attendee.email.lower()
    apart = {e for pair in rules.keep_apart or [] if email in pair for e in pair} - {email}
    together = {e for group in rules.keep_together or [] if email in group for e in group}
    together.discard(email)
    wanted = apart | together
    if not wanted:
        return frozenset(), frozenset()
    ids = dict(db.session.execute(
        select(func.lower(Attendee.email), Attendee.id).where(
            Attendee.event_id == event.id, Attendee.status == "registered",
            func.lower(Attendee.email).in_(sorted(wanted)))).all())
    return (frozenset(ids[e] for e in apart if e in ids),
            frozenset(ids[e] for e in together if e in ids))


def _table_days(event: Event, day: int, tables: list[HomeroomTable], closed: set[int],
                attendee: Attendee, met: set[int], apart: frozenset,
                together: frozenset) -> list[TableDay]:
    """Every table on ``day``, with its people counted in one grouped query."""

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    nothing = false()
    org_id, state = attendee.organization_id, attendee.state
    rows = db.session.execute(
        select(Seat.table_id, func.count(),
               count(Seat.attendee_id.in_(sorted(met)) if met else nothing),
               count(Attendee.organization_id == org_id if org_id is not None else nothing),
               count(Organization.state == state if state else nothing),
               count(Attendee.role == attendee.role),
               count(Seat.attendee_id.in_(sorted(apart)) if apart else nothing),
               count(Seat.attendee_id.in_(sorted(together)) if together else nothing))
        .join(Attendee, Attendee.id == Seat.attendee_id)
        .outerjoin(Organization, Organization.id == Attendee.organization_id)
        .where(Seat.event_id == event.id, Seat.day == day, Attendee.status == "registered")
        .group_by(Seat.table_id))
    counts = {row[0]: tuple(int(n) for n in row[1:]) for row in rows}
    out = []
    for table in tables:
        seated, met_n, district, same_state, role, apart_n, together_n = counts.get(
            table.id, (0,) * 7)
        out.append(TableDay(
            id=table.id, capacity=table.seats, seated=seated, accessible=table.accessible,
            closed=table.id in closed, order=table.number, met=met_n, same_district=district,
            same_state=same_state, same_role=role, apart=apart_n, together=together_n))
    return out


def seat_latecomer(attendee: Attendee) -> dict[int, int | None]:
    """Give a newly registered ``attendee`` a seat on every seated day from today on.

    Returns ``{day: table_id}`` for the days considered (``None``: no table had room under the
    rules). Does nothing for someone not registered, or seated already on a day. The caller's
    transaction commits or rolls back the seats with the registration.
    """
    if attendee.status != "registered":
        return {}
    event = attendee.event
    days = seated_days(event, _first_day_to_seat(event))
    if not days:
        return {}
    taken = set(db.session.scalars(select(Seat.day).where(Seat.attendee_id == attendee.id)))
    days = [d for d in days if d not in taken]
    if not days:
        return {}
    tables = list(db.session.scalars(
        select(HomeroomTable).where(HomeroomTable.event_id == event.id)
        .order_by(HomeroomTable.number)))
    facilitated = next((t.id for t in tables if t.facilitator_attendee_id == attendee.id), None)
    locks = db.session.execute(select(TableLock.table_id, TableLock.day).where(
        TableLock.event_id == event.id, TableLock.day.in_(days))).all()
    apart, together = _rule_partners(event, attendee)
    needs_step_free = _needs_accessible(attendee)
    met: set[int] = set()
    seated: dict[int, int | None] = {}
    for day in days:
        if facilitated is not None:  # a table's facilitator sits at it every day
            table_id = facilitated
        else:
            closed = {table_id for table_id, locked_day in locks if locked_day == day}
            table_id = choose_table(
                _table_days(event, day, tables, closed, attendee, met, apart, together),
                needs_accessible=needs_step_free)
        if table_id is None or not _has_room(table_id, day):
            seated[day] = None
            continue
        met.update(db.session.scalars(select(Seat.attendee_id).where(
            Seat.table_id == table_id, Seat.day == day)))
        db.session.add(Seat(event_id=event.id, attendee_id=attendee.id, day=day,
                            table_id=table_id))
        seated[day] = table_id
    if any(seated.values()):
        db.session.flush()
        audit.record("homerooms.latecomer_seated", event_id=event.id, target=attendee,
                     after={"seats": {str(d): t for d, t in seated.items()}})
    return seated


def _has_room(table_id: int, day: int) -> bool:
    """Check again under the table's row lock (a hand move on the board locks it too)."""
    table = lock_for_update(db.session, HomeroomTable, table_id)
    taken = db.session.scalar(
        select(func.count()).select_from(Seat).join(Attendee, Attendee.id == Seat.attendee_id)
        .where(Seat.table_id == table_id, Seat.day == day, Attendee.status == "registered"))
    return table is not None and (taken or 0) < table.seats
