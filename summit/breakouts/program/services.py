"""Program services: plenary blocks (add, edit, delete, with the rules of ``rules``), the embed
settings, and the public program of an event (blocks and scheduled breakout sessions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from summit import audit
from summit.breakouts import services as breakouts
from summit.breakouts.models import BreakoutSession, Room
from summit.breakouts.program import rules
from summit.breakouts.program.models import ProgramBlock, ProgramSettings
from summit.database import lock_for_update
from summit.events.models import Event
from summit.extensions import db


class ProgramError(ValueError):
    """A block or setting that cannot be saved: ``problems`` maps a field to its message."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(" ".join(problems.values()))
        self.problems = problems


@dataclass
class BlockData:
    title: str
    day: int | None
    starts: time | None
    ends: time | None
    kind: str = "plenary"
    description: str = ""
    room_id: int | None = None


def blocks_of(event: Event) -> list[ProgramBlock]:
    return list(db.session.scalars(
        select(ProgramBlock).where(ProgramBlock.event_id == event.id)
        .options(selectinload(ProgramBlock.room))
        .order_by(ProgramBlock.day, ProgramBlock.starts, ProgramBlock.ends, ProgramBlock.id)))


def _snapshot(block: ProgramBlock) -> dict:
    return {"title": block.title, "kind": block.kind, "day": block.day,
            "starts": f"{block.starts:%H:%M}" if block.starts else None,
            "ends": f"{block.ends:%H:%M}" if block.ends else None,
            "room_id": block.room_id}


def _problems(event: Event, data: BlockData, block: ProgramBlock | None) -> dict[str, str]:
    problems = rules.block_time_problems(data.day, data.starts, data.ends, event.days)
    title = " ".join((data.title or "").split())
    if not title:
        problems["title"] = "Give the block a title, like “Opening keynote”."
    elif len(title) > rules.TITLE_MAX:
        problems["title"] = f"A title can have at most {rules.TITLE_MAX} characters."
    if data.kind not in rules.KINDS:
        problems["kind"] = "Choose what kind of block this is."
    if len(data.description or "") > rules.DESCRIPTION_MAX:
        problems["description"] = (f"A description can have at most "
                                   f"{rules.DESCRIPTION_MAX:,} characters.")
    room = None
    if data.room_id is not None:
        # Locked until the transaction ends: two blocks saved at once for the same room are
        # checked one after the other, so both cannot take it (PostgreSQL; SQLite's writers
        # already take turns).
        room = lock_for_update(db.session, Room, data.room_id)
        if room is None or room.event_id != event.id:
            problems["room_id"] = "Choose one of this event's rooms, or no room."
    if room is not None and not problems:
        clash = _room_clash(event, data, room, block)
        if clash:
            problems["room_id"] = clash
    return problems


def _room_clash(event: Event, data: BlockData, room: Room,
                block: ProgramBlock | None) -> str | None:
    """A message when ``room`` already holds something at that time (a room holds one thing
    at a time: another block, or a breakout session)."""
    for other in db.session.scalars(select(ProgramBlock).where(
            ProgramBlock.event_id == event.id, ProgramBlock.room_id == room.id,
            ProgramBlock.day == data.day)):
        if other is not block and rules.overlapping(data.starts, data.ends, other.starts,
                                                     other.ends):
            return (f"{room.name} already holds “{other.title}” at {other.time_range} on day "
                    f"{other.day}.")
    sessions = db.session.scalars(select(BreakoutSession).where(
        BreakoutSession.event_id == event.id, BreakoutSession.room_id == room.id,
        BreakoutSession.slot_id.is_not(None)).options(selectinload(BreakoutSession.slot)))
    for session in rules.sessions_overlapping(data.starts, data.ends, data.day, list(sessions)):
        return (f"{room.name} already holds the breakout session “{session.title}” at "
                f"{session.slot.time_range} on day {session.slot.day}.")
    return None


def save_block(event: Event, data: BlockData, block: ProgramBlock | None = None) -> ProgramBlock:
    """Add a block (``block`` is None) or change one; ``ProgramError`` when the rules refuse
    it, and then nothing is changed."""
    problems = _problems(event, data, block)
    if problems:
        raise ProgramError(problems)
    created = block is None
    before = None if created else _snapshot(block)
    block = block or ProgramBlock(event_id=event.id)
    block.title = " ".join(data.title.split())
    block.kind = data.kind
    block.day, block.starts, block.ends = data.day, data.starts, data.ends
    block.description = (data.description or "").strip()
    block.room_id = data.room_id
    db.session.add(block)
    db.session.flush()
    after = _snapshot(block)
    if created:
        audit.record("program.block_added", event_id=event.id, target=block, after=after)
    else:
        old, new = audit.diff(before, after)
        if old or new:
            audit.record("program.block_changed", event_id=event.id, target=block,
                         before=old, after=new)
    return block


def delete_block(event: Event, block: ProgramBlock) -> None:
    audit.record("program.block_deleted", event_id=event.id, target=block,
                 before=_snapshot(block))
    db.session.delete(block)


# --- the embed ------------------------------------------------------------------------------


def settings_of(event: Event) -> ProgramSettings | None:
    return db.session.scalar(select(ProgramSettings).where(ProgramSettings.event_id == event.id))


def embed_origins(event: Event) -> list[str]:
    """The websites allowed to show the program in a frame (checked when they were saved)."""
    settings = settings_of(event)
    return rules.parse_origins(settings.embed_origins)[0] if settings else []


def save_embed_origins(event: Event, text: str) -> list[str]:
    """Save the websites that may frame the program; ``ProgramError`` if one is not valid."""
    origins, problems = rules.parse_origins(text)
    if problems:
        raise ProgramError({"origins": " ".join(problems)})
    settings = settings_of(event)
    before = rules.parse_origins(settings.embed_origins)[0] if settings else []
    if settings is None:
        settings = ProgramSettings(event_id=event.id)
        db.session.add(settings)
    settings.embed_origins = "\n".join(origins)
    db.session.flush()
    if before != origins:
        audit.record("program.embed_origins_changed", event_id=event.id,
                     before={"origins": before}, after={"origins": origins})
    return origins


# --- the public program ---------------------------------------------------------------------


def public_program(event: Event, day: int | None = None,
                   tag: str | None = None) -> rules.Program:
    return rules.build_program(event.start_date, event.days, blocks_of(event),
                               breakouts.sessions_of(event), day=day, tag=tag)


def public_names(session: BreakoutSession) -> list[str]:
    """The names of a session's facilitators that may be shown to anyone: a name typed by the
    organizer, or the person's own name; never an email address."""
    names = []
    for person in session.facilitators:
        name = person.name or (person.attendee.full_name if person.attendee is not None
                               else "") or (person.user.name if person.user is not None else "")
        if name:
            names.append(name)
    return names
