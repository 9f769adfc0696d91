"""What other capabilities use of homerooms: the tables (``HomeroomTable`` is exported as the
model: table tents and presence records refer to it), who sits at which one on which day, and
the day's discussion prompt (which another capability may set); and the seating engine
itself (plain data in, a seating out, no database), which forms community meetings' small
groups."""

from __future__ import annotations

from sqlalchemy import select

from summit.events.models import Event
from summit.extensions import db
from summit.homerooms.engine import InfeasibleError, Person, Problem, Table, rebalance
from summit.homerooms.models import HomeroomTable, Seat
from summit.homerooms.services import (
    discussion_prompt,
    facilitated_tables,
    members_of,
    table_labels_for,
    use_prompts_from,
)

__all__ = [
    "HomeroomTable", "InfeasibleError", "Person", "Problem", "Table", "rebalance",
    "discussion_prompt", "facilitated_tables", "members_of", "table_labels_for",
    "table_groups", "table_of", "todays_homeroom", "use_prompts_from",
]


def table_of(attendee_id: int, day: int) -> HomeroomTable | None:
    """The table ``attendee_id`` sits at on ``day``, if they have one."""
    return db.session.scalar(select(HomeroomTable).join(Seat, Seat.table_id == HomeroomTable.id)
                             .where(Seat.attendee_id == attendee_id, Seat.day == day))


def todays_homeroom(event: Event, attendee_id: int) -> tuple[str | None, int, bool]:
    """``(label, day, is_today)``: the table for today while the event runs, else for day 1
    (before it) or the last day (after it). Seating changes every day, so a page that shows
    one table must say which day's it is."""
    day = event.current_day()
    label = table_labels_for(event, [attendee_id], day).get(attendee_id)
    return label, day, event.current_day_or_none() is not None


def table_groups(event: Event) -> list[list[list[int]]]:
    """Each homeroom day's tables as lists of attendee ids: who sat with whom at the summit
    (community meetings count them as having met)."""
    rows = db.session.execute(
        select(Seat.day, Seat.table_id, Seat.attendee_id).where(Seat.event_id == event.id)
        .order_by(Seat.day, Seat.table_id, Seat.attendee_id)).all()
    days: dict[int, dict[int, list[int]]] = {}
    for day, table_id, attendee_id in rows:
        days.setdefault(day, {}).setdefault(table_id, []).append(attendee_id)
    return [list(tables.values()) for _day, tables in sorted(days.items())]
