"""Breakout services: schedule editing, sign-ups with real capacity, waitlists, agendas.

Concurrency: every change of seats in a time slot first locks that slot's row
(``lock_for_update``: ``SELECT … FOR UPDATE`` on PostgreSQL; SQLite already holds the write lock
from ``BEGIN IMMEDIATE``). One lock per slot covers everything a sign-up can touch: the session
asked for, the seat released by a swap (same slot by definition) and the promotions that follow,
which also stay within the slot. Counting seats after taking the lock is therefore exact, and two
people taking the last seat at once queue up: the first gets it, the second is waitlisted.
Moving a session between slots locks both slots in id order, so no two transactions deadlock.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import LazyString, force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from summit import audit, signals
from summit.breakouts import capacity as rules
from summit.breakouts.csv_io import SessionParseResult
from summit.breakouts.models import (
    BreakoutSession,
    CalendarKey,
    Enrollment,
    Room,
    SessionChangeNotice,
    SessionFacilitator,
    SessionTag,
    Slot,
)
from summit.database import begin_write, lock_for_update, utcnow
from summit.events.models import Event
from summit.extensions import db
from summit.i18n import N_, attendee_locale, format_plain
from summit.registration.api import Attendee


class BreakoutError(Exception):
    """Something that cannot be done, with a message for the person."""


# --- describing -----------------------------------------------------------------------------


def describe_place(session: BreakoutSession) -> str:
    return place_of(session.room)


def describe_time(event: Event, session: BreakoutSession) -> str:
    return time_of(event, session.slot)


def place_of(room: Room | None) -> str:
    """Where, as shown to people, in the current language."""
    return room.name if room is not None else gettext("room to be announced")


def time_of(event: Event, slot: Slot | None) -> str:
    """When, as shown to people, in the current language ("Monday, March 1, 9:00–10:00")."""
    if slot is None:
        return gettext("time to be announced")
    day = slot.date_on(event.start_date)
    return f"{format_plain(day, '%A, %B %-d')}, {slot.time_range}"


def slot_start_utc(event: Event, slot: Slot) -> datetime:
    return slot.local_bounds(event.start_date, event.tz)[0]


# --- rooms and slots ------------------------------------------------------------------------


def rooms_of(event: Event) -> list[Room]:
    return list(db.session.scalars(
        select(Room).where(Room.event_id == event.id).order_by(Room.name, Room.id)))


def slots_of(event: Event) -> list[Slot]:
    return list(db.session.scalars(
        select(Slot).where(Slot.event_id == event.id)
        .order_by(Slot.day, Slot.starts, Slot.ends, Slot.id)))


def sessions_of(event: Event) -> list[BreakoutSession]:
    return list(db.session.scalars(
        select(BreakoutSession).where(BreakoutSession.event_id == event.id)
        .options(selectinload(BreakoutSession.room), selectinload(BreakoutSession.slot),
                 selectinload(BreakoutSession.tags),
                 selectinload(BreakoutSession.facilitators))
        .order_by(BreakoutSession.title, BreakoutSession.id)))


def find_room(event: Event, name: str) -> Room | None:
    key = " ".join(name.split()).casefold()
    return next((r for r in rooms_of(event) if r.name.casefold() == key), None)


# The column sizes of Room.name and Slot.label: longer input gets a message, not a 500.
ROOM_NAME_MAX = 120
SLOT_LABEL_MAX = 100


def save_room(event: Event, name: str, capacity: int, accessible: bool,
              room: Room | None = None) -> Room:
    name = " ".join(name.split())
    if len(name) > ROOM_NAME_MAX:
        raise BreakoutError(f"A room name can have at most {ROOM_NAME_MAX} characters.")
    clash = find_room(event, name)
    if clash is not None and clash is not room:
        raise BreakoutError(f"There is already a room called “{name}”.")
    created = room is None
    room = room or Room(event_id=event.id)
    before = {"name": room.name, "capacity": room.capacity, "accessible": room.accessible}
    room.name, room.capacity, room.accessible = name, capacity, accessible
    db.session.add(room)
    db.session.flush()
    audit.record("breakouts.room_saved", event_id=event.id, target=room,
                 before=None if created else before,
                 after={"name": name, "capacity": capacity, "accessible": accessible})
    if not created:
        for session in db.session.scalars(select(BreakoutSession).where(
                BreakoutSession.room_id == room.id, BreakoutSession.capacity.is_(None))):
            if session.slot_id:
                lock_for_update(db.session, Slot, session.slot_id)
                _promote_waiting(session)
    event.bump()
    return room


def save_slot(event: Event, day: int, starts, ends, label: str = "",
              slot: Slot | None = None) -> Slot:
    if not 1 <= day <= max(event.days, 1):
        raise BreakoutError(f"Day must be between 1 and {event.days}.")
    if ends <= starts:
        raise BreakoutError("The end time must be after the start time.")
    existing = db.session.scalar(select(Slot).where(
        Slot.event_id == event.id, Slot.day == day, Slot.starts == starts, Slot.ends == ends))
    if existing is not None and existing is not slot:
        raise BreakoutError("That time slot already exists.")
    created = slot is None
    slot = slot or Slot(event_id=event.id, seq=0)
    label = " ".join(label.split())
    if len(label) > SLOT_LABEL_MAX:
        raise BreakoutError(f"A time slot's label can have at most {SLOT_LABEL_MAX} characters.")
    slot.day, slot.starts, slot.ends, slot.label = day, starts, ends, label
    db.session.add(slot)
    db.session.flush()
    audit.record("breakouts.slot_saved", event_id=event.id, target=slot,
                 after={"day": day, "starts": f"{starts:%H:%M}", "ends": f"{ends:%H:%M}",
                        "created": created})
    event.bump()
    return slot


def get_or_create_slot(event: Event, day: int, starts, ends) -> Slot:
    slot = db.session.scalar(select(Slot).where(
        Slot.event_id == event.id, Slot.day == day, Slot.starts == starts, Slot.ends == ends))
    return slot or save_slot(event, day, starts, ends)


def delete_room(event: Event, room: Room) -> None:
    audit.record("breakouts.room_deleted", event_id=event.id, target=room,
                 before={"name": room.name})
    db.session.delete(room)
    event.bump()


def delete_slot(event: Event, slot: Slot) -> None:
    if db.session.scalar(select(func.count()).select_from(BreakoutSession)
                         .where(BreakoutSession.slot_id == slot.id)):
        raise BreakoutError("Move or delete the sessions in this time slot first.")
    audit.record("breakouts.slot_deleted", event_id=event.id, target=slot,
                 before={"day": slot.day, "time": slot.time_range})
    db.session.delete(slot)
    event.bump()


# --- sessions -------------------------------------------------------------------------------


@dataclass
class SessionData:
    title: str
    description: str = ""
    room_id: int | None = None
    slot_id: int | None = None
    capacity: int | None = None
    mode: str = "signup"
    tags: list[str] = field(default_factory=list)
    facilitators: list[tuple[str, str]] = field(default_factory=list)  # (name, email)


def _set_facilitators(event: Event, session: BreakoutSession,
                      people: list[tuple[str, str]]) -> None:
    from summit.auth.models import StaffUser

    wanted = {}
    for name, email in people:
        wanted.setdefault(email.strip().lower(), name.strip())
    keep = []
    for existing in session.facilitators:
        if existing.email in wanted:
            if wanted[existing.email]:
                existing.name = wanted[existing.email]
            keep.append(existing)
    known = {f.email for f in keep}
    for email, name in wanted.items():
        if email in known:
            continue
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        attendee = db.session.scalar(select(Attendee).where(
            Attendee.event_id == event.id, Attendee.email == email,
            Attendee.status != "cancelled"))
        keep.append(SessionFacilitator(email=email, name=name, user=user, attendee=attendee))
    session.facilitators = keep


def _set_tags(session: BreakoutSession, names: list[str]) -> None:
    wanted = list(dict.fromkeys(" ".join(n.split())[:60] for n in names if n.strip()))
    by_key = {t.name.casefold(): t for t in session.tags}
    session.tags = [by_key.get(n.casefold()) or SessionTag(name=n) for n in wanted]


def session_snapshot(session: BreakoutSession) -> dict:
    return {
        "title": session.title, "room_id": session.room_id, "slot_id": session.slot_id,
        "capacity": session.capacity, "mode": session.mode, "tags": session.tag_names,
        "facilitators": sorted(f.email for f in session.facilitators),
    }


def save_session(event: Event, data: SessionData,
                 session: BreakoutSession | None = None) -> BreakoutSession:
    """Create or edit a session. A change of room or slot is a move (see ``move_session``)."""
    if not data.title.strip():
        raise BreakoutError("A session needs a title.")
    if data.mode not in ("signup", "open"):
        raise BreakoutError("Unknown mode.")
    for model, pk in ((Room, data.room_id), (Slot, data.slot_id)):
        if pk is not None:
            row = db.session.get(model, pk)
            if row is None or row.event_id != event.id:
                raise BreakoutError("That room or time slot does not belong to this event.")
    created = session is None
    if created:
        session = BreakoutSession(event_id=event.id, room_id=data.room_id, slot_id=data.slot_id)
        db.session.add(session)
    before = session_snapshot(session) if not created else None
    session.title = " ".join(data.title.split())[:200]
    session.description = data.description.strip()
    session.capacity = data.capacity
    session.mode = data.mode
    _set_tags(session, data.tags)
    _set_facilitators(event, session, data.facilitators)
    db.session.flush()
    if not created and (data.room_id != session.room_id or data.slot_id != session.slot_id):
        move_session(event, session, data.room_id, data.slot_id, audit_it=False)
    else:
        db.session.flush()
        if session.slot_id:
            lock_for_update(db.session, Slot, session.slot_id)
            _promote_waiting(session)
    db.session.refresh(session)
    audit.record("breakouts.session_created" if created else "breakouts.session_updated",
                 event_id=event.id, target=session, before=before,
                 after=session_snapshot(session))
    event.bump()
    return session


def move_session(event: Event, session: BreakoutSession, room_id: int | None,
                 slot_id: int | None, *, audit_it: bool = True) -> int:
    """Move a session; everyone signed up or waiting gets a notice, and ``session_changed``
    is sent (the messages capability queues an email to each of them).

    Returns how many people were told.
    """
    for pk in sorted({p for p in (session.slot_id, slot_id) if p is not None}):
        lock_for_update(db.session, Slot, pk)
    if room_id == session.room_id and slot_id == session.slot_id:
        return 0
    for model, pk in ((Room, room_id), (Slot, slot_id)):
        if pk is not None:
            row = db.session.get(model, pk)
            if row is None or row.event_id != event.id:
                raise BreakoutError("That room or time slot does not belong to this event.")
    before = {"where": describe_place(session), "when": describe_time(event, session),
              "room_id": session.room_id, "slot_id": session.slot_id,
              "room": session.room, "slot": session.slot}
    old_slot_id = session.slot_id
    session.room_id, session.slot_id = room_id, slot_id
    db.session.flush()
    db.session.expire(session, ["room", "slot"])
    for pk in (old_slot_id, slot_id):
        if pk is not None:
            db.session.get(Slot, pk).seq += 1
    affected = list(db.session.scalars(
        select(Enrollment).where(Enrollment.session_id == session.id,
                                 Enrollment.status.in_(("enrolled", "waitlisted")))
        .options(selectinload(Enrollment.attendee)).order_by(Enrollment.id)))
    clashes = _seats_in_slot([e.attendee_id for e in affected], slot_id, exclude=session.id) \
        if slot_id else {}
    moved_text: dict[str, str] = {}  # one per language: the same for everyone
    for enrollment in affected:
        clash = clashes.get(enrollment.attendee_id)
        # Stored in the attendee's language (like their email).
        language = attendee_locale(enrollment.attendee)
        with force_locale(language):
            if language not in moved_text:
                moved_text[language] = gettext(
                    "“%(title)s” moved from %(old_where)s, %(old_when)s to %(where)s, "
                    "%(when)s.", title=session.title, old_where=place_of(before["room"]),
                    old_when=time_of(event, before["slot"]), where=describe_place(session),
                    when=describe_time(event, session))
            text = moved_text[language]
            if clash is not None and enrollment.status == "enrolled":
                text += " " + gettext("It now runs at the same time as “%(other)s”, where you "
                                      "also have a seat: please keep one and leave the other.",
                                      other=clash.session.title)
        db.session.add(SessionChangeNotice(attendee_id=enrollment.attendee_id,
                                           session_id=session.id, kind="moved", message=text))
    if audit_it:
        audit.record("breakouts.session_moved", event_id=event.id, target=session,
                     before={"room_id": before["room_id"], "slot_id": before["slot_id"]},
                     after={"room_id": room_id, "slot_id": slot_id, "told": len(affected)})
    if session.slot_id:
        _promote_waiting(session)
    # Where and when, before and after, in the language of whoever reads them (LazyString):
    # a receiver writing to each person in their language gets each in theirs.
    old_room, old_slot = before["room"], before["slot"]
    new_room, new_slot = session.room, session.slot
    signals.session_changed.send(
        session,
        attendee_ids=[e.attendee_id for e in affected],
        waitlisted_ids=[e.attendee_id for e in affected if e.status == "waitlisted"],
        before={"where": LazyString(place_of, old_room),
                "when": LazyString(time_of, event, old_slot)},
        after={"where": LazyString(place_of, new_room),
               "when": LazyString(time_of, event, new_slot)},
        change_key=f"{session.id}:{secrets.token_urlsafe(9)}",
    )
    event.bump()
    return len(affected)


def delete_session(event: Event, session: BreakoutSession) -> None:
    audit.record("breakouts.session_deleted", event_id=event.id, target=session,
                 before=session_snapshot(session))
    for enrollment in db.session.scalars(select(Enrollment).where(
            Enrollment.session_id == session.id, Enrollment.status != "cancelled")):
        with force_locale(attendee_locale(enrollment.attendee)):
            text = gettext("“%(title)s” has been cancelled by the organizers.",
                           title=session.title)
        db.session.add(SessionChangeNotice(
            attendee_id=enrollment.attendee_id, kind="cancelled", message=text))
    db.session.delete(session)
    event.bump()


# --- seats ---------------------------------------------------------------------------------


def counts_for(session_ids: list[int]) -> dict[int, tuple[int, int]]:
    """``{session_id: (enrolled, waitlisted)}``."""
    out = {sid: (0, 0) for sid in session_ids}
    if not session_ids:
        return out
    rows = db.session.execute(
        select(Enrollment.session_id, Enrollment.status, func.count())
        .where(Enrollment.session_id.in_(session_ids),
               Enrollment.status.in_(("enrolled", "waitlisted")))
        .group_by(Enrollment.session_id, Enrollment.status))
    for sid, status, n in rows:
        enrolled, waiting = out[sid]
        out[sid] = (n, waiting) if status == "enrolled" else (enrolled, n)
    return out


def _seat_in_slot(attendee_id: int, slot_id: int, exclude: int | None = None):
    stmt = (select(Enrollment).join(BreakoutSession)
            .where(Enrollment.attendee_id == attendee_id, Enrollment.status == "enrolled",
                   BreakoutSession.slot_id == slot_id))
    if exclude is not None:
        stmt = stmt.where(Enrollment.session_id != exclude)
    return db.session.scalars(stmt.order_by(Enrollment.id).limit(1)).first()


def _seats_in_slot(attendee_ids: list[int], slot_id: int,
                   exclude: int | None = None) -> dict[int, Enrollment]:
    """``_seat_in_slot`` for many attendees in one query per 500: ``{attendee_id: seat}``."""
    seats: dict[int, Enrollment] = {}
    for i in range(0, len(attendee_ids), 500):
        stmt = (select(Enrollment).join(BreakoutSession)
                .where(Enrollment.attendee_id.in_(attendee_ids[i:i + 500]),
                       Enrollment.status == "enrolled", BreakoutSession.slot_id == slot_id)
                .options(selectinload(Enrollment.session)))
        if exclude is not None:
            stmt = stmt.where(Enrollment.session_id != exclude)
        for seat in db.session.scalars(stmt.order_by(Enrollment.id.desc())):
            seats[seat.attendee_id] = seat  # descending: the first seat wins, as one by one
    return seats


def _next_position(session_id: int) -> int:
    current = db.session.scalar(select(func.max(Enrollment.waitlist_position))
                                .where(Enrollment.session_id == session_id))
    return (current or 0) + 1


def waitlist_rank(enrollment: Enrollment) -> int | None:
    if enrollment.status != "waitlisted" or enrollment.waitlist_position is None:
        return None
    ahead = db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.session_id == enrollment.session_id, Enrollment.status == "waitlisted",
        Enrollment.waitlist_position < enrollment.waitlist_position)) or 0
    return ahead + 1


@dataclass
class SignupResult:
    action: str  # enroll | swap | waitlist | already | already_waiting
    enrollment: Enrollment
    released: BreakoutSession | None = None
    rank: int | None = None

    @property
    def message(self) -> str:
        title = self.enrollment.session.title
        if self.action == "enroll":
            return gettext("You have a seat in “%(title)s”.", title=title)
        if self.action == "swap":
            return gettext("You have a seat in “%(title)s”. Your seat in “%(released)s” went "
                           "back to the pool.", title=title, released=self.released.title)
        if self.action == "waitlist":
            text = gettext("“%(title)s” is full. You are number %(rank)s on the waitlist.",
                           title=title, rank=self.rank)
            held = _seat_in_slot(self.enrollment.attendee_id, self.enrollment.session.slot_id,
                                 exclude=self.enrollment.session_id)
            if held is not None:
                text += " " + gettext("You keep your seat in “%(held)s” until a seat in "
                                      "“%(title)s” is yours; then we swap them for you.",
                                      held=held.session.title, title=title)
            return text
        if self.action == "already_waiting":
            return gettext("You are already number %(rank)s on the waitlist for “%(title)s”.",
                           rank=self.rank, title=title)
        return gettext("You already have a seat in “%(title)s”.", title=title)


def sign_up(attendee: Attendee, session: BreakoutSession) -> SignupResult:
    """Take a seat (or swap, or join the waitlist) in ``session``; see ``capacity``."""
    if attendee.status != "registered" or attendee.event_id != session.event_id:
        raise BreakoutError(N_("Only registered attendees of this event can sign up."))
    if session.slot_id is None:
        raise BreakoutError(N_("This session has no time yet; sign-up opens once it is scheduled."))
    slot = lock_for_update(db.session, Slot, session.slot_id)
    db.session.refresh(session)
    if session.slot_id != slot.id:  # moved while we waited for the lock
        return sign_up(attendee, session)
    enrolled, waiting = counts_for([session.id])[session.id]
    mine = db.session.scalar(select(Enrollment).where(
        Enrollment.session_id == session.id, Enrollment.attendee_id == attendee.id)
        .execution_options(populate_existing=True))
    held = _seat_in_slot(attendee.id, slot.id, exclude=session.id)
    decision = rules.decide_signup(
        mode=session.mode, capacity=session.effective_capacity, enrolled=enrolled,
        waiting=waiting, current_status=mine.status if mine else None,
        held_in_slot=held.session_id if held else None)
    if decision.action == "closed":
        raise BreakoutError(N_("This session has open seating: no sign-up needed, just come."))
    if decision.action in ("already", "already_waiting"):
        return SignupResult(decision.action, mine, rank=waitlist_rank(mine))
    mine = mine or Enrollment(session_id=session.id, attendee_id=attendee.id)
    mine.created_at = utcnow()
    released = None
    if decision.action == "waitlist":
        mine.status = "waitlisted"
        mine.waitlist_position = _next_position(session.id)
    else:
        mine.status = "enrolled"
        mine.waitlist_position = None
        if decision.action == "swap":
            released = held.session
            held.status = "cancelled"
            held.waitlist_position = None
    db.session.add(mine)
    db.session.flush()
    slot.seq += 1
    audit.record(f"breakouts.{decision.action}", event_id=session.event_id, target=mine,
                 after={"session_id": session.id, "attendee_id": attendee.id,
                        "released": released.id if released else None},
                 actor_label=None)
    if released is not None:
        _promote_waiting(released)
    db.session.refresh(mine)
    return SignupResult(decision.action, mine, released=released, rank=waitlist_rank(mine))


def leave(attendee: Attendee, session: BreakoutSession) -> list[Enrollment]:
    """Give up a seat or leave the waitlist; the first person waiting gets the seat.

    Returns the enrollments promoted as a result.
    """
    if session.slot_id is None:
        return []
    lock_for_update(db.session, Slot, session.slot_id)
    mine = db.session.scalar(select(Enrollment).where(
        Enrollment.session_id == session.id, Enrollment.attendee_id == attendee.id)
        .execution_options(populate_existing=True))
    if mine is None or mine.status == "cancelled":
        return []
    was_enrolled = mine.status == "enrolled"
    mine.status = "cancelled"
    mine.waitlist_position = None
    slot = db.session.get(Slot, session.slot_id)
    slot.seq += 1
    audit.record("breakouts.left", event_id=session.event_id, target=mine,
                 after={"session_id": session.id, "was": "enrolled" if was_enrolled
                        else "waitlisted"})
    db.session.flush()
    return _promote_waiting(session) if was_enrolled else []


def release_all_for(attendee: Attendee) -> list[Enrollment]:
    """Give up every seat and waitlist place of an attendee (their registration was cancelled).

    Runs on ``attendee_cancelled`` and on erasure; returns the people promoted.
    """
    promoted: list[Enrollment] = []
    held = db.session.scalars(select(Enrollment).join(BreakoutSession).where(
        Enrollment.attendee_id == attendee.id,
        Enrollment.status.in_(("enrolled", "waitlisted")))
        .order_by(BreakoutSession.slot_id, Enrollment.id)).all()
    for enrollment in held:
        promoted.extend(leave(attendee, enrollment.session))
    return promoted


def _promote_waiting(session: BreakoutSession, depth: int = 0) -> list[Enrollment]:
    """Fill free seats from the waitlist, in order (the slot must be locked).

    Someone promoted who holds a seat in another session of the slot gives it up in the same
    transaction, and that freed seat is offered to that session's waitlist in turn.
    """
    if session.mode != "signup" or session.slot_id is None or depth > 50:
        return []
    promoted: list[Enrollment] = []
    enrolled, waiting = counts_for([session.id])[session.id]
    free = rules.promotions_possible(session.effective_capacity, enrolled, waiting)
    if not free:
        return promoted
    queue = list(db.session.scalars(
        select(Enrollment).where(Enrollment.session_id == session.id,
                                 Enrollment.status == "waitlisted")
        .order_by(Enrollment.waitlist_position, Enrollment.id).limit(free)))
    slot = db.session.get(Slot, session.slot_id)
    for enrollment in queue:
        held = _seat_in_slot(enrollment.attendee_id, session.slot_id, exclude=session.id)
        enrollment.status = "enrolled"
        enrollment.waitlist_position = None
        with force_locale(attendee_locale(enrollment.attendee)):
            text = gettext("Good news: a seat in “%(title)s” opened up and it is yours.",
                           title=session.title)
            if held is not None:
                text += " " + gettext("Your seat in “%(held)s” at the same time was released.",
                                      held=held.session.title)
        if held is not None:
            held.status = "cancelled"
            held.waitlist_position = None
        db.session.add(SessionChangeNotice(attendee_id=enrollment.attendee_id,
                                           session_id=session.id, kind="promoted",
                                           message=text))
        audit.record("breakouts.promoted", event_id=session.event_id, target=enrollment,
                     after={"session_id": session.id, "released": held.session_id
                            if held else None}, actor_label="system")
        slot.seq += 1
        db.session.flush()
        promoted.append(enrollment)
        if held is not None:
            promoted.extend(_promote_waiting(held.session, depth + 1))
    return promoted


# --- what attendees see ---------------------------------------------------------------------


def my_enrollments(attendee: Attendee) -> dict[int, Enrollment]:
    return {e.session_id: e for e in db.session.scalars(select(Enrollment).where(
        Enrollment.attendee_id == attendee.id,
        Enrollment.status.in_(("enrolled", "waitlisted"))))}


def open_notices(attendee: Attendee) -> list[SessionChangeNotice]:
    return list(db.session.scalars(select(SessionChangeNotice).where(
        SessionChangeNotice.attendee_id == attendee.id,
        SessionChangeNotice.dismissed_at.is_(None)).order_by(SessionChangeNotice.id)))


def dismiss_notice(attendee: Attendee, notice_id: int) -> bool:
    """Dismiss one of ``attendee``'s notices; ``False`` if it is not theirs (or not at all)."""
    notice = db.session.get(SessionChangeNotice, notice_id)
    if notice is None or notice.attendee_id != attendee.id:
        return False
    if notice.dismissed_at is None:
        notice.dismissed_at = utcnow()
    return True


