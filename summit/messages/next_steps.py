"""What the organizer should do next about email, for the event overview."""

from __future__ import annotations

from summit.events.models import Event
from summit.panels import NextStep


def message_steps(*, failed: int) -> list[NextStep]:
    if not failed:
        return []
    email = "email" if failed == 1 else "emails"
    return [NextStep(f"{failed} {email} could not be sent", "see Messages", "messages.index",
                     "now", 5)]


def steps(event: Event) -> list[NextStep]:
    from summit.messages.services import status_counts

    return message_steps(failed=status_counts(event.id).get("failed", 0))
