"""Lower bounds on same-group pairs at a day's tables (districts, states, roles)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def pairs(count: int) -> int:
    """Number of unordered pairs among ``count`` people: C(count, 2)."""
    return count * (count - 1) // 2


def group_pair_bound(size: int, tables: int) -> int:
    """Fewest same-group pairs when ``size`` people sit at ``tables`` tables (seats unlimited).

    Spreading as evenly as possible is optimal: with ``q, r = divmod(size, tables)``,
    ``r`` tables get ``q + 1`` and the rest get ``q``.
    """
    if tables <= 0:
        raise ValueError("need at least one table")
    q, r = divmod(size, tables)
    return r * pairs(q + 1) + (tables - r) * pairs(q)


def pair_lower_bound(group_sizes: Iterable[int], tables: int) -> int:
    """The day's bound: ``sum(group_pair_bound(k, tables))`` over all groups (the reference)."""
    return sum(group_pair_bound(size, tables) for size in group_sizes)


def capacity_aware_group_bound(size: int, capacities: Sequence[int]) -> int:
    """Like :func:`group_pair_bound` but no table can hold more of the group than its seats.

    Fills levels evenly and caps each table at its capacity; never below the simple bound.
    """
    if size > sum(capacities):
        raise ValueError("more people than seats")
    remaining = size
    counts = [0] * len(capacities)
    open_tables = [i for i, cap in enumerate(capacities) if cap > 0]
    while remaining and open_tables:
        share, extra = divmod(remaining, len(open_tables))
        still_open = []
        for rank, i in enumerate(open_tables):
            want = share + (1 if rank < extra else 0)
            give = min(want, capacities[i] - counts[i])
            counts[i] += give
            remaining -= give
            if counts[i] < capacities[i]:
                still_open.append(i)
        if not still_open or (share == 0 and extra == 0):
            break
        open_tables = still_open
    return sum(pairs(c) for c in counts)


def capacity_aware_bound(group_sizes: Iterable[int], capacities: Sequence[int]) -> int:
    """Sum of :func:`capacity_aware_group_bound` over groups (each group considered alone)."""
    return sum(capacity_aware_group_bound(size, capacities) for size in group_sizes)
