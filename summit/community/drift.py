"""Who is drifting away from a series, and which districts and roles stopped coming. No Flask.

A member drifts when they were a member for each of the last three meetings held and came to
none of them. A district (or role) stopped coming when some of its members came before those
three meetings and none came since. Hosts see counts, never names, and only for groups of at
least ``MINIMUM_GROUP`` people (as every aggregate in Summit).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

MINIMUM_GROUP = 3
WINDOW = 3


@dataclass(frozen=True)
class MemberFacts:
    id: int
    district: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class HeldMeeting:
    """A meeting that took place (not cancelled, already started), and who came."""

    starts_at: datetime
    present: frozenset[int] = field(default_factory=frozenset)


@dataclass
class DriftReport:
    drifting: list[int]  # member ids: for reaching out by email, never shown as names
    districts_stopped: list[str]
    roles_stopped: list[str]
    meetings_considered: int
    attendance: list[tuple[datetime, int]]  # (meeting, how many came)

    @property
    def drifting_count(self) -> int:
        return len(self.drifting)


def _recent(meetings: Iterable[HeldMeeting], window: int) -> tuple[list[HeldMeeting],
                                                                     list[HeldMeeting]]:
    ordered = sorted(meetings, key=lambda m: m.starts_at)
    return ordered[:-window] if len(ordered) > window else [], ordered[-window:]


def drifting_members(members: Sequence[MemberFacts], meetings: Iterable[HeldMeeting],
                     window: int = WINDOW) -> list[int]:
    _earlier, recent = _recent(meetings, window)
    if len(recent) < window:
        return []
    first = recent[0].starts_at
    came = set().union(*(m.present for m in recent))
    return sorted(m.id for m in members if m.joined_at <= first and m.id not in came)


def stopped(members: Sequence[MemberFacts], meetings: Iterable[HeldMeeting], key: str,
            window: int = WINDOW) -> list[str]:
    """Values of ``key`` ("district" or "role") seen before the last ``window`` meetings and
    not since, among groups of at least ``MINIMUM_GROUP`` members."""
    earlier, recent = _recent(meetings, window)
    if len(recent) < window or not earlier:
        return []
    value = {m.id: getattr(m, key) for m in members}
    sizes = Counter(value.values())
    before = {value[i] for m in earlier for i in m.present if i in value}
    since = {value[i] for m in recent for i in m.present if i in value}
    return sorted(v for v in before - since if v and sizes[v] >= MINIMUM_GROUP)


def drift_report(members: Sequence[MemberFacts], meetings: Iterable[HeldMeeting],
                 window: int = WINDOW) -> DriftReport:
    meetings = sorted(meetings, key=lambda m: m.starts_at)
    return DriftReport(
        drifting=drifting_members(members, meetings, window),
        districts_stopped=stopped(members, meetings, "district", window),
        roles_stopped=stopped(members, meetings, "role", window),
        meetings_considered=len(meetings),
        attendance=[(m.starts_at, len(m.present)) for m in meetings],
    )


def progress_counts(statuses: Iterable[str], minimum: int = MINIMUM_GROUP
                    ) -> Mapping[str, int] | None:
    """How many notes say done, in progress or stuck; ``None`` below ``minimum`` notes, so a
    small meeting's counts cannot point at a person."""
    counts = Counter(statuses)
    if sum(counts.values()) < minimum:
        return None
    return {status: counts.get(status, 0) for status in ("done", "in_progress", "stuck")}
