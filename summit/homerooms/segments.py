"""The "homeroom table" audience for organizer messages and announcements."""

from __future__ import annotations

from sqlalchemy import select

from summit.extensions import db
from summit.homerooms.models import HomeroomTable, Seat
from summit.messages.api import register_segment
from summit.registration.api import Attendee


def _table_options(event):
    tables = db.session.scalars(select(HomeroomTable).where(HomeroomTable.event_id == event.id)
                                .order_by(HomeroomTable.number)).all()
    return [(str(t.id), f"Table {t.number}" + (f" ({t.location})" if t.location else ""))
            for t in tables]


def _table_members(event, key):
    try:
        table_id = int(key)
    except (TypeError, ValueError):
        return []
    return list(db.session.scalars(
        select(Seat.attendee_id).join(Attendee, Attendee.id == Seat.attendee_id)
        .where(Seat.table_id == table_id, Seat.day == event.current_day(),
               Attendee.status == "registered").order_by(Seat.attendee_id)))


def _tables_of(event, attendee):
    return {str(t) for t in db.session.scalars(
        select(Seat.table_id).where(Seat.attendee_id == attendee.id,
                                    Seat.day == event.current_day()))}


def register() -> None:
    """Offer this audience to organizer messages and announcements."""
    register_segment("table", "A homeroom table (today's seating)", attendee_ids=_table_members,
                     options=_table_options, keys_for_attendee=_tables_of, order=30)
