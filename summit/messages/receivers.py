"""What messages does when other capabilities report a change: queue the email it calls for.

Receivers run inside the sender's transaction and only write outbox rows and queue the
``messages.deliver`` job; the SMTP conversation happens in that job, after the commit.
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


def connect() -> None:
    signals.attendee_registered.connect(_registered)
    signals.attendee_promoted.connect(_promoted)
    signals.personal_link_requested.connect(_link_requested)