def live_version(event: Event, attendee: Attendee | None = None) -> str:
    """Changes whenever seats, the schedule or this attendee's notices change (an ETag)."""
    seq_sum, slot_count = db.session.execute(
        select(func.coalesce(func.sum(Slot.seq), 0), func.count())
        .where(Slot.event_id == event.id)).one()
    change_seq = db.session.scalar(select(Event.change_seq).where(Event.id == event.id))
    parts = [str(change_seq), str(seq_sum), str(slot_count)]
    if attendee is not None:
        notices = db.session.scalar(select(func.count()).select_from(SessionChangeNotice).where(
            SessionChangeNotice.attendee_id == attendee.id,
            SessionChangeNotice.dismissed_at.is_(None)))
        parts += [str(attendee.id), str(notices)]
    return hashlib.sha256(".".join(parts).encode()).hexdigest()[:20]


@dataclass
class SessionView:
    session: BreakoutSession
    enrolled: int
    waiting: int
    mine: Enrollment | None = None
    rank: int | None = None

    @property
    def capacity(self) -> int | None:
        return self.session.effective_capacity

    @property
    def label(self) -> str | None:
        return rules.seat_label(self.capacity, self.enrolled, self.session.mode)

    @property
    def seats_left(self) -> int | None:
        return rules.seats_left(self.capacity, self.enrolled)


