"""What check-in does when other capabilities report a change, and what it adds to their
registries. ``connect()`` runs at start-up, from check-in's ``init_app``. Idempotent.

- ``signals.event_created``: a new event gets its main-entrance list, in the same transaction.
- messages' segments: "Not checked in yet", for messages and announcements.
"""

from __future__ import annotations

from sqlalchemy import select

from summit import signals
from summit.checkin.models import CheckinList
from summit.checkin.services import checked_in_at_entrance
from summit.extensions import db
from summit.messages.api import register_segment
from summit.registration.api import Attendee


def open_entrance_list(event, **_) -> None:
    db.session.add(CheckinList(event_id=event.id, name="Main entrance", kind="entrance"))
    db.session.flush()


def not_checked_in(event, key: str = "") -> list[int]:
    """Registered attendees not checked in at the entrance (a message segment)."""
    return list(db.session.scalars(
        select(Attendee.id).where(Attendee.event_id == event.id,
                                  Attendee.status == "registered",
                                  Attendee.id.not_in(checked_in_at_entrance(event.id)))
        .order_by(Attendee.id)))


def connect() -> None:
    signals.event_created.connect(open_entrance_list)
    register_segment("not_checked_in", "Not checked in yet", attendee_ids=not_checked_in,
                     order=20)
