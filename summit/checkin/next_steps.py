"""What the organizer should do next about check-in, for the event overview."""

from __future__ import annotations

from sqlalchemy import func, select

from summit.events.models import Event
from summit.extensions import db
from summit.panels import NextStep, days_to_start, event_over
from summit.registration.api import Attendee


def checkin_steps(*, days_ahead: int, registered: int, checked_in: int) -> list[NextStep]:
    """Test the desk the week before; while the event runs, how many have arrived."""
    if registered == 0:
        return []
    if days_ahead == 1:
        return [NextStep("Check-in opens tomorrow", "test the desk", "checkin.desk", "now",
                         10)]
    if 1 < days_ahead <= 7:
        return [NextStep(f"Check-in opens in {days_ahead} days", "test the desk",
                         "checkin.desk", "soon", 10)]
    if days_ahead <= 0:
        return [NextStep(f"{checked_in} of {registered} checked in", "open the desk",
                         "checkin.desk", "now", 10)]
    return []


def steps(event: Event) -> list[NextStep]:
    from summit.checkin.views import entrance_count

    if event_over(event):
        return []
    registered = db.session.scalar(select(func.count(Attendee.id)).where(
        Attendee.event_id == event.id, Attendee.status == "registered")) or 0
    return checkin_steps(days_ahead=days_to_start(event), registered=registered,
                         checked_in=entrance_count(event))
