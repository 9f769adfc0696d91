"""Repeat elimination: a tabu search on all days at once (social golfer style).

After construction and polishing, some pairs may still share a table on two days. This phase
follows Dotú & Van Hentenryck's local search for the Social Golfer Problem: the cost is the
number of repeated pairs (a pair meeting ``m`` times counts ``m - 1``); each step swaps a
person who sits with a repeated partner for a person at another table on the same day, picking
the best non-tabu swap (a tabu swap is allowed if it beats the best seating found). When the
search stalls it restarts from the best seating with a few random swaps.

Everything is bitsets: ``once[p]`` holds everyone ``p`` met at least once over all days,
``twice[p]`` everyone met at least twice, ``group[d][t]`` the people at table ``t`` on day
``d``. A swap's effect on the repeat count is four popcounts, so all days are searched
together and no earlier day is frozen. Hard rules hold throughout: only movable people
(singletons that are not pinned, facilitating or locked) are swapped, and each swap is
checked against accessibility and keep-apart. Table sizes never change.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .search import SeatingSearch


def eliminate_repeats(
    search: SeatingSearch,
    max_iterations: int,
    deadline: float | None = None,
    patience: int = 1_500,
) -> bool:
    """Drive ``search`` to zero repeated pairs if possible; returns True on success.

    ``search`` ends at the best seating found (fewest repeats). Gives up after ``patience``
    steps without a new best (zero may be impossible). Deterministic for a given
    ``search.rng`` state.
    """
    if search.repeats == 0:
        return True
    lay = search.layout
    rng = search.rng
    n, days, tables = lay.people_count, search.days, lay.table_count
    unit_of = lay.unit_of
    bit = [1 << p for p in range(n)]
    # Same-unit people always sit together and never count as repeats.
    mates = [0] * n
    for unit in lay.units:
        if len(unit) > 1:
            m = 0
            for p in unit:
                m |= bit[p]
            for p in unit:
                mates[p] = m & ~bit[p]
    apart = [0] * n
    for p in range(n):
        for q in lay.apart[p]:
            apart[p] |= bit[q]
    table_of = [list(row) for row in search.table_of]
    group = [[0] * tables for _ in range(days)]
    members: list[list[list[int]]] = [[[] for _ in range(tables)] for _ in range(days)]
    for d in range(days):
        for p, t in enumerate(table_of[d]):
            group[d][t] |= bit[p]
            members[d][t].append(p)
    count: list[dict[int, int]] = [dict(m) for m in search.meet]
    once = [0] * n
    twice = [0] * n
    for p in range(n):
        for q, c in count[p].items():
            once[p] |= bit[q]
            if c >= 2:
                twice[p] |= bit[q]
    movable = [[search.movable[d][p] for p in range(n)] for d in range(days)]
    allowed_tables = [[t for t in range(tables) if t not in search.closed[d]] for d in range(days)]
    needs = lay.needs_accessible
    accessible = lay.accessible

    def fits(d: int, a: int, ta: int, b: int, tb: int) -> bool:
        """May ``a`` (at ``ta``) and ``b`` (at ``tb``) trade seats on day ``d``?"""
        if needs[a] and not accessible[tb]:
            return False
        if needs[b] and not accessible[ta]:
            return False
        clash_a = apart[a] & group[d][tb] & ~bit[b]
        clash_b = apart[b] & group[d][ta] & ~bit[a]
        return not (clash_a or clash_b)

    def meet(p: int, x: int, step: int) -> None:
        cp, cx = count[p], count[x]
        c = cp.get(x, 0) + step
        if c:
            cp[x] = cx[p] = c
        else:
            del cp[x], cx[p]
        if step > 0:
            if c == 1:
                once[p] |= bit[x]
                once[x] |= bit[p]
            elif c == 2:
                twice[p] |= bit[x]
                twice[x] |= bit[p]
        elif c == 0:
            once[p] &= ~bit[x]
            once[x] &= ~bit[p]
        elif c == 1:
            twice[p] &= ~bit[x]
            twice[x] &= ~bit[p]

    def do_swap(d: int, a: int, b: int) -> None:
        ta, tb = table_of[d][a], table_of[d][b]
        ma, mb = members[d][ta], members[d][tb]
        ua, ub = unit_of[a], unit_of[b]
        for x in ma:
            if x != a and unit_of[x] != ua:
                meet(a, x, -1)
        for y in mb:
            if y != b and unit_of[y] != ub:
                meet(b, y, -1)
        ma[ma.index(a)] = b
        mb[mb.index(b)] = a
        group[d][ta] ^= bit[a] | bit[b]
        group[d][tb] ^= bit[a] | bit[b]
        table_of[d][a], table_of[d][b] = tb, ta
        for x in ma:
            if x != b and unit_of[x] != ub:
                meet(b, x, +1)
        for y in mb:
            if y != a and unit_of[y] != ua:
                meet(a, y, +1)

    def repeats_total() -> int:
        return sum(c - 1 for p in range(n) for q, c in count[p].items() if c > 1 and q > p)

    cost = repeats_total()
    best_cost = cost
    best = [list(row) for row in table_of]
    tabu: dict[tuple[int, int, int], int] = {}
    stall = last_best = 0

    stall_limit = 40 + 4 * n
    perturb = max(2, tables // 2)
    tmin, tspan = 4, 12
    it = 0
    while it < max_iterations and best_cost > 0:
        it += 1
        if it - last_best > patience:
            break
        if it % 256 == 0 and deadline is not None and time.perf_counter() > deadline:
            break
        best_delta = None
        choices: list[tuple[int, int, int]] = []
        for d in range(days):
            grp = group[d]
            tab = table_of[d]
            mov = movable[d]
            conflicted = [a for a in range(n) if mov[a] and twice[a] & grp[tab[a]]]
            if not conflicted:
                continue
            out = [(twice[p] & grp[tab[p]]).bit_count() for p in range(n)]
            for a in conflicted:
                ta = tab[a]
                ga = grp[ta]
                oa = out[a]
                once_a = once[a]
                for tb in allowed_tables[d]:
                    if tb == ta:
                        continue
                    gain_a = (once_a & grp[tb]).bit_count() - oa
                    for b in members[d][tb]:
                        if not mov[b]:
                            continue
                        delta = gain_a + (once[b] & ga).bit_count() - out[b]
                        if once_a & bit[b]:
                            delta -= 2
                        if best_delta is not None and delta > best_delta:
                            continue
                        key = (d, a, b) if a < b else (d, b, a)
                        if tabu.get(key, 0) > it and cost + delta >= best_cost:
                            continue
                        if not fits(d, a, ta, b, tb):
                            continue
                        if best_delta is None or delta < best_delta:
                            best_delta = delta
                            choices = [(d, a, b)]
                        else:
                            choices.append((d, a, b))
        if best_delta is None:
            tabu.clear()
            stall = stall_limit
        else:
            d, a, b = choices[rng.randrange(len(choices))] if len(choices) > 1 else choices[0]
            do_swap(d, a, b)
            cost += best_delta
            key = (d, a, b) if a < b else (d, b, a)
            tabu[key] = it + tmin + rng.randrange(tspan)
            if cost < best_cost:
                best_cost = cost
                best = [list(row) for row in table_of]
                stall = 0
                last_best = it
            else:
                stall += 1
        if stall >= stall_limit and best_cost > 0:
            # Restart from the best seating, shaken by a few random legal swaps.
            _reset(best, table_of, do_swap, days, n)
            cost = best_cost
            for _ in range(perturb):
                d = rng.randrange(days)
                a, b = rng.randrange(n), rng.randrange(n)
                ta, tb = table_of[d][a], table_of[d][b]
                if ta != tb and movable[d][a] and movable[d][b] and fits(d, a, ta, b, tb):
                    do_swap(d, a, b)
            cost = repeats_total()
            tabu.clear()
            stall = 0
    _reset(best, table_of, do_swap, days, n)
    search.restore(best)
    return best_cost == 0


def _reset(target, table_of, do_swap, days: int, n: int) -> None:
    """Swap people back until ``table_of`` equals ``target`` (sizes are the same)."""
    for d in range(days):
        row, goal = table_of[d], target[d]
        for p in range(n):
            if row[p] != goal[p]:
                # someone at goal[p] who belongs where p sits now
                for q in range(n):
                    if row[q] == goal[p] and goal[q] != goal[p]:
                        do_swap(d, p, q)
                        break


# ---------------------------------------------------------------------- symmetric construction
def symmetric_schedule(
    n: int, size: int, days: int, rng, node_limit: int = 20_000, max_nodes: int = 400_000
) -> list[list[list[int]]] | None:
    """Search for ``days`` partitions of ``0..n-1`` into groups of ``size`` with no repeated
    pair, among schedules invariant under a rotation (a classic design-theory search space).

    People are cut into cycles of length ``L`` (``L = days``, leftover people are fixed
    points) and day ``k`` is day 0 rotated ``k`` steps along every cycle; or, second shape,
    one day is the "columns" of ``size`` cycles of length ``L = days - 1`` and the other days
    are rotations. A pair's orbit under the rotation is the pair of cycles and the difference
    of positions, so day 0 must use each orbit at most once: a small exact search (groups
    filled in order, bitsets of used orbits), restarted with a shuffled candidate order every
    ``node_limit`` nodes, ``max_nodes`` in all. Returns the days' groups or ``None``.
    """
    if size < 2 or n % size or days < 2:
        return None
    spent = 0
    # (column day?, fixed people first?): alternate the shapes and head orders per restart.
    shapes = [(False, True), (False, False), (True, False)]
    while spent < max_nodes and shapes:
        for shape in list(shapes):
            found, nodes, exhausted = _rotation_search(n, size, days, *shape, rng, node_limit)
            spent += nodes
            if found is not None:
                return found
            if exhausted:  # the whole space of this shape holds no solution
                shapes.remove(shape)
    return None


def _rotation_search(
    n: int, size: int, days: int, column_day: bool, fixed_first: bool, rng, node_limit: int
) -> tuple[list[list[list[int]]] | None, int, bool]:
    length = days - 1 if column_day else days
    if length < 2:
        return None, 0, True
    cycles = n // length
    if column_day and (n % length or cycles != size):
        return None, 0, True
    moving = cycles * length
    if not column_day and n - moving > n // size:
        return None, 0, True  # more fixed people than groups: two would meet every day

    def orbit(a: int, b: int) -> tuple | None:
        if a > b:
            a, b = b, a
        if b >= moving:
            return None if a >= moving else ("fixed", b, a // length)
        ca, ia = divmod(a, length)
        cb, ib = divmod(b, length)
        diff = (ib - ia) % length
        if ca == cb:
            if 2 * diff == length:
                return None  # this orbit would meet twice
            return ("cycle", ca, ca, min(diff, length - diff))
        if column_day and diff == 0:
            return None  # used by the column day
        return ("cycle", ca, cb, diff)

    ids: dict[tuple, int] = {}
    orb = [[-1] * n for _ in range(n)]
    for a in range(n):
        for b in range(a + 1, n):
            o = orbit(a, b)
            if o is not None:
                orb[a][b] = orb[b][a] = ids.setdefault(o, len(ids))
    order = list(range(n))
    rng.shuffle(order)
    groups: list[list[int]] = []
    nodes = 0

    class _Budget(Exception):
        pass

    def place(unassigned: int, used: int) -> bool:
        if not unassigned:
            return True
        # Fixed people are the most constrained (one partner per cycle): seat them first.
        top = unassigned.bit_length() - 1
        lowest = (unassigned & -unassigned).bit_length() - 1
        head = top if fixed_first and top >= moving else lowest
        group = [head]

        def fill(candidates: list[int], used: int) -> bool:
            nonlocal nodes
            nodes += 1
            if nodes > node_limit:
                raise _Budget
            if len(group) == size:
                groups.append(list(group))
                left = unassigned
                for x in group:
                    left &= ~(1 << x)
                if place(left, used):
                    return True
                groups.pop()
                return False
            for i, x in enumerate(candidates):
                u = used
                for y in group:
                    o = orb[x][y]
                    if o < 0 or (u >> o) & 1:
                        break
                    u |= 1 << o
                else:
                    group.append(x)
                    if fill(candidates[i + 1 :], u):
                        return True
                    group.pop()
            return False

        rest = [x for x in order if x != head and (unassigned >> x) & 1]
        return fill(rest, used)

    try:
        if not place((1 << n) - 1, 0):
            return None, nodes, True
    except _Budget:
        return None, nodes, False

    def rotate(p: int, k: int) -> int:
        if p >= moving:
            return p
        c, i = divmod(p, length)
        return c * length + (i + k) % length

    schedule = []
    if column_day:
        schedule.append([[c * length + i for c in range(cycles)] for i in range(length)])
    for k in range(length):
        schedule.append([[rotate(p, k) for p in group] for group in groups])
    return schedule, nodes, False


def seed_symmetric(search: SeatingSearch, max_nodes: int = 1_500_000) -> bool:
    """Replace the seating with a rotation-invariant schedule when the roster allows it.

    Only for rosters where every attendee is free on every day (no pins, facilitators,
    locks, keep-together, keep-apart or accessibility needs) and every day has the same equal
    table sizes. Tries all days; failing that, all days but the last (the last keeps its
    constructed seating for the tabu search to repair). Returns True if anything changed.
    """
    lay = search.layout
    n, days, tables = lay.people_count, search.days, lay.table_count
    if days < 2 or any(len(u) > 1 for u in lay.units) or any(lay.needs_accessible):
        return False
    if any(lay.apart[p] for p in range(n)) or any(search.closed[d] for d in range(days)):
        return False
    if not all(all(row) for row in search.movable) or any(search.home[d] for d in range(days)):
        return False
    sizes = {len(m) for d in range(days) for m in search.members[d]}
    if len(sizes) != 1:
        return False
    size = sizes.pop()
    if size * tables != n:
        return False
    for span in (days, days - 1):
        schedule = symmetric_schedule(n, size, span, search.rng, max_nodes=max_nodes)
        if schedule is None:
            continue
        snap = search.snapshot()
        for d, day in enumerate(schedule):
            for t, group in enumerate(day):
                for p in group:
                    snap[d][p] = t
        search.restore(snap)
        return True
    return False
