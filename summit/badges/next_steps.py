"""What the organizer should do next about badges, for the event overview."""

from __future__ import annotations

from summit.events.models import Event
from summit.panels import NextStep, days_to_start, event_over


def badge_steps(*, registered: int, unprinted: int, days_ahead: int) -> list[NextStep]:
    """Badges not printed: urgent in the last week before the event."""
    if registered == 0:
        return []
    if unprinted == 0:
        return [NextStep(f"Badges printed for all {registered} registered", urgency="done",
                         order=40)]
    person = "person" if unprinted == 1 else "people"
    return [NextStep(f"Badges not printed for {unprinted} {person}", "print badges",
                     "badges.index", "now" if days_ahead <= 7 else "later", 40, "batch")]


def steps(event: Event) -> list[NextStep]:
    from summit.badges.services import print_counts

    if event_over(event):
        return []
    counts = print_counts(event)
    return badge_steps(registered=counts["registered"], unprinted=counts["unprinted"],
                       days_ahead=days_to_start(event))
