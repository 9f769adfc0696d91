"""The "breakout session" audience for organizer messages and announcements."""

from __future__ import annotations

from sqlalchemy import select

from summit.breakouts.models import BreakoutSession, Enrollment, Slot
from summit.extensions import db
from summit.messages.api import register_segment


def _session_options(event):
    rows = db.session.execute(
        select(BreakoutSession).outerjoin(Slot, Slot.id == BreakoutSession.slot_id)
        .where(BreakoutSession.event_id == event.id)
        .order_by(Slot.day, Slot.starts, BreakoutSession.title)
    ).scalars().all()
    options = []
    for s in rows:
        when = f"Day {s.slot.day} {s.slot.starts:%H:%M}" if s.slot else "unscheduled"
        where = f", {s.room.name}" if s.room else ""
        options.append((str(s.id), f"{s.title} ({when}{where})"))
    return options


def _session_members(event, key):
    try:
        session_id = int(key)
    except (TypeError, ValueError):
        return []
    return list(db.session.scalars(
        select(Enrollment.attendee_id).join(BreakoutSession)
        .where(Enrollment.session_id == session_id, Enrollment.status == "enrolled",
               BreakoutSession.event_id == event.id).order_by(Enrollment.attendee_id)))


def _sessions_of(event, attendee):
    return {str(s) for s in db.session.scalars(
        select(Enrollment.session_id).where(Enrollment.attendee_id == attendee.id,
                                            Enrollment.status == "enrolled"))}


def register() -> None:
    """Offer this audience to organizer messages and announcements."""
    register_segment("session", "A breakout session's attendees", attendee_ids=_session_members,
                     options=_session_options, keys_for_attendee=_sessions_of, order=40)
