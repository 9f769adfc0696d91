"""The program's rules as plain functions (no Flask, no database).

- **Block kinds** (:data:`KINDS`): what a plenary block is. The public program labels it; a
  capability that values program time (learning credit) reads it (meals and breaks earn none).
- **Block times** (:func:`block_time_problems`): inside the event's days, the end after the
  start. **Rooms** (:func:`overlapping`): a room holds one thing at a time, so a block may not
  overlap another block or a breakout session in the same room.
- **Embed origins** (:func:`parse_origins`): the websites allowed to frame the program are
  origins (``https://www.district.org``), each becoming a source of the embed's
  ``frame-ancestors`` directive; anything else (``*``, a path, a quote) is refused.
- **The public program** (:func:`build_program`): the event's days, each a time-ordered list of
  plenary blocks and breakout time slots (with their sessions), filtered by day and by tag.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from urllib.parse import urlsplit


def N_(text: str) -> str:  # noqa: N802  (gettext no-op marker: shown with ``tr``)
    return text


# kind -> label (English; shown with ``tr`` on the public pages).
KINDS = {
    "plenary": N_("Plenary"),
    "homeroom": N_("Homeroom time"),
    "workshop": N_("Workshop"),
    "meal": N_("Meal"),
    "break": N_("Break"),
    "other": N_("Other"),
}
# What organizers are offered first, and what the kind means, on the organizer's page.
KIND_HINTS = {
    "plenary": "Keynote, welcome, panel: everyone in one room",
    "homeroom": "Time at the homeroom tables",
    "workshop": "A working session for everyone, such as action planning",
    "meal": "Breakfast, lunch, reception",
    "break": "Break, networking, travel between rooms",
    "other": "Anything else (registration desk open, exhibit hall)",
}
# Kinds that are time for learning (the others are meals and breaks).
LEARNING_KINDS = frozenset({"plenary", "homeroom", "workshop", "other"})

TITLE_MAX = 200
DESCRIPTION_MAX = 4000


def minutes_of(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def block_time_problems(day: int | None, starts: time | None, ends: time | None,
                        event_days: int) -> dict[str, str]:
    """``{field: message}`` for a block's day and times (empty when they are fine)."""
    problems = {}
    days = max(event_days, 1)
    if day is None or not 1 <= day <= days:
        problems["day"] = (f"Choose a day of the event (1 to {days})." if days > 1
                           else "The event has one day: choose day 1.")
    if starts is None:
        problems["starts"] = "Enter a start time like 09:00."
    if ends is None:
        problems["ends"] = "Enter an end time like 10:00."
    if starts is not None and ends is not None and minutes_of(ends) <= minutes_of(starts):
        problems["ends"] = "The end time must be after the start time."
    return problems


def overlapping(starts: time, ends: time, other_starts: time, other_ends: time) -> bool:
    """Whether two times of the same day overlap (touching ends do not)."""
    return starts < other_ends and other_starts < ends


# --- embed origins ------------------------------------------------------------------------

MAX_ORIGINS = 20
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^(?:\*\.)?{_LABEL}(?:\.{_LABEL})*$")


def _origin(entry: str) -> str:
    """One origin, normalized (``https://www.district.org``); ``ValueError`` with a reason."""
    text = entry.strip().rstrip("/")
    if "://" not in text:
        text = "https://" + text  # "www.district.org": a website address without its scheme
    if any(c in text for c in "'\";,\\ \t") or not text.isascii():
        raise ValueError(f"“{entry}” is not a website address (use punycode for non-ASCII "
                         "names, like https://xn--caf-dma.example).")
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http"):
        raise ValueError(f"“{entry}” must start with https:// (or http://).")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(f"“{entry}”: give only the website's address, like "
                         "https://www.district.org.")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError(f"“{entry}” has a port that is not a number from 1 to 65535.")
    host = (parts.hostname or "").lower()
    netloc_host = parts.netloc.rsplit(":", 1)[0] if port else parts.netloc
    if (not host or len(host) > 253 or not _HOST.match(host) or netloc_host.lower() != host
            or ("." not in host and host != "localhost")):
        raise ValueError(f"“{entry}” is not a website address like https://www.district.org.")
    # A path (https://www.district.org/events/summit) does not narrow frame-ancestors, which
    # compares origins: the page that shows the frame may be anywhere on that site.
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def parse_origins(text: str) -> tuple[list[str], list[str]]:
    """``(origins, problems)`` for what an organizer typed: one website per line (or
    separated by spaces or commas), each reduced to its origin, duplicates dropped."""
    origins: list[str] = []
    problems: list[str] = []
    for entry in re.split(r"[\s,]+", text or ""):
        if not entry:
            continue
        if entry == "*" or entry.startswith("'"):
            problems.append(f"“{entry}” is not allowed: list each website that may show the "
                            "program, like https://www.district.org.")
            continue
        try:
            origin = _origin(entry)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        problems.append(f"List at most {MAX_ORIGINS} websites.")
    return origins, problems


