"""Creating and editing events."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from summit import audit, signals
from summit.events.models import Event
from summit.extensions import db


class EventError(ValueError):
    pass


def create_event(slug: str, name: str, start: date, *, days: int = 1,
                 capacity: int | None = None, **fields) -> Event:
    if db.session.scalar(select(Event).where(Event.slug == slug)) is not None:
        raise EventError(f"An event with the address “{slug}” already exists.")
    event = Event(slug=slug, name=name, start_date=start, days=days, capacity=capacity, **fields)
    db.session.add(event)
    db.session.flush()
    signals.event_created.send(event)  # check-in opens the entrance list
    audit.record("event.created", event_id=event.id, target=event,
                 after={"slug": slug, "name": name})
    return event


def to_utc(local: datetime | None, tz: str) -> datetime | None:
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def to_local_naive(moment: datetime | None, tz: str) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
