"""What other capabilities use of breakouts: the sessions of an event, when and where they
happen, creating one (through the same rules and audit record as the organizer's form), and
answering the scan of a room's door sign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from summit.breakouts.models import BreakoutSession
from summit.breakouts.services import BreakoutError, SessionData, save_session
from summit.events.models import Event
from summit.extensions import db

__all__ = ["BreakoutError", "SessionSummary", "create_session", "handle_door_scans",
           "scheduled_sessions_in", "sessions_of"]


@dataclass(frozen=True)
class SessionSummary:
    """A breakout session as other capabilities see it (not an ORM row)."""

    id: int
    title: str
    day: int | None            # 1-based day of the event; None until it has a time slot
    starts: datetime | None    # aware, in the event's time zone
    ends: datetime | None
    room: str                  # "" until it has a room


def _summary(event: Event, session: BreakoutSession) -> SessionSummary:
    slot = session.slot
    starts, ends = slot.local_bounds(event.start_date, event.tz) if slot else (None, None)
    return SessionSummary(session.id, session.title, slot.day if slot else None, starts, ends,
                          session.room.name if session.room else "")


def sessions_of(event: Event) -> list[SessionSummary]:
    """Every session of ``event``, in the order of the program (day, time, title)."""
    sessions = db.session.scalars(
        select(BreakoutSession).where(BreakoutSession.event_id == event.id)
        .options(selectinload(BreakoutSession.slot), selectinload(BreakoutSession.room)))
    ordered = sorted(sessions, key=lambda s: (s.slot is None, s.slot.sort_key if s.slot else (),
                                              s.title, s.id))
    return [_summary(event, s) for s in ordered]


# ``handler(event, room, attendee)`` answers a signed-in attendee's scan of a room's door sign
# (the room page's QR code); self check-in adds one in its init_app.
DOOR_SCAN_HANDLERS: list = []


def handle_door_scans(handler) -> None:
    if handler not in DOOR_SCAN_HANDLERS:
        DOOR_SCAN_HANDLERS.append(handler)


def scheduled_sessions_in(event: Event, room) -> list[BreakoutSession]:
    """The sessions with a time slot in ``room`` (a ``Room`` of this capability), in time
    order, as rows: the door sign shows their slot, description and facilitators."""
    sessions = db.session.scalars(
        select(BreakoutSession).where(BreakoutSession.event_id == event.id,
                                      BreakoutSession.room_id == room.id,
                                      BreakoutSession.slot_id.is_not(None)))
    return sorted(sessions, key=lambda s: s.slot.sort_key)


def create_session(event: Event, title: str, description: str = "") -> SessionSummary:
    """A new session, not yet in a room or a time slot; raises ``BreakoutError`` when the
    breakouts rules refuse it."""
    return _summary(event, save_session(event, SessionData(title=title, description=description)))