# --- the public program -------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of a day: a plenary block, or a breakout time slot with its sessions."""

    starts: time
    ends: time
    block: object | None = None
    slot: object | None = None
    sessions: tuple = ()

    @property
    def is_block(self) -> bool:
        return self.block is not None


@dataclass(frozen=True)
class ProgramDay:
    number: int
    date: date
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Program:
    days: list[ProgramDay]      # the days shown (one when a day is chosen)
    all_days: list[tuple[int, date]]  # every day of the event, for the day filter
    tags: list[str]             # every tag of a scheduled session, for the tag filter
    day: int | None             # the day chosen, if any
    tag: str | None             # the tag chosen (as the sessions spell it), if any
    published: bool = True      # anything at all on the program (whatever the filters)

    @property
    def empty(self) -> bool:
        return not any(d.entries for d in self.days)


def _distinct_tags(names: Iterable[str]) -> list[str]:
    """Each tag once whatever its case ("Policy", "policy"), spelled as most sessions spell
    it, in alphabetical order."""
    spellings: dict[str, Counter] = {}
    for name in names:
        spellings.setdefault(name.casefold(), Counter())[name] += 1
    return sorted((min(c, key=lambda n: (-c[n], n)) for c in spellings.values()),
                  key=str.casefold)


def _has_tag(session, tag_key: str) -> bool:
    return any(t.casefold() == tag_key for t in session.tag_names)


def _room_name(item) -> str:
    return item.room.name if item.room is not None else ""


def build_program(start_date: date, event_days: int, blocks: Iterable, sessions: Iterable,
                  *, day: int | None = None, tag: str | None = None) -> Program:
    """The program of an event as days of entries in time order.

    ``blocks``: plenary blocks (``day``, ``starts``, ``ends``, ``title``, ``room``);
    ``sessions``: breakout sessions (``slot`` with ``day``/``starts``/``ends``/``id``,
    ``tag_names``, ``title``, ``room``); sessions without a time slot, and anything on a day
    the event no longer has, are left out. With ``tag``, only the sessions carrying it (any
    case) are shown, and no plenary block; with ``day``, only that day.
    """
    days = max(event_days, 1)
    blocks = [b for b in blocks if 1 <= b.day <= days]
    scheduled = [s for s in sessions if s.slot is not None and 1 <= s.slot.day <= days]
    tags = _distinct_tags(t for s in scheduled for t in s.tag_names)
    tag_key = tag.casefold() if tag else None
    chosen_tag = next((t for t in tags if t.casefold() == tag_key), tag) if tag else None
    if day is not None and not 1 <= day <= days:
        day = None
    by_day: dict[int, list[Entry]] = {n: [] for n in range(1, days + 1)}
    if tag_key is None:
        for block in blocks:
            by_day[block.day].append(Entry(block.starts, block.ends, block=block))
    slots: dict[int, tuple[object, list]] = {}
    for s in scheduled:
        if tag_key is not None and not _has_tag(s, tag_key):
            continue
        slots.setdefault(s.slot.id, (s.slot, []))[1].append(s)
    for slot, members in slots.values():
        members.sort(key=lambda s: (_room_name(s) == "", _room_name(s).casefold(),
                                    s.title.casefold()))
        by_day[slot.day].append(Entry(slot.starts, slot.ends, slot=slot,
                                      sessions=tuple(members)))
    for entries in by_day.values():
        # Blocks before slots at the same time; then the shorter first; then by title.
        entries.sort(key=lambda e: (e.starts, not e.is_block, e.ends,
                                    (e.block.title if e.block else "").casefold()))
    shown = [day] if day is not None else list(range(1, days + 1))
    return Program(
        days=[ProgramDay(n, start_date + timedelta(days=n - 1), by_day[n]) for n in shown],
        all_days=[(n, start_date + timedelta(days=n - 1)) for n in range(1, days + 1)],
        tags=tags, day=day, tag=chosen_tag, published=bool(blocks or scheduled))


def sessions_overlapping(starts: time, ends: time, day: int,
                         sessions: Sequence) -> list:
    """The sessions (with a slot) of ``day`` whose slot overlaps ``starts``–``ends``."""
    return [s for s in sessions if s.slot is not None and s.slot.day == day
            and overlapping(starts, ends, s.slot.starts, s.slot.ends)]