def browse(event: Event, attendee: Attendee | None, tag: str | None = None):
    """``[(slot, [SessionView…])…]`` for scheduled sessions, optionally with one tag."""
    sessions = [s for s in sessions_of(event) if s.slot_id is not None]
    if tag:
        sessions = [s for s in sessions if tag.casefold() in (t.casefold() for t in s.tag_names)]
    counts = counts_for([s.id for s in sessions])
    mine = my_enrollments(attendee) if attendee is not None else {}
    by_slot: dict[int, list[SessionView]] = {}
    for s in sessions:
        enrolled, waiting = counts[s.id]
        m = mine.get(s.id)
        view = SessionView(s, enrolled, waiting, m, waitlist_rank(m) if m else None)
        by_slot.setdefault(s.slot_id, []).append(view)
    slots = [s for s in slots_of(event) if s.id in by_slot]
    for views in by_slot.values():
        views.sort(key=lambda v: (v.session.room.name if v.session.room else "~",
                                  v.session.title))
    return [(slot, by_slot[slot.id]) for slot in slots]


def all_tags(event: Event) -> list[str]:
    return list(db.session.scalars(
        select(SessionTag.name).join(BreakoutSession)
        .where(BreakoutSession.event_id == event.id).distinct().order_by(SessionTag.name)))


