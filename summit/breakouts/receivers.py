"""What breakouts does when other capabilities report a change."""

from __future__ import annotations

from summit import signals
from summit.breakouts import services


def _cancelled(attendee, **_):
    services.release_all_for(attendee)  # their seats go to the next people waiting


def connect() -> None:
    signals.attendee_cancelled.connect(_cancelled)
