"""Seating search: greedy round-robin construction, local polishing and simulated annealing.

The cost is lexicographic, highest priority first: moved people (rebalance only), repeated
pairs, same-district pairs, same-state pairs, same-role pairs, sum of squared occupancies.
All counters update incrementally, so a swap is evaluated by looking at two tables only.
Hard rules (capacity, fixed seats, keep-apart, accessibility, keep-together) are never broken.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from .bounds import pair_lower_bound
from .layout import Layout
from .model import InfeasibleError

_WINDOW = 24


class SeatingSearch:
    """Mutable seating of all days with incrementally maintained costs."""

    def __init__(
        self,
        layout: Layout,
        rng: random.Random,
        home: Sequence[dict[int, int]] | None = None,
        frozen: Sequence[set[int]] | None = None,
        closed_tables: Sequence[set[int]] | None = None,
    ) -> None:
        self.layout = layout
        self.rng = rng
        n, tables, days = layout.people_count, layout.table_count, layout.days
        self.days = days
        #: ``home[day][person] -> table`` for rebalance: leaving it costs one move.
        self.home: list[dict[int, int]] = [dict(h) for h in home] if home else [{}] * days
        self.closed = [set(c) for c in closed_tables] if closed_tables else [set()] * days
        self.members: list[list[list[int]]] = [[[] for _ in range(tables)] for _ in range(days)]
        self.table_of: list[list[int]] = [[-1] * n for _ in range(days)]
        self.district_count = [[{} for _ in range(tables)] for _ in range(days)]
        self.state_count = [[{} for _ in range(tables)] for _ in range(days)]
        self.role_count = [[{} for _ in range(tables)] for _ in range(days)]
        self.meet: list[dict[int, int]] = [{} for _ in range(n)]
        self.moved = self.repeats = self.district_pairs = 0
        self.state_pairs = self.role_pairs = self.size_squares = 0
        # movable[day][person]: a singleton not fixed that day (only these are swapped).
        self.movable: list[list[bool]] = []
        for d in range(days):
            fixed_units = set(layout.fixed[d])
            if frozen:
                fixed_units |= {layout.unit_of[p] for p in frozen[d]}
            self.movable.append(
                [
                    len(layout.units[layout.unit_of[p]]) == 1
                    and layout.unit_of[p] not in fixed_units
                    for p in range(n)
                ]
            )
        self.fixed_units = [
            set(layout.fixed[d]) | ({layout.unit_of[p] for p in frozen[d]} if frozen else set())
            for d in range(days)
        ]
        base = days * n * max(max(layout.capacity), 1) + 1
        self.weights = (base**5, base**4, base**3, base**2, base, 1)

    # ------------------------------------------------------------------ primitives
    def cost(self) -> int:
        w = self.weights
        return (
            self.moved * w[0]
            + self.repeats * w[1]
            + self.district_pairs * w[2]
            + self.state_pairs * w[3]
            + self.role_pairs * w[4]
            + self.size_squares
        )

    def add(self, d: int, p: int, t: int) -> None:
        lay = self.layout
        mem = self.members[d][t]
        meet_p = self.meet[p]
        unit = lay.unit_of[p]
        for x in mem:
            if lay.unit_of[x] != unit:
                c = meet_p.get(x, 0)
                if c:
                    self.repeats += 1
                meet_p[x] = c + 1
                self.meet[x][p] = c + 1
        for counts, key, attr in (
            (self.district_count[d][t], lay.district[p], "district_pairs"),
            (self.state_count[d][t], lay.state[p], "state_pairs"),
            (self.role_count[d][t], lay.role[p], "role_pairs"),
        ):
            c = counts.get(key, 0)
            if c:
                setattr(self, attr, getattr(self, attr) + c)
            counts[key] = c + 1
        self.size_squares += 2 * len(mem) + 1
        mem.append(p)
        self.table_of[d][p] = t
        h = self.home[d].get(p)
        if h is not None and h != t:
            self.moved += 1

    def remove(self, d: int, p: int) -> int:
        lay = self.layout
        t = self.table_of[d][p]
        mem = self.members[d][t]
        mem.remove(p)
        meet_p = self.meet[p]
        unit = lay.unit_of[p]
        for x in mem:
            if lay.unit_of[x] != unit:
                c = meet_p[x]
                if c >= 2:
                    self.repeats -= 1
                    meet_p[x] = c - 1
                    self.meet[x][p] = c - 1
                else:
                    del meet_p[x]
                    del self.meet[x][p]
        for counts, key, attr in (
            (self.district_count[d][t], lay.district[p], "district_pairs"),
            (self.state_count[d][t], lay.state[p], "state_pairs"),
            (self.role_count[d][t], lay.role[p], "role_pairs"),
        ):
            c = counts[key]
            if c > 1:
                setattr(self, attr, getattr(self, attr) - (c - 1))
                counts[key] = c - 1
            else:
                del counts[key]
        self.size_squares -= 2 * len(mem) + 1
        self.table_of[d][p] = -1
        h = self.home[d].get(p)
        if h is not None and h != t:
            self.moved -= 1
        return t

    def swap(self, d: int, a: int, b: int) -> None:
        ta, tb = self.table_of[d][a], self.table_of[d][b]
        self.remove(d, a)
        self.remove(d, b)
        self.add(d, a, tb)
        self.add(d, b, ta)

    def move(self, d: int, p: int, t: int) -> None:
        self.remove(d, p)
        self.add(d, p, t)

    def snapshot(self) -> list[list[int]]:
        return [list(row) for row in self.table_of]

    def restore(self, snap: list[list[int]]) -> None:
        for d in range(self.days):
            for p, t in enumerate(snap[d]):
                if self.table_of[d][p] != t:
                    if self.table_of[d][p] >= 0:
                        self.remove(d, p)
                    if t >= 0:
                        self.add(d, p, t)

    # ------------------------------------------------------------------ hard rules
    def can_join(self, d: int, p: int, t: int, leaving: int = -1) -> bool:
        """May ``p`` sit at ``t`` on day ``d`` (``leaving`` gives up a seat there)?"""
        lay = self.layout
        if lay.needs_accessible[p] and not lay.accessible[t]:
            return False
        apart = lay.apart[p]
        if apart:
            for x in self.members[d][t]:
                if x != leaving and x in apart:
                    return False
        return True

    # ------------------------------------------------------------------ deltas
    def swap_delta(self, d: int, a: int, b: int) -> int:
        """Cost change of swapping singletons ``a`` and ``b`` (at different tables) on day d."""
        lay = self.layout
        ta, tb = self.table_of[d][a], self.table_of[d][b]
        meet_a, meet_b = self.meet[a], self.meet[b]
        rep = 0
        if self.repeats:
            for x in self.members[d][ta]:
                if x != a:
                    if meet_a.get(x, 0) >= 2:
                        rep -= 1
                    if x in meet_b:
                        rep += 1
            for y in self.members[d][tb]:
                if y != b:
                    if meet_b.get(y, 0) >= 2:
                        rep -= 1
                    if y in meet_a:
                        rep += 1
        else:  # nobody repeats yet: only new repeats can appear
            for x in self.members[d][ta]:
                if x in meet_b:
                    rep += 1
            for y in self.members[d][tb]:
                if y in meet_a:
                    rep += 1
            if b in meet_a:
                rep -= 2  # a and b never share a table here; guard against double counting
        w = self.weights
        total = rep * w[1]
        for counts, attr_of, weight in (
            (self.district_count[d], lay.district, w[2]),
            (self.state_count[d], lay.state, w[3]),
            (self.role_count[d], lay.role, w[4]),
        ):
            ka, kb = attr_of[a], attr_of[b]
            if ka != kb:
                ca, cb = counts[ta], counts[tb]
                total += (cb.get(ka, 0) + ca.get(kb, 0) - ca[ka] - cb[kb] + 2) * weight
        home = self.home[d]
        if home:
            moved = 0
            for p, here, there in ((a, ta, tb), (b, tb, ta)):
                h = home.get(p)
                if h is not None:
                    moved += (h == here) - (h == there)
            total += moved * w[0]
        return total

    def move_delta(self, d: int, a: int, tb: int) -> int:
        """Cost change of moving singleton ``a`` to table ``tb`` (which has a free seat)."""
        lay = self.layout
        ta = self.table_of[d][a]
        meet_a = self.meet[a]
        rep = 0
        for x in self.members[d][ta]:
            if x != a and meet_a.get(x, 0) >= 2:
                rep -= 1
        for y in self.members[d][tb]:
            if meet_a.get(y, 0):
                rep += 1
        w = self.weights
        total = rep * w[1]
        total += (
            self.district_count[d][tb].get(lay.district[a], 0)
            - self.district_count[d][ta][lay.district[a]]
            + 1
        ) * w[2]
        total += (
            self.state_count[d][tb].get(lay.state[a], 0) - self.state_count[d][ta][lay.state[a]] + 1
        ) * w[3]
        total += (
            self.role_count[d][tb].get(lay.role[a], 0) - self.role_count[d][ta][lay.role[a]] + 1
        ) * w[4]
        total += 2 * (len(self.members[d][tb]) - len(self.members[d][ta]) + 1)
        h = self.home[d].get(a)
        if h is not None:
            total += ((h == ta) - (h == tb)) * w[0]
        return total

    # ------------------------------------------------------------------ construction
    def seat_day(self, d: int, placed_first: dict[int, int] | None = None) -> None:
        """Seat everyone on day ``d``: fixed units, then home seats, then greedy round-robin."""
        lay = self.layout
        tables = lay.table_count
        for u, t in sorted(lay.fixed[d].items()):
            for p in lay.units[u]:
                self.add(d, p, t)
        seated_units = set(lay.fixed[d])
        for u, t in sorted((placed_first or {}).items()):
            if u in seated_units:
                continue
            size = len(lay.units[u])
            if len(self.members[d][t]) + size <= lay.capacity[t] and all(
                self.can_join(d, p, t) for p in lay.units[u]
            ):
                for p in lay.units[u]:
                    self.add(d, p, t)
                seated_units.add(u)
        waiting = [u for u in range(len(lay.units)) if u not in seated_units]
        if not waiting:
            return
        state_size: dict[int, int] = {}
        district_size: dict[int, int] = {}
        for u in waiting:
            for p in lay.units[u]:
                state_size[lay.state[p]] = state_size.get(lay.state[p], 0) + 1
                district_size[lay.district[p]] = district_size.get(lay.district[p], 0) + 1
        tiebreak = {u: self.rng.random() for u in waiting}

        def order(u: int) -> tuple:
            first = lay.units[u][0]
            return (
                not lay.unit_needs_accessible(u),
                -len(lay.units[u]),
                -state_size[lay.state[first]],
                lay.state[first],
                -district_size[lay.district[first]],
                lay.district[first],
                tiebreak[u],
            )

        waiting.sort(key=order)
        people_today = sum(len(lay.units[u]) for u in range(len(lay.units)))
        level = _water_level(people_today, lay.capacity)
        soft_limit = [min(c, level + 1) for c in lay.capacity]
        pointer = 0
        for u in waiting:
            best = None
            for limit in (soft_limit, lay.capacity):
                best = self._best_table(d, u, pointer, limit, _WINDOW)
                if best is not None and best[0][0] > 0 and tables > _WINDOW:
                    best = self._best_table(d, u, pointer, limit, tables)
                if best is not None:
                    break
            if best is None:
                best = self._evict_for(d, u)
            if best is None:
                names = ", ".join(repr(lay.person_ids[p]) for p in lay.units[u])
                raise InfeasibleError(
                    f"Day {d + 1}: no table can take {names} without breaking a hard rule "
                    "(capacity, accessibility or keep-apart)."
                )
            t = best[1]
            for p in lay.units[u]:
                self.add(d, p, t)
            pointer = (t + 1) % tables

    def _best_table(
        self, d: int, u: int, start: int, limit: Sequence[int], window: int
    ) -> tuple[tuple[int, ...], int] | None:
        lay = self.layout
        unit = lay.units[u]
        size = len(unit)
        tables = lay.table_count
        best: tuple[tuple[int, ...], int] | None = None
        closed = self.closed[d]
        scanned = 0
        t = start
        for _ in range(tables):
            t_here = t
            t = (t + 1) % tables
            mem = self.members[d][t_here]
            if len(mem) + size > limit[t_here] or t_here in closed:
                continue
            if not all(self.can_join(d, p, t_here) for p in unit):
                continue
            scanned += 1
            rep = dist = st = ro = 0
            dc, sc, rc = (
                self.district_count[d][t_here],
                self.state_count[d][t_here],
                self.role_count[d][t_here],
            )
            for p in unit:
                meet_p = self.meet[p]
                for x in mem:
                    if x in meet_p:
                        rep += 1
                dist += dc.get(lay.district[p], 0)
                st += sc.get(lay.state[p], 0)
                ro += rc.get(lay.role[p], 0)
            key = (rep, dist, st, ro if len(unit) > 1 else 0, len(mem) if size > 1 else 0)
            if best is None or key < best[0]:
                best = (key, t_here)
                if key == (0, 0, 0, 0, 0):
                    break
            if scanned >= window:
                break
        return best

    def _evict_for(self, d: int, u: int) -> tuple[tuple[int, ...], int] | None:
        """Make room for unit ``u`` by moving movable singletons to free seats elsewhere."""
        lay = self.layout
        unit = lay.units[u]
        for t in range(lay.table_count):
            if t in self.closed[d] or lay.capacity[t] < len(unit):
                continue
            if any(lay.needs_accessible[p] and not lay.accessible[t] for p in unit):
                continue
            mem = self.members[d][t]
            blockers = {x for p in unit for x in mem if x in lay.apart[p]}
            if any(not self.movable[d][x] for x in blockers):
                continue
            spare = [x for x in mem if self.movable[d][x] and x not in blockers]
            overflow = len(mem) - len(blockers) + len(unit) - lay.capacity[t]
            if overflow > len(spare):
                continue
            plan: list[tuple[int, int]] = []
            load: dict[int, int] = {}

            def relocate(x: int, t: int = t, plan=plan, load=load) -> int | None:
                return next(
                    (
                        o
                        for o in range(lay.table_count)
                        if o != t
                        and o not in self.closed[d]
                        and len(self.members[d][o]) + load.get(o, 0) < lay.capacity[o]
                        and self.can_join(d, x, o)
                        and not any(y in lay.apart[x] for y, oo in plan if oo == o)
                    ),
                    None,
                )

            feasible = True
            for x in sorted(blockers):
                target = relocate(x)
                if target is None:
                    feasible = False
                    break
                plan.append((x, target))
                load[target] = load.get(target, 0) + 1
            moved = 0
            # Any movable person may give up their seat: try each until enough have a place.
            for x in spare:
                if not feasible or moved >= overflow:
                    break
                target = relocate(x)
                if target is not None:
                    plan.append((x, target))
                    load[target] = load.get(target, 0) + 1
                    moved += 1
            if feasible and moved >= max(0, overflow):
                for x, target in plan:
                    self.move(d, x, target)
                return ((0,), t)
        return None

    # ------------------------------------------------------------------ local search
    def swappable(self, d: int, a: int, b: int) -> bool:
        ta, tb = self.table_of[d][a], self.table_of[d][b]
        return self.can_join(d, a, tb, leaving=b) and self.can_join(d, b, ta, leaving=a)

    def conflicted(self, d: int) -> list[int]:
        """Movable people with a repeated pair at their table on day ``d``."""
        out = []
        movable = self.movable[d]
        for mem in self.members[d]:
            for a in mem:
                if movable[a]:
                    meet_a = self.meet[a]
                    if any(meet_a.get(x, 0) >= 2 for x in mem):
                        out.append(a)
        return out

    def polish(self, max_evaluations: int, deadline: float | None) -> None:
        """Hill-climb with swaps and moves, one goal at a time in priority order.

        For each day and goal (repeats, district, state, role, size) that is above its lower
        bound, people who contribute to it look for an improving swap or move. A person with
        3 from one state where 2 would do only tries tables where that state is scarcer.
        Deltas are lexicographic, so work on a goal never harms a higher one.
        """
        lay = self.layout
        self.evaluations = 0
        for d in range(self.days):
            for goal in _GOALS:
                for _ in range(8):
                    if self.evaluations >= max_evaluations:
                        return
                    if deadline is not None and time.perf_counter() > deadline:
                        return
                    targets = self._bad_people(d, goal)
                    if not targets:
                        break
                    self.rng.shuffle(targets)
                    improved = False
                    for a in targets:
                        if self.evaluations >= max_evaluations:
                            return
                        ta = self.table_of[d][a]
                        best_delta, best_move = 0, None
                        if goal in ("district", "state", "role"):
                            # Only swaps that lower this goal are worth a full evaluation.
                            counts, attr = self._group_counts(d, goal)
                            key_a = attr[a]
                            here_a = counts[ta]
                        else:
                            attr = None
                        for tb in self._partner_tables(d, a, goal):
                            if tb == ta or tb in self.closed[d]:
                                continue
                            mem = self.members[d][tb]
                            if len(mem) < lay.capacity[tb]:
                                self.evaluations += 1
                                delta = self.move_delta(d, a, tb)
                                if delta < best_delta and self.can_join(d, a, tb):
                                    best_delta, best_move = delta, (tb, -1)
                            if attr is not None:
                                there = counts[tb]
                                gain_a = there.get(key_a, 0) - here_a[key_a] + 1
                            for b in mem:
                                if self.movable[d][b]:
                                    if attr is not None:
                                        key_b = attr[b]
                                        if key_b == key_a:
                                            continue
                                        gain = gain_a + here_a.get(key_b, 0) - there[key_b] + 1
                                        if gain >= 0:
                                            continue
                                    self.evaluations += 1
                                    delta = self.swap_delta(d, a, b)
                                    if delta < best_delta and self.swappable(d, a, b):
                                        best_delta, best_move = delta, (tb, b)
                        if best_move is not None:
                            tb, b = best_move
                            if b < 0:
                                self.move(d, a, tb)
                            else:
                                self.swap(d, a, b)
                            improved = True
                    if not improved:
                        break

    def _group_counts(self, d: int, goal: str) -> tuple[list[dict[int, int]], list[int]]:
        lay = self.layout
        if goal == "district":
            return self.district_count[d], lay.district
        if goal == "state":
            return self.state_count[d], lay.state
        return self.role_count[d], lay.role

    def _partner_tables(self, d: int, a: int, goal: str) -> list[int] | range:
        """Tables worth trying for ``a``: where its group for ``goal`` is scarcer."""
        tables = self.layout.table_count
        limit = 64
        if goal in ("district", "state", "role"):
            counts, attr = self._group_counts(d, goal)
            key = attr[a]
            here = counts[self.table_of[d][a]][key]
            scarce = [t for t in range(tables) if counts[t].get(key, 0) <= here - 2]
            return scarce if len(scarce) <= limit else self.rng.sample(scarce, limit)
        if goal == "size":
            small = min(len(m) for m in self.members[d])
            return [t for t in range(tables) if len(self.members[d][t]) == small][:limit]
        if tables <= limit:
            return range(tables)
        return self.rng.sample(range(tables), limit)

    def _bad_people(self, d: int, goal: str) -> list[int]:
        """Movable people contributing to ``goal`` on day ``d`` if it is above its bound."""
        lay = self.layout
        members = self.members[d]
        movable = self.movable[d]
        if goal == "moved":
            home = self.home[d]
            if not home:
                return []
            return [
                a
                for t, mem in enumerate(members)
                for a in mem
                if movable[a] and home.get(a, t) != t
            ]
        if goal == "repeat":
            return self.conflicted(d)
        if goal == "size":
            occupancy = [len(mem) for mem in members]
            biggest = max(occupancy)
            has_room = any(
                len(members[t]) < lay.capacity[t] - 1 and t not in self.closed[d]
                for t in range(lay.table_count)
            )
            if biggest - min(occupancy) <= 1 or not has_room:
                return []
            return [a for mem in members if len(mem) == biggest for a in mem if movable[a]]
        counts, attr = self._group_counts(d, goal)
        sizes: dict[int, int] = {}
        for mem in members:
            for p in mem:
                sizes[attr[p]] = sizes.get(attr[p], 0) + 1
        bound = pair_lower_bound(sizes.values(), lay.table_count)
        if sum(c * (c - 1) // 2 for table in counts for c in table.values()) <= bound:
            return []
        out = []
        for t, mem in enumerate(members):
            here = counts[t]
            for a in mem:
                if movable[a] and here[attr[a]] > 1:
                    out.append(a)
        return out


_GOALS = ("moved", "repeat", "district", "state", "role", "size")


def _water_level(people: int, capacities: Sequence[int]) -> int:
    """Largest level L with sum(min(cap, L)) <= people: balanced occupancy is L or L+1."""
    low, high = 0, max(capacities, default=0)
    while low < high:
        mid = (low + high + 1) // 2
        if sum(min(c, mid) for c in capacities) <= people:
            low = mid
        else:
            high = mid - 1
    return low