@dataclass
class AgendaItem:
    session: BreakoutSession
    enrollment: Enrollment
    rank: int | None
    starts: datetime | None
    clash: bool = False


def agenda_for(event: Event, attendee: Attendee) -> list[AgendaItem]:
    items = []
    for enrollment in my_enrollments(attendee).values():
        s = enrollment.session
        starts = slot_start_utc(event, s.slot) if s.slot else None
        items.append(AgendaItem(s, enrollment, waitlist_rank(enrollment), starts))
    items.sort(key=lambda i: (i.starts is None, i.starts or utcnow(), i.session.title))
    seen: dict[int, AgendaItem] = {}
    for item in items:
        if item.enrollment.status != "enrolled" or item.session.slot_id is None:
            continue
        if item.session.slot_id in seen:
            item.clash = seen[item.session.slot_id].clash = True
        seen[item.session.slot_id] = item
    return items


# --- the organizer's view -------------------------------------------------------------------


def needs_access_counts(session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(Enrollment.session_id, Attendee.accessibility).join(Attendee)
        .where(Enrollment.session_id.in_(session_ids),
               Enrollment.status.in_(("enrolled", "waitlisted")),
               Attendee.accessibility != ""))
    out: dict[int, int] = {}
    for sid, note in rows:
        if rules.needs_access(note):
            out[sid] = out.get(sid, 0) + 1
    return out


