"""What the organizer should do next about registration and staff, for the event overview."""

from __future__ import annotations

from sqlalchemy import func, select

from summit.auth.models import EventRole
from summit.events.models import Event
from summit.extensions import db
from summit.panels import NextStep, days_to_start, event_over


def registration_steps(*, state: str, opens: str, registered: int, waitlisted: int,
                       capacity: int | None, volunteers: int,
                       days_ahead: int) -> list[NextStep]:
    steps = []
    if state == "not_open":
        steps.append(NextStep(f"Registration opens {opens}", "check the settings",
                              "admin.event_settings", "later", 1))
    elif state == "open" and registered == 0:
        steps.append(NextStep("Registration is open and nobody has registered yet",
                              "share the form", "registration.register", "soon", 1))
    if waitlisted:
        person = "person waits" if waitlisted == 1 else "people wait"
        steps.append(NextStep(f"{waitlisted} {person} on the waitlist"
                              + (f" (capacity {capacity})" if capacity else ""),
                              "raise the capacity", "admin.event_settings", "soon", 2))
    if volunteers == 0 and registered and days_ahead <= 14:
        steps.append(NextStep("No check-in volunteers yet", "add staff", "admin.staff",
                              "soon" if days_ahead > 3 else "now", 11))
    return steps


def steps(event: Event) -> list[NextStep]:
    from summit.admin.queries import event_counts

    if event_over(event):
        return []
    counts = event_counts(event)
    volunteers = db.session.scalar(select(func.count(EventRole.id)).where(
        EventRole.role == "checkin",
        (EventRole.event_id == event.id) | EventRole.event_id.is_(None))) or 0
    opens = event.local(event.registration_opens_at)
    return registration_steps(
        state=event.registration_state(), opens=f"{opens:%A %B %-d, %-I:%M %p}" if opens else "",
        registered=counts["registered"], waitlisted=counts["waitlisted"],
        capacity=event.capacity, volunteers=volunteers, days_ahead=days_to_start(event))
