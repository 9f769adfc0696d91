"""Explain a seating: per-day figures against lower bounds, and per-table warnings with reasons."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from .bounds import group_pair_bound, pair_lower_bound, pairs
from .model import PersonId, Problem, Seating, TableId


@dataclass
class TableWarning:
    day: int
    table_id: TableId
    kind: str  # "repeat", "district", "state", "role" or "size"
    reason: str
    forced: bool = False  # True when the roster's shape makes this unavoidable

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DayReport:
    day: int
    district_pairs: int
    district_bound: int
    state_pairs: int
    state_bound: int
    role_pairs: int
    role_bound: int
    repeated_pairs: int  # pairs at a table today who already shared a table on an earlier day
    min_size: int
    max_size: int
    warnings: list[TableWarning] = field(default_factory=list)

    @property
    def size_spread(self) -> int:
        return self.max_size - self.min_size

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["size_spread"] = self.size_spread
        return data


@dataclass
class QualityReport:
    days: list[DayReport]
    hard_violations: list[str]

    @property
    def repeated_pairs(self) -> int:
        return sum(day.repeated_pairs for day in self.days)

    @property
    def district_pairs(self) -> int:
        return sum(day.district_pairs for day in self.days)

    @property
    def district_bound(self) -> int:
        return sum(day.district_bound for day in self.days)

    @property
    def state_pairs(self) -> int:
        return sum(day.state_pairs for day in self.days)

    @property
    def state_bound(self) -> int:
        return sum(day.state_bound for day in self.days)

    @property
    def size_spread(self) -> int:
        return max((day.size_spread for day in self.days), default=0)

    @property
    def at_bounds(self) -> bool:
        """Zero repeats and district and state pairs at their lower bounds, every day."""
        return self.repeated_pairs == 0 and all(
            d.district_pairs == d.district_bound and d.state_pairs == d.state_bound
            for d in self.days
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": [day.to_dict() for day in self.days],
            "hard_violations": list(self.hard_violations),
            "repeated_pairs": self.repeated_pairs,
            "district_pairs": self.district_pairs,
            "district_bound": self.district_bound,
            "state_pairs": self.state_pairs,
            "state_bound": self.state_bound,
            "size_spread": self.size_spread,
            "at_bounds": self.at_bounds,
        }


def hard_rule_violations(problem: Problem, seating: Seating) -> list[str]:
    """Every broken hard rule in ``seating``, as sentences (empty when all hold)."""
    problems: list[str] = []
    people = {p.id: p for p in problem.people}
    tables = {t.id: t for t in problem.tables}
    apart = [(a, b) for a, b in problem.keep_apart]
    for day in range(1, problem.days + 1):
        by_table = seating.get(day)
        if by_table is None:
            problems.append(f"Day {day} has no seating.")
            continue
        where: dict[PersonId, TableId] = {}
        for table_id, members in by_table.items():
            table = tables.get(table_id)
            if table is None:
                problems.append(f"Day {day}: unknown table {table_id!r}.")
                continue
            if len(members) > table.capacity:
                problems.append(
                    f"Day {day}: table {table_id!r} seats {table.capacity} but has {len(members)}."
                )
            for pid in members:
                if pid not in people:
                    problems.append(f"Day {day}: {pid!r} is not on the roster.")
                elif pid in where:
                    problems.append(f"Day {day}: {pid!r} is seated twice.")
                else:
                    where[pid] = table_id
                    if people[pid].needs_accessible and not table.accessible:
                        problems.append(
                            f"Day {day}: {pid!r} needs an accessible table, {table_id!r} is not."
                        )
        for pid in people:
            if pid not in where:
                problems.append(f"Day {day}: {pid!r} has no seat.")
        for (pid, pin_day), table_id in problem.pins.items():
            if pin_day == day and where.get(pid) != table_id:
                problems.append(f"Day {day}: {pid!r} is pinned to {table_id!r}.")
        for table in problem.tables:
            if table.facilitator_id is not None and where.get(table.facilitator_id) != table.id:
                problems.append(f"Day {day}: facilitator of {table.id!r} is not at it.")
        for a, b in apart:
            if a in where and where.get(a) == where.get(b):
                problems.append(f"Day {day}: {a!r} and {b!r} must be kept apart.")
        for group in problem.keep_together:
            if len({where.get(pid) for pid in group}) > 1:
                problems.append(f"Day {day}: keep-together group {sorted(map(str, group))} split.")
    return problems


def quality_report(problem: Problem, seating: Seating) -> QualityReport:
    """Per-day achieved-vs-bound figures and per-table warnings that say why."""
    person = {p.id: p for p in problem.people}
    together: set[frozenset[PersonId]] = set()
    for group in problem.keep_together:
        members = list(group)
        together.update(frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1 :])
    seen: dict[frozenset[PersonId], int] = {}
    reports = []
    for day in range(1, problem.days + 1):
        by_table = {
            tid: [pid for pid in members if pid in person]
            for tid, members in seating.get(day, {}).items()
        }
        reports.append(_day_report(problem, day, by_table, person, together, seen))
    return QualityReport(days=reports, hard_violations=hard_rule_violations(problem, seating))


def _day_report(
    problem: Problem,
    day: int,
    by_table: dict[TableId, list[PersonId]],
    person: dict[PersonId, Any],
    together: set[frozenset[PersonId]],
    seen: dict[frozenset[PersonId], int],
) -> DayReport:
    table_count = len(problem.tables)
    present = [pid for members in by_table.values() for pid in members]
    district_sizes = Counter(person[p].district for p in present)
    state_sizes = Counter(person[p].state for p in present)
    role_sizes = Counter(person[p].role for p in present)
    warnings: list[TableWarning] = []
    district_pairs = state_pairs = role_pairs = repeated = 0
    sizes = [len(members) for members in by_table.values()]
    lo, hi = min(sizes, default=0), max(sizes, default=0)
    for table in problem.tables:
        members = by_table.get(table.id, [])
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                key = frozenset((a, b))
                if key in together:
                    continue
                if key in seen:
                    repeated += 1
                    warnings.append(
                        TableWarning(
                            day,
                            table.id,
                            "repeat",
                            f"{a} and {b} already sat together on day {seen[key]}",
                        )
                    )
                else:
                    seen[key] = day
        for kind, attr, totals, noun in (
            ("district", "district", district_sizes, "delegation"),
            ("state", "state", state_sizes, "attendees from the state"),
            ("role", "role", role_sizes, "in this role"),
        ):
            counts = Counter(getattr(person[p], attr) for p in members)
            for name, count in sorted(counts.items()):
                if count < 2:
                    continue
                group_pairs = pairs(count)
                if kind == "district":
                    district_pairs += group_pairs
                elif kind == "state":
                    state_pairs += group_pairs
                else:
                    role_pairs += group_pairs
                total = totals[name]
                fair_share = -(-total // table_count)
                forced = count <= fair_share
                label = name if kind != "role" else (name or "unspecified role")
                if forced:
                    if kind == "role":
                        continue  # an even spread of a common role is not worth a warning
                    reason = (
                        f"{count} from {label}: {total}-person {noun}, {table_count} tables"
                        if kind == "district"
                        else f"{count} from {label}: {total} {noun}, {table_count} tables"
                    )
                else:
                    reason = (
                        f"{count} from {label}: more than the even share of {fair_share} "
                        f"({total} {noun if kind != 'district' else 'in the delegation'}, "
                        f"{table_count} tables)"
                    )
                warnings.append(TableWarning(day, table.id, kind, reason, forced=forced))
        if hi - lo > 1 and len(members) in (lo, hi):
            warnings.append(
                TableWarning(
                    day,
                    table.id,
                    "size",
                    f"{len(members)} seated while tables range from {lo} to {hi}",
                )
            )
    return DayReport(
        day=day,
        district_pairs=district_pairs,
        district_bound=pair_lower_bound(district_sizes.values(), table_count),
        state_pairs=state_pairs,
        state_bound=pair_lower_bound(state_sizes.values(), table_count),
        role_pairs=role_pairs,
        role_bound=pair_lower_bound(role_sizes.values(), table_count),
        repeated_pairs=repeated,
        min_size=lo,
        max_size=hi,
        warnings=warnings,
    )


__all__ = [
    "DayReport",
    "QualityReport",
    "TableWarning",
    "group_pair_bound",
    "hard_rule_violations",
    "quality_report",
]
