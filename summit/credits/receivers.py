"""What learning credit does when check-in reports an arrival. ``connect()`` runs at start-up,
from credits' ``init_app``. Idempotent.

- ``signals.checked_in``: the scan goes into the credit ledger (``credit_scans``) on the
  check-in's own connection and transaction: one INSERT, no read, so the check-in's hot path
  stays short. An entrance list's check-in is ``entrance`` evidence, a session's door list's
  is ``room`` evidence.
- ``signals.scanned_again``: a scan that found the person checked in already. At the entrance
  it is that day's arrival (the entrance list takes one check-in per event, and credit needs
  each day's); at a session's door it is an exit scan (the latest one counts).
"""

from __future__ import annotations

from summit import signals
from summit.credits import services


def on_checked_in(event_id, *, attendee_id: int, list_kind: str, session_id: int | None,
                  at, source: str, connection, checkin_id: int | None = None, **_) -> None:
    kind = "room" if list_kind == "session" else "entrance"
    services.record_scan(connection, event_id=event_id, attendee_id=attendee_id, kind=kind,
                         session_id=session_id if kind == "room" else None, at=at,
                         source=source, checkin_id=checkin_id)


def on_scanned_again(event_id, *, attendee_id: int, list_kind: str, session_id: int | None,
                     at, source: str, connection, checkin_id: int | None = None,
                     **_) -> None:
    kind = "exit" if list_kind == "session" else "entrance"
    services.record_scan(connection, event_id=event_id, attendee_id=attendee_id, kind=kind,
                         session_id=session_id if kind == "exit" else None, at=at,
                         source=source, checkin_id=checkin_id)


def connect() -> None:
    signals.checked_in.connect(on_checked_in)
    signals.scanned_again.connect(on_scanned_again)
