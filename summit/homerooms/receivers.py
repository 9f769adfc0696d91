"""What homerooms does when other capabilities report a change: seat a late registrant.

Someone who registers, or gets a place from the waitlist, after the organizer seated the tables
gets a table on each seated day at once (``latecomers.seat_latecomer``: nobody else moves). The
receivers run inside the sender's transaction; a seating problem never breaks the registration:
it is logged and the person stays unseated, where the organizer sees them on the board.
"""

from __future__ import annotations

import logging

from summit import signals
from summit.extensions import db
from summit.homerooms import latecomers

log = logging.getLogger(__name__)


def _seat(attendee) -> None:
    if attendee.status != "registered":
        return  # on the waitlist: seated when promoted
    try:
        with db.session.begin_nested():
            latecomers.seat_latecomer(attendee)
    except Exception:  # the registration matters more than the seat
        log.exception("could not seat late registrant %s", attendee.id)


def _registered(attendee, **_) -> None:
    _seat(attendee)


def _promoted(attendee, **_) -> None:
    _seat(attendee)


def connect() -> None:
    """Connect the receivers (connecting twice is harmless: blinker keeps one of each)."""
    signals.attendee_registered.connect(_registered)
    signals.attendee_promoted.connect(_promoted)
