"""Validate a :class:`Problem` and index it with small integers for the search.

Everything is ordered by the position of people and tables in the problem, never by hashing,
so results do not depend on ``PYTHONHASHSEED``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from .model import Day, InfeasibleError, PersonId, Problem, TableId


def _interner() -> tuple[dict[str, int], list[str]]:
    return {}, []


def _intern(value: str, index: dict[str, int], names: list[str]) -> int:
    if value not in index:
        index[value] = len(names)
        names.append(value)
    return index[value]


@dataclass
class Layout:
    """Integer view of a problem. Day numbers are 0-based here, 1-based outside."""

    problem: Problem
    person_ids: list[PersonId]
    table_ids: list[TableId]
    person_index: dict[PersonId, int]
    table_index: dict[TableId, int]
    district: list[int]
    state: list[int]
    role: list[int]
    district_names: list[str]
    state_names: list[str]
    role_names: list[str]
    needs_accessible: list[bool]
    accessible: list[bool]
    capacity: list[int]
    unit_of: list[int]
    units: list[list[int]]
    apart: list[set[int]]
    #: ``fixed[day][unit] -> table`` for pins, facilitators and locks.
    fixed: list[dict[int, int]]
    days: int

    @property
    def people_count(self) -> int:
        return len(self.person_ids)

    @property
    def table_count(self) -> int:
        return len(self.table_ids)

    def unit_needs_accessible(self, unit: int) -> bool:
        return any(self.needs_accessible[p] for p in self.units[unit])

    def describe_person(self, p: int) -> str:
        return str(self.person_ids[p])


def build_layout(
    problem: Problem,
    extra_fixed: Mapping[tuple[PersonId, Day], TableId] | None = None,
    closed_tables: Collection[tuple[TableId, Day]] = (),
) -> Layout:
    """Index ``problem`` and check every hard rule that can be checked before seating.

    ``extra_fixed`` adds pins (used for locked seats); ``closed_tables`` are (table, day)
    pairs that accept nobody beyond their fixed occupants.
    """
    if problem.days < 1:
        raise InfeasibleError("The summit needs at least one day of homerooms.")
    if not problem.tables:
        raise InfeasibleError("There are no tables to seat anyone at.")
    person_ids = [p.id for p in problem.people]
    table_ids = [t.id for t in problem.tables]
    person_index: dict[PersonId, int] = {}
    for i, pid in enumerate(person_ids):
        if pid in person_index:
            raise InfeasibleError(f"Attendee {pid!r} is listed twice.")
        person_index[pid] = i
    table_index: dict[TableId, int] = {}
    for i, tid in enumerate(table_ids):
        if tid in table_index:
            raise InfeasibleError(f"Table {tid!r} is listed twice.")
        table_index[tid] = i
    for table in problem.tables:
        if table.capacity < 0:
            raise InfeasibleError(f"Table {table.id!r} has a negative capacity.")

    districts, district_names = _interner()
    states, state_names = _interner()
    roles, role_names = _interner()
    n = len(person_ids)
    days = problem.days
    district = [_intern(p.district, districts, district_names) for p in problem.people]
    state = [_intern(p.state, states, state_names) for p in problem.people]
    role = [_intern(p.role, roles, role_names) for p in problem.people]
    needs = [p.needs_accessible for p in problem.people]
    accessible = [t.accessible for t in problem.tables]
    capacity = [t.capacity for t in problem.tables]

    def person(pid: PersonId, context: str) -> int:
        if pid not in person_index:
            raise InfeasibleError(f"{context} names {pid!r}, who is not on the roster.")
        return person_index[pid]

    def table(tid: TableId, context: str) -> int:
        if tid not in table_index:
            raise InfeasibleError(f"{context} names table {tid!r}, which does not exist.")
        return table_index[tid]

    # Keep-together groups merge into units (union-find, smallest index as root).
    parent = list(range(n))

    def root(p: int) -> int:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for group in problem.keep_together:
        members = sorted(person(pid, "A keep-together group") for pid in group)
        for other in members[1:]:
            a, b = root(members[0]), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    unit_by_root: dict[int, int] = {}
    unit_of = [0] * n
    units: list[list[int]] = []
    for p in range(n):
        r = root(p)
        if r not in unit_by_root:
            unit_by_root[r] = len(units)
            units.append([])
        unit_of[p] = unit_by_root[r]
        units[unit_of[p]].append(p)

    apart: list[set[int]] = [set() for _ in range(n)]
    for a_id, b_id in problem.keep_apart:
        a, b = person(a_id, "A keep-apart pair"), person(b_id, "A keep-apart pair")
        if a == b:
            raise InfeasibleError(f"{a_id!r} cannot be kept apart from themself.")
        if unit_of[a] == unit_of[b]:
            raise InfeasibleError(
                f"{a_id!r} and {b_id!r} must be kept apart but are in the same keep-together group."
            )
        apart[a].add(b)
        apart[b].add(a)

    # Fixed seats: facilitators every day, pins, extra pins (locks).
    wanted: list[dict[int, tuple[int, str]]] = [{} for _ in range(days)]

    def fix(p: int, d: int, t: int, why: str) -> None:
        if not 0 <= d < days:
            raise InfeasibleError(f"{why} is for day {d + 1}, but the summit has {days} days.")
        u = unit_of[p]
        earlier = wanted[d].get(u)
        if earlier is not None and earlier[0] != t:
            raise InfeasibleError(
                f"On day {d + 1}, {why} puts {person_ids[p]!r} at table {table_ids[t]!r}, but "
                f"{earlier[1]} requires table {table_ids[earlier[0]]!r} for the same group."
            )
        wanted[d][u] = (t, why)

    for t, tbl in enumerate(problem.tables):
        if tbl.facilitator_id is not None:
            p = person(tbl.facilitator_id, f"Table {tbl.id!r}'s facilitator")
            for d in range(days):
                fix(p, d, t, f"facilitating table {tbl.id!r}")
    pin_items = sorted(
        ((person(pid, "A pin"), day, tid) for (pid, day), tid in problem.pins.items()),
        key=lambda item: (item[0], item[1]),
    )
    for p, day, tid in pin_items:
        fix(p, day - 1, table(tid, "A pin"), f"the pin of {person_ids[p]!r}")
    for (pid, day), tid in sorted(
        (extra_fixed or {}).items(), key=lambda kv: (person_index.get(kv[0][0], -1), kv[0][1])
    ):
        fix(person(pid, "A locked seat"), day - 1, table(tid, "A locked seat"), "a locked seat")

    fixed = [{u: t for u, (t, _) in wanted[d].items()} for d in range(days)]
    _check_capacity(fixed, units, needs, accessible, capacity, person_ids, table_ids, apart)
    for tid, _day in closed_tables:
        table(tid, "A locked table")
    return Layout(
        problem=problem,
        person_ids=person_ids,
        table_ids=table_ids,
        person_index=person_index,
        table_index=table_index,
        district=district,
        state=state,
        role=role,
        district_names=district_names,
        state_names=state_names,
        role_names=role_names,
        needs_accessible=needs,
        accessible=accessible,
        capacity=capacity,
        unit_of=unit_of,
        units=units,
        apart=apart,
        fixed=fixed,
        days=days,
    )


def _check_capacity(
    fixed: list[dict[int, int]],
    units: list[list[int]],
    needs: list[bool],
    accessible: list[bool],
    capacity: list[int],
    person_ids: list[PersonId],
    table_ids: list[TableId],
    apart: list[set[int]],
) -> None:
    n = len(person_ids)
    seats = sum(capacity)
    if n > seats:
        raise InfeasibleError(
            f"{n} attendees but only {seats} seats at {len(capacity)} tables; "
            f"add {n - seats} seats."
        )
    biggest = max(capacity)
    accessible_seats = sum(c for c, ok in zip(capacity, accessible, strict=True) if ok)
    biggest_accessible = max(
        (c for c, ok in zip(capacity, accessible, strict=True) if ok), default=0
    )
    needing = sum(needs)
    if needing > accessible_seats:
        raise InfeasibleError(
            f"{needing} attendees need an accessible table but there are only "
            f"{accessible_seats} accessible seats."
        )
    for unit in units:
        names = ", ".join(repr(person_ids[p]) for p in unit)
        if len(unit) > biggest:
            raise InfeasibleError(
                f"Keep-together group ({names}) has {len(unit)} people; "
                f"the largest table seats {biggest}."
            )
        if any(needs[p] for p in unit) and len(unit) > biggest_accessible:
            raise InfeasibleError(
                f"Keep-together group ({names}) needs an accessible table for {len(unit)}; "
                f"the largest accessible table seats {biggest_accessible}."
            )
    for d, placements in enumerate(fixed):
        load = [0] * len(capacity)
        at_table: list[list[int]] = [[] for _ in capacity]
        for u, t in placements.items():
            load[t] += len(units[u])
            at_table[t].extend(units[u])
            for p in units[u]:
                if needs[p] and not accessible[t]:
                    raise InfeasibleError(
                        f"{person_ids[p]!r} needs an accessible table but is fixed at table "
                        f"{table_ids[t]!r} on day {d + 1}, which is not accessible."
                    )
        for t, people in enumerate(at_table):
            if load[t] > capacity[t]:
                raise InfeasibleError(
                    f"Day {d + 1}: {load[t]} people are pinned or facilitating at table "
                    f"{table_ids[t]!r}, which seats {capacity[t]}."
                )
            members = set(people)
            for p in people:
                clash = apart[p] & members
                if clash:
                    other = min(clash)
                    raise InfeasibleError(
                        f"Day {d + 1}: {person_ids[p]!r} and {person_ids[other]!r} must be "
                        f"kept apart but are both fixed at table {table_ids[t]!r}."
                    )
