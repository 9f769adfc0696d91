"""The organizer's export of registrations: what registration, check-in and homerooms know
about each person, in one row (the edge may read every capability)."""

from __future__ import annotations

from sqlalchemy import select

from summit.checkin.api import arrival_times
from summit.events.models import Event
from summit.extensions import db
from summit.homerooms.api import table_labels_for
from summit.registration.models import Attendee


def export_rows(event: Event, base_url: str) -> list[dict[str, str]]:
    """Every registration of ``event``, one row each: the organizer's CSV export."""
    attendees = db.session.scalars(
        select(Attendee).where(Attendee.event_id == event.id)
        .order_by(Attendee.last_name, Attendee.first_name, Attendee.id)
    ).all()
    checked_in = arrival_times(event.id, [a.id for a in attendees])
    homerooms = table_labels_for(event, [a.id for a in attendees])
    rows = []
    for a in attendees:
        at = checked_in.get(a.id)
        rows.append({
            "first_name": a.first_name, "last_name": a.last_name, "email": a.email,
            "organization": a.organization_name, "state": a.state, "role": a.role,
            "dietary": a.dietary, "accessibility": a.accessibility, "status": a.status,
            "checked_in_at": at.isoformat(timespec="seconds") if at else "",
            "homeroom": homerooms.get(a.id, ""),
            "checkin_url": a.checkin_url(base_url),
        })
    return rows
