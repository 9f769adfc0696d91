"""What other capabilities use of self check-in: who was present at their homeroom table, and
when (table tents; learning credit counts it as evidence)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from summit.extensions import db
from summit.selfcheckin.models import HomeroomPresence

__all__ = ["table_presence"]


def table_presence(event_id: int, attendee_ids=None) -> dict[int, dict[int, datetime]]:
    """``{attendee_id: {day: when they scanned their table}}`` for the event (or only
    ``attendee_ids``: a list, or a SELECT of ids)."""
    stmt = select(HomeroomPresence.attendee_id, HomeroomPresence.day, HomeroomPresence.at).where(
        HomeroomPresence.event_id == event_id)
    if attendee_ids is not None:
        stmt = stmt.where(HomeroomPresence.attendee_id.in_(attendee_ids))
    out: dict[int, dict[int, datetime]] = {}
    for attendee_id, day, at in db.session.execute(stmt):
        days = out.setdefault(attendee_id, {})
        if day not in days or at < days[day]:
            days[day] = at
    return out
