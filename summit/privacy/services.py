"""Export, erase and purge attendees' personal data through the registered providers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from summit import audit
from summit.database import lock_for_update, utcnow
from summit.events.models import Event
from summit.extensions import db
from summit.privacy.models import ErasedAttendee
from summit.privacy.registry import EXPORT_FORMAT, providers
from summit.registration.api import Attendee


def retention_ends(event: Event) -> date:
    """The last day personal data is kept; ``purge`` removes it on any later day."""
    return event.end_date + timedelta(days=event.retention_days or 0)


def export_attendee(attendee: Attendee) -> dict:
    """Everything Summit holds about ``attendee``: one section per capability."""
    event = attendee.event
    document = {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow(),
        "event": {"name": event.name, "slug": event.slug, "venue": event.venue,
                  "start_date": event.start_date, "end_date": event.end_date},
        "retention": {"days_after_the_event": event.retention_days,
                      "kept_until": retention_ends(event)},
    }
    for provider in providers():
        document[provider.name] = provider.export(attendee)
    return document


def _json_default(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def export_json(attendee: Attendee) -> str:
    return json.dumps(export_attendee(attendee), default=_json_default, ensure_ascii=False,
                      indent=2)


def _describe(value) -> str | None:
    if isinstance(value, list):
        return str(len(value)) if value else None
    if isinstance(value, dict):
        return "yes" if any(v not in (None, "", [], {}) for v in value.values()) else None
    if value in (None, "", False):
        return None
    return "yes"


@dataclass
class ErasureItem:
    title: str
    description: str
    held: list[tuple[str, str]] = field(default_factory=list)  # (what, how many)


def erasure_preview(attendee: Attendee) -> list[ErasureItem]:
    """What each capability holds about ``attendee`` (for the confirmation page)."""
    items = []
    for provider in providers():
        data = provider.export(attendee)
        held = []
        for key, value in data.items():
            described = _describe(value)
            if described and key != "note":
                held.append((key.replace("_", " "), described))
        items.append(ErasureItem(provider.title, provider.description, held))
    return items


def erase_attendee(attendee: Attendee, *, reason: str = "request") -> int:
    """Erase ``attendee`` everywhere, in the current transaction; returns their former id.

    Every provider's ``erase`` runs in order (the registration itself last). An anonymous
    tally (district and status) is kept, and the audit log records that attendee #id was
    erased, without any of their data. A place freed before the event goes to the waitlist.
    """
    event = lock_for_update(db.session, Event, attendee.event_id)
    attendee_id, status, organization_id = attendee.id, attendee.status, attendee.organization_id
    for provider in providers():
        provider.erase(attendee)
        db.session.flush()
    db.session.expunge(attendee)
    db.session.add(ErasedAttendee(event_id=event.id, organization_id=organization_id,
                                  status=status, reason=reason))
    audit.record("attendee.erased", event_id=event.id, after={"attendee": f"#{attendee_id}",
                                                              "reason": reason})
    if status == "registered" and reason == "request" and event.end_date >= date.today():
        from summit.registration.api import promote_next

        promote_next(event)
    event.bump()
    return attendee_id


def erased_count(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(ErasedAttendee)
                             .where(ErasedAttendee.event_id == event.id)) or 0


@dataclass
class PurgePlan:
    event: Event
    attendees: int
    kept_until: date


def events_to_purge(today: date | None = None) -> list[PurgePlan]:
    """Events whose retention period is over and which still hold attendees."""
    today = today or date.today()
    plans = []
    counts = dict(db.session.execute(
        select(Attendee.event_id, func.count()).group_by(Attendee.event_id)).all())
    for event in db.session.scalars(select(Event).order_by(Event.start_date, Event.id)):
        if counts.get(event.id) and retention_ends(event) < today:
            plans.append(PurgePlan(event, counts[event.id], retention_ends(event)))
    return plans


def purge_event(event: Event) -> int:
    """Erase every attendee of ``event`` (the caller commits); returns how many."""
    ids = list(db.session.scalars(select(Attendee.id).where(Attendee.event_id == event.id)
                                  .order_by(Attendee.id)))
    for attendee_id in ids:
        attendee = db.session.get(Attendee, attendee_id)
        erase_attendee(attendee, reason="retention")
    return len(ids)
