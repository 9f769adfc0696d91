"""Plain data types for homeroom seating: people, tables, the problem and its answer."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

PersonId = Hashable
TableId = Hashable
Day = int
#: ``seating[day][table_id] -> [person_id, ...]``, days numbered 1..D.
Seating = dict[Day, dict[TableId, list[PersonId]]]


class InfeasibleError(ValueError):
    """The hard rules cannot all hold; the message says which rule and why, in plain words."""


@dataclass(frozen=True)
class Person:
    id: PersonId
    district: str
    state: str
    role: str = ""
    needs_accessible: bool = False


@dataclass(frozen=True)
class Table:
    id: TableId
    capacity: int
    accessible: bool = False
    facilitator_id: PersonId | None = None


@dataclass
class Problem:
    """Who sits where, over how many days, under which hard rules.

    ``pins`` maps ``(person_id, day)`` to a table id. ``keep_together`` groups share a table
    every day; ``keep_apart`` pairs never share one. A table's facilitator sits at it every day.
    ``seed`` makes the search reproducible: the same problem and seed give the same seating.
    """

    people: Sequence[Person]
    tables: Sequence[Table]
    days: int = 1
    pins: Mapping[tuple[PersonId, Day], TableId] = field(default_factory=dict)
    keep_together: Sequence[Collection[PersonId]] = ()
    keep_apart: Sequence[tuple[PersonId, PersonId]] = ()
    seed: int = 0
