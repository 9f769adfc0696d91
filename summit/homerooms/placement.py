"""Seating one late registrant around a seating that is already set. No Flask here.

Someone who registers (or gets a place from the waitlist) after the organizer ran the engine
gets a seat on each seated day at once, without moving anybody: everyone already seated stays
exactly where they are, which is the engine's ``rebalance`` with every existing seat locked.
With a single person to place, that search reduces to choosing one table per day, given
how many people of each kind sit at each table; this module makes that choice with the
engine's own rules (``latecomers`` counts in SQL and asks it day after day, so the tablemates
of the days already chosen count as "met"):

- hard rules, never broken: a free seat, no table closed for the day, a wheelchair-accessible
  table for someone who needs one, never with a keep-apart partner, with a keep-together group
  at the group's table (and nowhere else) when the group is seated that day;
- then, in the engine's priority order (``search.py``): no repeated tablemates (nobody they
  already sit with on another day), fewest people from their district, then from their state,
  then in their role, then the emptiest table; ties go to the lowest table number.

A day with no table that satisfies the hard rules is left unseated (``None``): the organizer
sees the person on the seating board and re-balances.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

TableId = Hashable


@dataclass(frozen=True)
class TableDay:
    """A table on one day as the late registrant would find it: its free seats, and how many
    of the people already there they have met, share a district, state or role with, must be
    kept apart from, or must sit with (counted by the caller, for example in SQL)."""

    id: TableId
    capacity: int
    seated: int
    accessible: bool = False
    closed: bool = False      # locked for the day: nobody joins
    order: int = 0            # tie-break (the table number)
    met: int = 0              # people they sit with on another day already
    same_district: int = 0
    same_state: int = 0
    same_role: int = 0
    apart: int = 0            # keep-apart partners at the table
    together: int = 0         # members of their keep-together group at the table


def allowed(table: TableDay, *, needs_accessible: bool = False) -> bool:
    """The hard rules: a free seat, open today, step-free if needed, no keep-apart partner."""
    return (not table.closed and table.seated < table.capacity and not table.apart
            and (table.accessible or not needs_accessible))


def choose_table(tables: Sequence[TableDay], *,
                 needs_accessible: bool = False) -> TableId | None:
    """The table for the late registrant on one day, or ``None`` when no table fits."""
    group = [t for t in tables if t.together]
    if len(group) > 1:  # their keep-together group is split already: the organizer decides
        return None
    if group:  # the group's table, or (no room) none
        table = group[0]
        return table.id if allowed(table, needs_accessible=needs_accessible) else None
    candidates = [t for t in tables if allowed(t, needs_accessible=needs_accessible)]
    if not candidates:
        return None
    best = min(candidates, key=lambda t: (t.met, t.same_district, t.same_state, t.same_role,
                                          t.seated, t.order))
    return best.id
