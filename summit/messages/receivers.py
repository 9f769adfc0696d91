"""What the messages capability does when another capability says something happened.

Receivers run inside the sender's transaction: they write outbox rows (``MessageRecipient``)
and queue the delivery job, which runs after the commit. They never talk to a mail server.
``connect()`` is called once by ``create_app``.
"""

from __future__ import annotations

from summit import signals
from summit.messages import services


def on_session_changed(session, *, attendee_ids, before, after, change_key,
                       waitlisted_ids=(), **_) -> None:
    """A breakout moved: one email to each person signed up or waiting, in their language."""
    services.notify_session_changed(session, attendee_ids, before=before, after=after,
                                    change_key=change_key, waitlisted_ids=waitlisted_ids)


def connect() -> None:
    """Connect the receivers (connecting twice is harmless: blinker keeps one of each)."""
    signals.session_changed.connect(on_session_changed)
