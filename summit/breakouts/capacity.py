"""The breakout rules as plain functions (no Flask, no database).

Seat labels say how soon a session will be full: none while fewer than half of its seats are
taken (its "120 of 120 seats left" says enough), **Limited** from half, **Filling** from 75% (as
on Sched) and **Full** with no seat left. Open-seating sessions and sessions without a capacity
get no label.

One session per slot: an attendee holds at most one seat per time slot. Asking for session B
while holding a seat in A (same slot) is decided by :func:`decide_signup`:

- B has a free seat: **swap** in one step (A's seat is released, B's taken, in one transaction).
- B is full: the attendee joins B's **waitlist and keeps A**. When B's seat comes, the promotion
  takes B and releases A in the same transaction, and A's freed seat goes to A's own waitlist.
  Nobody ever holds two seats in one slot, and nobody loses a seat for a seat they did not get.

Access needs (documented rule, :func:`needs_access`): an attendee "needs access" when their
accessibility note mentions mobility, a wheelchair, step-free access, a walker, a scooter, a
cane/crutches, stairs/steps/elevator/lift, or ramp. Other notes (large print, hearing loop,
dietary-like remarks) do not make an inaccessible *room* a conflict.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

LIMITED_RATIO = 0.5
FILLING_RATIO = 0.75


def N_(text: str) -> str:  # noqa: N802  (gettext no-op marker: shown with ``tr`` to attendees)
    return text


ACCESS_WORDS = re.compile(
    r"wheel\s*chair|step[\s-]*free|mobility|walker|scooter|crutch|cane\b|stairs?\b|steps?\b|"
    r"elevator|lift\b|ramp|accessible room|limited walking|no stairs",
    re.IGNORECASE,
)


def effective_capacity(session_capacity: int | None, room_capacity: int | None) -> int | None:
    return session_capacity if session_capacity is not None else room_capacity


def seats_left(capacity: int | None, taken: int) -> int | None:
    return None if capacity is None else max(capacity - taken, 0)


def seat_label(capacity: int | None, taken: int, mode: str = "signup") -> str | None:
    """``"Full"``, ``"Filling"``, ``"Limited"`` or ``None`` (plenty of room, open seating or no
    capacity)."""
    if mode != "signup" or capacity is None:
        return None
    if taken >= capacity:
        return N_("Full")
    if taken >= FILLING_RATIO * capacity:
        return N_("Filling")
    if taken >= LIMITED_RATIO * capacity:
        return N_("Limited")
    return None


def needs_access(accessibility_note: str | None) -> bool:
    return bool(accessibility_note and ACCESS_WORDS.search(accessibility_note))


@dataclass(frozen=True)
class Decision:
    action: str  # enroll | swap | waitlist | already | already_waiting | closed
    release_session_id: int | None = None


def decide_signup(*, mode: str, capacity: int | None, enrolled: int, waiting: int,
                  current_status: str | None, held_in_slot: int | None) -> Decision:
    """What happens when an attendee asks for a seat in a session.

    ``enrolled``/``waiting``: the session's counts now; ``current_status``: the attendee's
    enrollment in this session (``None``, ``"enrolled"``, ``"waitlisted"``, ``"cancelled"``);
    ``held_in_slot``: the id of another session of the same slot where they hold a seat.
    People already waiting go first: a free seat is only taken directly when nobody waits.
    """
    if mode != "signup":
        return Decision("closed")
    if current_status == "enrolled":
        return Decision("already")
    if current_status == "waitlisted":
        return Decision("already_waiting")
    has_seat = capacity is None or (enrolled < capacity and waiting == 0)
    if not has_seat:
        return Decision("waitlist")
    if held_in_slot is not None:
        return Decision("swap", release_session_id=held_in_slot)
    return Decision("enroll")


def promotions_possible(capacity: int | None, enrolled: int, waiting: int) -> int:
    """How many people waiting can be moved in now."""
    if capacity is None:
        return waiting
    return max(0, min(capacity - enrolled, waiting))


# --- conflicts on the organizer's grid ---------------------------------------------------


@dataclass(frozen=True)
class SessionFacts:
    id: int
    title: str
    slot_id: int | None
    room_id: int | None
    capacity: int | None  # the session's own capacity (None = the room's)
    facilitators: tuple[str, ...] = ()  # emails
    needs_access_count: int = 0  # enrolled/waitlisted people who need step-free access


@dataclass(frozen=True)
class RoomFacts:
    id: int
    name: str
    capacity: int
    accessible: bool


@dataclass(frozen=True)
class SlotFacts:
    id: int
    day: int
    starts: object  # datetime.time
    ends: object


@dataclass(frozen=True)
class Conflict:
    kind: str  # room_double_booked | facilitator_clash | over_room_capacity | inaccessible
    session_ids: tuple[int, ...]
    message: str


def slots_overlap(a: SlotFacts, b: SlotFacts) -> bool:
    return a.day == b.day and a.starts < b.ends and b.starts < a.ends


def find_conflicts(sessions: Iterable[SessionFacts], rooms: dict[int, RoomFacts],
                   slots: dict[int, SlotFacts]) -> list[Conflict]:
    sessions = [s for s in sessions if s.slot_id is not None]
    conflicts: list[Conflict] = []
    by_room_slot: dict[tuple[int, int], list[SessionFacts]] = defaultdict(list)
    for s in sessions:
        if s.room_id is not None:
            by_room_slot[(s.room_id, s.slot_id)].append(s)
    # A room booked twice: same slot, or overlapping slots.
    room_sessions: dict[int, list[SessionFacts]] = defaultdict(list)
    for s in sessions:
        if s.room_id is not None:
            room_sessions[s.room_id].append(s)
    for room_id, items in room_sessions.items():
        for i, a in enumerate(items):
            for b in items[i + 1:]:
                if a.slot_id == b.slot_id or slots_overlap(slots[a.slot_id], slots[b.slot_id]):
                    conflicts.append(Conflict(
                        "room_double_booked", (a.id, b.id),
                        f"{rooms[room_id].name} is booked twice: “{a.title}” and “{b.title}”."))
    # A facilitator in two places at once.
    for i, a in enumerate(sessions):
        for b in sessions[i + 1:]:
            if a.slot_id != b.slot_id and not slots_overlap(slots[a.slot_id], slots[b.slot_id]):
                continue
            for person in sorted(set(a.facilitators) & set(b.facilitators)):
                conflicts.append(Conflict(
                    "facilitator_clash", (a.id, b.id),
                    f"{person} facilitates “{a.title}” and “{b.title}” at the same time."))
    for s in sessions:
        room = rooms.get(s.room_id) if s.room_id is not None else None
        if room is None:
            continue
        if s.capacity is not None and s.capacity > room.capacity:
            conflicts.append(Conflict(
                "over_room_capacity", (s.id,),
                f"“{s.title}” allows {s.capacity} people but {room.name} seats {room.capacity}."))
        if not room.accessible and s.needs_access_count:
            who = "person needs" if s.needs_access_count == 1 else "people need"
            conflicts.append(Conflict(
                "inaccessible", (s.id,),
                f"“{s.title}” is in {room.name}, which is not step-free, and "
                f"{s.needs_access_count} {who} step-free access."))
    return conflicts
