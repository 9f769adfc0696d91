"""What other capabilities show with a scanned attendee, joined into check-in's one SELECT.

A check-in answer shows more than check-in owns: homerooms adds the person's table today. Check-in
imports nothing of homerooms; instead homerooms contributes a ``ScanDetail`` once per process, at
start-up (``summit/homerooms/checkin_detail.py``), and the scan statement outer-joins it. So the
hot path stays one SELECT, and a capability that is not installed simply adds nothing.

A detail's ``join(from_clause, attendees)`` outer-joins its tables to the ``attendees`` table and
returns ``(from_clause, columns)``; it may use the bind parameter ``day`` (the event day the scan
is for). ``value(*row)`` turns those columns (all ``None`` when nothing joined) into what the
answer shows. Details are shown for registered attendees only. No Flask here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import FromClause, Table


@dataclass(frozen=True)
class ScanDetail:
    name: str  # the key in ``ScannedAttendee.details`` ("homeroom")
    join: Callable[[FromClause, Table], tuple[FromClause, tuple]]
    value: Callable[..., object]


_DETAILS: dict[str, ScanDetail] = {}
_on_change: list[Callable[[], None]] = []


def add_scan_detail(detail: ScanDetail) -> None:
    """Show ``detail`` with every scanned attendee from now on (replaces one of the same
    name; call at start-up)."""
    if _DETAILS.get(detail.name) == detail:
        return
    _DETAILS[detail.name] = detail
    for forget in _on_change:
        forget()


def scan_details() -> tuple[ScanDetail, ...]:
    return tuple(_DETAILS.values())


def when_details_change(forget: Callable[[], None]) -> None:
    """``forget()`` runs after a detail is added (the statements built with the old set)."""
    _on_change.append(forget)