def conflicts_for(event: Event) -> list[rules.Conflict]:
    sessions = sessions_of(event)
    access = needs_access_counts([s.id for s in sessions])
    facts = [rules.SessionFacts(
        id=s.id, title=s.title, slot_id=s.slot_id, room_id=s.room_id, capacity=s.capacity,
        facilitators=tuple(f.email for f in s.facilitators),
        needs_access_count=access.get(s.id, 0)) for s in sessions]
    rooms = {r.id: rules.RoomFacts(r.id, r.name, r.capacity, r.accessible)
             for r in rooms_of(event)}
    slots = {s.id: rules.SlotFacts(s.id, s.day, s.starts, s.ends) for s in slots_of(event)}
    return rules.find_conflicts(facts, rooms, slots)


def roster(session: BreakoutSession) -> tuple[list[Enrollment], list[Enrollment]]:
    rows = list(db.session.scalars(select(Enrollment).join(Attendee).where(
        Enrollment.session_id == session.id, Enrollment.status.in_(("enrolled", "waitlisted")))
        .order_by(Enrollment.waitlist_position, Attendee.last_name, Attendee.first_name)))
    return ([e for e in rows if e.status == "enrolled"],
            [e for e in rows if e.status == "waitlisted"])


def sessions_facilitated_by(event: Event, user) -> list[BreakoutSession]:
    return list(db.session.scalars(
        select(BreakoutSession).join(SessionFacilitator)
        .where(BreakoutSession.event_id == event.id,
               (SessionFacilitator.user_id == user.id)
               | (SessionFacilitator.email == user.email))
        .distinct().order_by(BreakoutSession.title)))


