"""Small groups for a meeting, formed by the homeroom engine (through ``homerooms.api``).

The engine avoids repeated tablemates across the days of one problem. A meeting's groups are
one more "day" after the history of the series: every earlier meeting's groups, and the
summit's homeroom tables, are days whose seats are pinned (people who were not there sit alone
at a one-seat table, so they meet nobody). Those history tables and seats are closed on the
meeting's own day, so the engine only arranges the meeting, avoiding pairs who already met,
then same-district pairs and role clusters. No Flask, no database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from summit.homerooms.api import (
    InfeasibleError,
    Person,
    Problem,
    Table,
    rebalance,
)

Grouping = Sequence[Sequence[int]]  # one meeting (or summit day): its groups of member ids


@dataclass(frozen=True)
class GroupMember:
    id: int
    district: str
    role: str = ""
    state: str = ""


@dataclass
class GroupPlan:
    groups: list[list[int]]
    repeats: int  # pairs in these groups who had already met
    repeat_bound: int  # the fewest repeats any grouping of these people could have
    district_pairs: int

    @property
    def summary(self) -> str:
        return (f"{len(self.groups)} groups; {self.repeats} pairs met before "
                f"(lower bound {self.repeat_bound}); {self.district_pairs} same-district pairs")


def met_pairs(history: Sequence[Grouping]) -> set[frozenset[int]]:
    return {frozenset(pair) for grouping in history for group in grouping
            for pair in combinations(sorted(set(group)), 2)}


def group_count(people: int, size: int) -> int:
    return max(1, math.ceil(people / max(size, 2)))


def repeat_lower_bound(ids: Sequence[int], groups: int, met: set[frozenset[int]]) -> int:
    """Each person shares a group with at least ``n // groups - 1`` others; those beyond the
    people they have not met yet are repeats (each counted from both ends)."""
    n = len(ids)
    if n == 0:
        return 0
    smallest = n // groups
    present = set(ids)
    unmet_needed = 0
    for person in ids:
        met_here = sum(1 for other in present if other != person
                       and frozenset((person, other)) in met)
        unmet = n - 1 - met_here
        unmet_needed += max(0, smallest - 1 - unmet)
    return math.ceil(unmet_needed / 2)


def form_groups(people: Sequence[GroupMember], size: int, history: Sequence[Grouping] = (),
                *, seed: int = 0, iterations: int = 30_000) -> GroupPlan:
    """Groups of about ``size`` for ``people``, mixing districts, avoiding earlier pairs.

    ``history``: earlier meetings' groups and the summit's homeroom tables, any order."""
    if not people:
        return GroupPlan([], 0, 0, 0)
    ids = [p.id for p in people]
    present = set(ids)
    count = group_count(len(ids), size)
    capacity = math.ceil(len(ids) / count)
    days: list[list[list[int]]] = []
    for grouping in history:
        kept = [[i for i in dict.fromkeys(group) if i in present] for group in grouping]
        kept = [group for group in kept if len(group) >= 2]
        if kept:
            days.append(kept)
    today = len(days) + 1
    tables = [Table(("g", k), capacity) for k in range(count)]
    pins: dict[tuple[int, int], tuple] = {}
    closed: list[tuple[tuple, int]] = []
    for d, grouping in enumerate(days, start=1):
        seated = set()
        for k, group in enumerate(grouping):
            table = ("h", d, k)
            tables.append(Table(table, len(group)))
            closed.append((table, today))
            for person in group:
                if person not in seated:  # one seat a day, even if history says otherwise
                    pins[(person, d)] = table
                    seated.add(person)
    if days:
        for person in ids:
            tables.append(Table(("solo", person), 1))
            closed.append((("solo", person), today))
            for d in range(1, today):
                pins.setdefault((person, d), ("solo", person))
    problem = Problem(
        people=[Person(p.id, p.district or f"member {p.id}", p.state, p.role) for p in people],
        tables=tables, days=today, pins=pins, seed=seed)
    try:
        seating = rebalance(problem, {}, reseat_all=True, locked_tables=closed,
                            anneal_iterations=iterations)
    except InfeasibleError:  # cannot happen with these capacities; keep the meeting going
        seating = {today: {("g", k): ids[k::count] for k in range(count)}}
    groups = [sorted(seating[today][("g", k)]) for k in range(count)]
    groups = [g for g in groups if g]
    met = met_pairs(days)
    repeats = sum(1 for g in groups for pair in combinations(g, 2) if frozenset(pair) in met)
    district = {p.id: p.district for p in people}
    district_pairs = sum(1 for g in groups for a, b in combinations(g, 2)
                         if district[a] and district[a] == district[b])
    return GroupPlan(groups, repeats, repeat_lower_bound(ids, count, met), district_pairs)
