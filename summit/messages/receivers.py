"""What messages does when other capabilities report a change: queue the email it calls for.

Receivers run inside the sender's transaction: they write outbox rows (``MessageRecipient``)
or queue a job that writes them, and the delivery job runs after the commit. They never talk
to a mail server.
"""

from __future__ import annotations

from summit import signals
from summit.messages import services


def _registered(attendee, **_):
    services.on_registered(attendee)  # the confirmation, or the waitlist notice


def _promoted(attendee, **_):
    services.on_promoted(attendee)  # "you have a place"


def _link_requested(attendee, *, by_attendee: bool, **_):
    services.send_personal_link(attendee, requested_by_attendee=by_attendee)


def _session_changed(session, *, attendee_ids, before, after, change_key,
                     waitlisted_ids=(), **_) -> None:
    """A breakout moved: one email to each person signed up or waiting, in their language."""
    services.notify_session_changed(session, attendee_ids, before=before, after=after,
                                    change_key=change_key, waitlisted_ids=waitlisted_ids)


def connect() -> None:
    """Connect the receivers (connecting twice is harmless: blinker keeps one of each)."""
    signals.attendee_registered.connect(_registered)
    signals.attendee_promoted.connect(_promoted)
    signals.personal_link_requested.connect(_link_requested)
    signals.session_changed.connect(_session_changed)