# --- attendance (check-in lists per session) ------------------------------------------------


@dataclass(frozen=True)
class AttendanceStats:
    signed_up: int
    attended: int
    walk_ins: int  # attended without signing up
    no_shows: int


def attendance_stats(sessions: list[BreakoutSession]) -> dict[int, AttendanceStats]:
    from summit.checkin.api import attendance_by_session

    ids = [s.id for s in sessions]
    if not ids:
        return {}
    enrolled: dict[int, set[int]] = {i: set() for i in ids}
    for sid, aid in db.session.execute(select(Enrollment.session_id, Enrollment.attendee_id)
                                       .where(Enrollment.session_id.in_(ids),
                                              Enrollment.status == "enrolled")):
        enrolled[sid].add(aid)
    attended = attendance_by_session(ids)
    return {i: AttendanceStats(len(enrolled[i]), len(attended[i]),
                               len(attended[i] - enrolled[i]), len(enrolled[i] - attended[i]))
            for i in ids}


# --- calendar keys --------------------------------------------------------------------------


def existing_calendar_secret(attendee: Attendee) -> str | None:
    """The attendee's calendar key if they have one (a read; ``calendar_secret`` creates)."""
    return db.session.scalar(select(CalendarKey.secret)
                             .where(CalendarKey.attendee_id == attendee.id))


