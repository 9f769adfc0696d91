"""Events and the organizations (district delegations) that attend them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Date, Integer, String, Text, UniqueConstraint, update
from sqlalchemy.orm import Mapped, mapped_column

from summit.database import UTCDateTime, utcnow
from summit.extensions import db

ORGANIZATION_KINDS = ("district", "charter", "university", "state agency", "nonprofit", "other")


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="America/Chicago")
    start_date: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer, default=1)
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retention_days: Mapped[int] = mapped_column(Integer, default=365)
    description: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped whenever something shown on a live page changes: the cheap source of ETags.
    change_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def end_date(self) -> date:
        return self.start_date + timedelta(days=max(self.days, 1) - 1)

    def day_dates(self) -> list[date]:
        return [self.start_date + timedelta(days=i) for i in range(max(self.days, 1))]

    def current_day(self, now: datetime | None = None) -> int:
        """Today's day number in the event's time zone (1 before it starts, the last after)."""
        return min(max(_day_index(self, now), 1), max(self.days, 1))

    def current_day_or_none(self, now: datetime | None = None) -> int | None:
        """Today's day number in the event's time zone, or ``None`` before or after the event."""
        index = _day_index(self, now)
        return index if 1 <= index <= max(self.days, 1) else None

    def local(self, moment: datetime | None) -> datetime | None:
        return moment.astimezone(self.tz) if moment else None

    def registration_state(self, now: datetime | None = None) -> str:
        """``"not_open"``, ``"open"`` or ``"closed"``."""
        now = now or utcnow()
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_open"
        if self.registration_closes_at and now >= self.registration_closes_at:
            return "closed"
        return "open"

    def bump(self) -> None:
        """Record that live data of this event changed (atomic, safe across workers)."""
        db.session.execute(
            update(Event).where(Event.id == self.id).values(change_seq=Event.change_seq + 1)
        )

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


def _day_index(event, now: datetime | None) -> int:
    # Only ``tz`` and ``start_date`` are read, so snapshots such as ``ApiEvent`` can share it.
    today = (now or utcnow()).astimezone(event.tz).date()
    return (today - event.start_date).days + 1


class Organization(db.Model):
    """A district (or other body) and its state or province; delegations group by it."""

    __tablename__ = "organizations"
    __table_args__ = (UniqueConstraint("name_key", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Case- and space-insensitive key so "Knox County Schools" and "knox county  schools" match.
    name_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="district")
    state: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @staticmethod
    def key_for(name: str) -> str:
        return " ".join(name.casefold().split())

    def __repr__(self) -> str:
        return f"<Organization {self.name} ({self.state})>"
