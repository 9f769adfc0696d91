"""What other capabilities use of breakouts: the sessions of an event, when and where they
happen, creating one (through the same rules and audit record as the organizer's form),
answering the scan of a room's door sign, and the program's plenary blocks (the keynote,
homeroom time, meals, workshops: what happens when the breakouts do not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from summit.breakouts.models import BreakoutSession, Enrollment, SessionFacilitator
from summit.breakouts.program import services as program
from summit.breakouts.program.models import ProgramBlock
from summit.breakouts.program.rules import KINDS as BLOCK_KINDS
from summit.breakouts.program.rules import LEARNING_KINDS
from summit.breakouts.program.services import ProgramError
from summit.breakouts.services import BreakoutError, SessionData, find_room, save_session
from summit.checkin.api import door_scans
from summit.events.models import Event
from summit.extensions import db

__all__ = ["BLOCK_KINDS", "LEARNING_KINDS", "BlockSummary", "BreakoutError", "ProgramError",
           "SessionSummary", "attended_session_ids", "block_of", "create_session",
           "facilitates", "handle_door_scans", "program_blocks_of", "save_program_block",
           "scheduled_sessions_in", "session_of", "sessions_of"]


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


def session_of(event: Event, session_id: int) -> SessionSummary | None:
    """One session of ``event`` (``None`` if there is none with this id in this event)."""
    session = db.session.get(BreakoutSession, session_id)
    if session is None or session.event_id != event.id:
        return None
    return _summary(event, session)


def facilitates(event: Event, session_id: int, user) -> bool:
    """Whether the staff account ``user`` is listed as a facilitator of the session (by
    account, or by its email address)."""
    return db.session.scalar(
        select(SessionFacilitator.id).join(BreakoutSession)
        .where(SessionFacilitator.session_id == session_id,
               (SessionFacilitator.user_id == user.id)
               | (SessionFacilitator.email == user.email),
               BreakoutSession.event_id == event.id).limit(1)) is not None


def attended_session_ids(event: Event, attendee_id: int) -> set[int]:
    """The sessions of ``event`` that ``attendee_id`` took part in, on the best evidence there
    is: where the room's door was scanned (someone is checked in on the session's list), being
    checked in there; elsewhere, holding a seat (enrolled). Open-seating sessions without door
    scans have no evidence, so nobody counts as having attended them."""
    session_ids = select(BreakoutSession.id).where(BreakoutSession.event_id == event.id)
    scanned, mine = door_scans(session_ids, attendee_id)
    enrolled = set(db.session.scalars(select(Enrollment.session_id).where(
        Enrollment.attendee_id == attendee_id, Enrollment.status == "enrolled",
        Enrollment.session_id.in_(session_ids))))
    return mine | (enrolled - scanned)


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


# --- the program's plenary blocks -----------------------------------------------------------


@dataclass(frozen=True)
class BlockSummary:
    """A plenary block as other capabilities see it (not an ORM row)."""

    id: int
    title: str
    kind: str                  # one of BLOCK_KINDS; meals and breaks are not LEARNING_KINDS
    day: int                   # 1-based day of the event
    starts: datetime           # aware, in the event's time zone
    ends: datetime
    minutes: int
    room: str                  # "" without a room
    room_id: int | None        # the breakouts room (its door sign records attendance)


def _block_summary(event: Event, block: ProgramBlock) -> BlockSummary:
    starts, ends = block.local_bounds(event.start_date, event.tz)
    return BlockSummary(block.id, block.title, block.kind, block.day, starts, ends,
                        block.minutes, block.room.name if block.room else "", block.room_id)


def block_of(event: Event, block_id: int) -> BlockSummary | None:
    """One plenary block of ``event`` (``None`` if there is none with this id in this event)."""
    block = db.session.get(ProgramBlock, block_id)
    if block is None or block.event_id != event.id:
        return None
    return _block_summary(event, block)


def program_blocks_of(event: Event) -> list[BlockSummary]:
    """Every plenary block of ``event`` on one of its days, in time order."""
    return [_block_summary(event, b) for b in program.blocks_of(event)
            if 1 <= b.day <= max(event.days, 1)]


def save_program_block(event: Event, *, title: str, day: int, starts: time, ends: time,
                       kind: str = "plenary", description: str = "",
                       room: str = "") -> BlockSummary:
    """A new plenary block, through the rules of the organizer's page (inside the event's
    days, the end after the start, a room free at that time); ``room`` is the name of one of
    the event's breakout rooms, or empty. Raises ``ProgramError`` (``.problems`` by field)."""
    room_id = None
    if room.strip():
        found = find_room(event, room)
        if found is None:
            raise ProgramError({"room_id": f"There is no room called “{room.strip()}”."})
        room_id = found.id
    block = program.save_block(event, program.BlockData(
        title=title, day=day, starts=starts, ends=ends, kind=kind, description=description,
        room_id=room_id))
    return _block_summary(event, block)