def calendar_secret(attendee: Attendee, *, renew: bool = False) -> str:
    key = db.session.scalar(select(CalendarKey).where(CalendarKey.attendee_id == attendee.id))
    attendee_id = attendee.id
    if key is None:
        # Opening the agenda (a GET) creates the key on the first visit: take the write lock
        # properly, or SQLite refuses the insert when another request wrote meanwhile.
        begin_write(db.session)
        key = db.session.scalar(select(CalendarKey).where(CalendarKey.attendee_id == attendee_id))
    if key is None:
        key = CalendarKey(attendee_id=attendee_id, secret=secrets.token_urlsafe(24))
        db.session.add(key)
        db.session.flush()
    elif renew:
        key.secret = secrets.token_urlsafe(24)
    return key.secret


def attendee_for_calendar(secret: str) -> Attendee | None:
    if not 16 <= len(secret) <= 64:
        return None
    key = db.session.scalar(select(CalendarKey).where(CalendarKey.secret == secret))
    return key and db.session.get(Attendee, key.attendee_id)


# --- import ---------------------------------------------------------------------------------


@dataclass
class SessionImportSummary:
    added: int = 0
    updated: int = 0
    rooms_created: int = 0


def import_sessions(event: Event, parsed: SessionParseResult) -> SessionImportSummary:
    """Import clean rows (caller commits, or rolls back on error). A session with the same
    title in the same slot is updated, so re-importing a corrected file adds nothing twice."""
    if not parsed.ok:
        raise BreakoutError("The file has errors; nothing was imported.")
    summary = SessionImportSummary()
    for row in parsed.rows:
        room = None
        if row.room:
            room = find_room(event, row.room)
            if room is None:
                room = save_room(event, row.room, row.capacity or 30, True)
                summary.rooms_created += 1
        slot = get_or_create_slot(event, row.day, row.start, row.end)
        existing = db.session.scalar(select(BreakoutSession).where(
            BreakoutSession.event_id == event.id, BreakoutSession.slot_id == slot.id,
            func.lower(BreakoutSession.title) == row.title.lower()))
        data = SessionData(title=row.title, description=row.description,
                           room_id=room.id if room else None, slot_id=slot.id,
                           capacity=row.capacity, tags=list(row.tags),
                           facilitators=list(row.facilitators),
                           mode=existing.mode if existing else "signup")
        save_session(event, data, existing)
        if existing:
            summary.updated += 1
        else:
            summary.added += 1
    audit.record("breakouts.imported", event_id=event.id,
                 after={"added": summary.added, "updated": summary.updated,
                        "rooms_created": summary.rooms_created})
    return summary
