"""Homeroom seating engine: public entry points ``solve`` and ``rebalance``. No Flask here.

Each day every attendee sits at a round table. Hard rules always hold (capacity, pins,
facilitators, accessibility, keep-together, keep-apart); then, in strict priority order, the
engine avoids repeated tablemates, same-district pairs, same-state pairs, role clusters and
uneven tables. The search is seeded by ``problem.seed`` and never depends on hash order.
"""

from __future__ import annotations

import random
import time
from collections.abc import Collection

from .layout import Layout, build_layout
from .model import (
    Day,
    InfeasibleError,
    Person,
    PersonId,
    Problem,
    Seating,
    Table,
    TableId,
)
from .repeats import eliminate_repeats, seed_symmetric
from .report import QualityReport, quality_report
from .search import SeatingSearch

__all__ = [
    "InfeasibleError",
    "Person",
    "Problem",
    "QualityReport",
    "Seating",
    "Table",
    "quality_report",
    "rebalance",
    "solve",
]

DEFAULT_ANNEAL_ITERATIONS = 150_000
#: Tabu steps of the repeat-elimination phase (each looks at every conflicted swap).
DEFAULT_REPEAT_ITERATIONS = 4_000


def solve(
    problem: Problem,
    *,
    anneal_iterations: int = DEFAULT_ANNEAL_ITERATIONS,
    polish_evaluations: int | None = None,
    time_limit: float | None = None,
) -> Seating:
    """Seat everyone for every day of ``problem``; raises :class:`InfeasibleError`.

    The search budget is counted in iterations so results are reproducible; ``time_limit``
    (seconds) is an optional safety net that makes results depend on machine speed.
    """
    layout = build_layout(problem)
    search = SeatingSearch(layout, random.Random(problem.seed))
    for d in range(layout.days):
        search.seat_day(d)
    _improve(search, anneal_iterations, polish_evaluations, time_limit)
    return _seating_of(search)


def rebalance(
    problem: Problem,
    current: Seating,
    *,
    reseat_all: bool = False,
    movable: Collection[PersonId] = (),
    locked_seats: Collection[tuple[PersonId, Day]] = (),
    locked_tables: Collection[tuple[TableId, Day]] = (),
    anneal_iterations: int = DEFAULT_ANNEAL_ITERATIONS,
    polish_evaluations: int | None = None,
    time_limit: float | None = None,
) -> Seating:
    """Update ``current`` after walk-ins and cancellations, moving as few people as possible.

    ``problem`` is the new roster: people missing from it are dropped from ``current``, new
    people are seated. People already seated stay where they are unless ``reseat_all`` is set
    or they are in ``movable``. Pins, ``locked_seats`` ((person, day) pairs) and
    ``locked_tables`` ((table, day) pairs: occupants stay, nobody joins) never move. If the
    new people cannot be seated without moving someone, the fewest possible are moved
    (pins and locks still never move).
    """
    people = {p.id for p in problem.people}
    tables = {t.id for t in problem.tables}
    seats: dict[tuple[PersonId, Day], TableId] = {}
    for day, by_table in current.items():
        for table_id, members in by_table.items():
            if table_id not in tables:
                continue
            for pid in members:
                if pid in people:
                    seats[(pid, day)] = table_id
    extra_fixed = {key: seats[key] for key in locked_seats if key in seats}
    for table_id, day in locked_tables:
        for pid in current.get(day, {}).get(table_id, []):
            if pid in people:
                extra_fixed[(pid, day)] = table_id
    layout = build_layout(problem, extra_fixed=extra_fixed, closed_tables=locked_tables)
    closed = [set() for _ in range(layout.days)]
    for table_id, day in locked_tables:
        if 1 <= day <= layout.days:
            closed[day - 1].add(layout.table_index[table_id])
    home: list[dict[int, int]] = [{} for _ in range(layout.days)]
    for (pid, day), table_id in seats.items():
        if 1 <= day <= layout.days:
            home[day - 1][layout.person_index[pid]] = layout.table_index[table_id]
    allowed = {layout.person_index[pid] for pid in movable if pid in layout.person_index}

    def stays(p: int, d: int) -> bool:
        return p in home[d] and not reseat_all and p not in allowed

    frozen = [{p for p in range(layout.people_count) if stays(p, d)} for d in range(layout.days)]
    try:
        search = _seat_with_homes(layout, problem.seed, home, frozen, closed)
    except InfeasibleError:
        # Cannot fit the newcomers around everyone who should stay: let them move, at a cost.
        search = _seat_with_homes(layout, problem.seed, home, None, closed)
    _improve(search, anneal_iterations, polish_evaluations, time_limit)
    return _seating_of(search)


def _seat_with_homes(
    layout: Layout,
    seed: int,
    home: list[dict[int, int]],
    frozen: list[set[int]] | None,
    closed: list[set[int]],
) -> SeatingSearch:
    search = SeatingSearch(
        layout, random.Random(seed), home=home, frozen=frozen, closed_tables=closed
    )
    for d in range(layout.days):
        placed_first: dict[int, int] = {}
        for u, unit in enumerate(layout.units):
            tables = {home[d].get(p) for p in unit}
            if len(tables) == 1 and None not in tables:
                placed_first[u] = tables.pop()
        if frozen is not None:
            missing = [p for p in frozen[d] if layout.unit_of[p] not in placed_first]
            if missing:
                raise InfeasibleError("a keep-together group was split in the current seating")
        search.seat_day(d, placed_first)
        if frozen is not None:
            for p in frozen[d]:
                if search.table_of[d][p] != home[d][p]:
                    raise InfeasibleError("could not keep everyone in their seat")
    return search


def _improve(
    search: SeatingSearch,
    anneal_iterations: int,
    polish_evaluations: int | None,
    time_limit: float | None,
) -> None:
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    n = search.layout.people_count
    budget = polish_evaluations if polish_evaluations is not None else 400 * n + 20_000
    search.polish(budget, deadline)
    if search.repeats:
        before, snap = search.cost(), search.snapshot()
        seed_symmetric(search)
        if search.repeats:
            eliminate_repeats(search, DEFAULT_REPEAT_ITERATIONS, deadline)
        if search.cost() > before:
            search.restore(snap)
        search.polish(budget, deadline)


def _seating_of(search: SeatingSearch) -> Seating:
    lay = search.layout
    return {
        d + 1: {
            lay.table_ids[t]: [lay.person_ids[p] for p in search.members[d][t]]
            for t in range(lay.table_count)
        }
        for d in range(lay.days)
    }


def evaluate(problem: Problem, seating: Seating) -> QualityReport:
    """Alias of :func:`quality_report`, for symmetry with :func:`solve`."""
    return quality_report(problem, seating)
