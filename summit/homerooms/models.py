"""Homeroom tables, seats, per-day table locks and prompts, seating rules and accessibility.

- ``HomeroomTable``: a round table of an event (number, optional name, seats, location,
  wheelchair access, facilitator: a staff account and/or an attendee who sits at it every day).
- ``Seat``: one attendee at one table on one day; ``pinned`` is a rule the organizer set (the
  engine must keep it), ``locked`` keeps an engine result or a hand move through re-runs.
- ``TableLock``: a whole table frozen for one day (occupants stay, nobody joins).
- ``HomeroomDay``: the day's discussion prompt (used when ``summit.plans`` has none).
- ``HomeroomRules``: keep-together groups and keep-apart pairs (as e-mail addresses, so the
  organizer's textarea round-trips), the seed and how long the engine took last time.
- ``AccessibilityNeed``: the organizer's override of "needs a wheelchair-accessible table";
  without one, the need is inferred from the attendee's accessibility note (see
  ``needs_accessible_from_note``).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.database import UTCDateTime, utcnow
from summit.extensions import db

# Words in an attendee's accessibility note that mean "seat me at a step-free table".
ACCESSIBLE_NOTE = re.compile(
    r"\b(?:wheel\s*-?\s*chair|step[\s-]*free|mobility|scooter|walker|crutch(?:es)?|cane|"
    r"ramp|no stairs|level access|accessible (?:table|seat|seating))\b",
    re.IGNORECASE,
)


def needs_accessible_from_note(note: str | None) -> bool:
    """The documented inference rule: the note mentions a wheelchair, step-free access, etc."""
    return bool(note and ACCESSIBLE_NOTE.search(note))


class HomeroomTable(db.Model):
    __tablename__ = "homeroom_tables"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100), default="")
    seats: Mapped[int] = mapped_column(Integer, default=8)
    location: Mapped[str] = mapped_column(String(200), default="")
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    facilitator_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    facilitator_attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    facilitator_user = relationship("StaffUser")
    facilitator_attendee = relationship("Attendee")

    @property
    def label(self) -> str:
        return self.name or f"Table {self.number}"

    @property
    def full_label(self) -> str:
        """"Table 12 (Hall B)": what attendees, badges and exports show."""
        return table_full_label(self.number, self.name, self.location)

    def __repr__(self) -> str:
        return f"<HomeroomTable {self.event_id}/{self.number}>"


def table_full_label(number: int, name: str | None, location: str | None) -> str:
    """``HomeroomTable.full_label`` from plain column values (for queries that load no rows)."""
    label = name or f"Table {number}"
    return f"{label} ({location})" if location else label


class Seat(db.Model):
    __tablename__ = "homeroom_seats"
    __table_args__ = (
        UniqueConstraint("attendee_id", "day"),
        Index("ix_homeroom_seats_event_day", "event_id", "day"),
        Index("ix_homeroom_seats_table_day", "table_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    table_id: Mapped[int] = mapped_column(ForeignKey("homeroom_tables.id", ondelete="CASCADE"))
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    day: Mapped[int] = mapped_column(Integer)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)

    table: Mapped[HomeroomTable] = relationship()
    attendee = relationship("Attendee")


class TableLock(db.Model):
    __tablename__ = "homeroom_table_locks"
    __table_args__ = (UniqueConstraint("table_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("homeroom_tables.id", ondelete="CASCADE"))
    day: Mapped[int] = mapped_column(Integer)


class HomeroomDay(db.Model):
    __tablename__ = "homeroom_days"
    __table_args__ = (UniqueConstraint("event_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    day: Mapped[int] = mapped_column(Integer)
    prompt: Mapped[str] = mapped_column(Text, default="")


class HomeroomRules(db.Model):
    __tablename__ = "homeroom_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), unique=True
    )
    # [["a@x.org", "b@y.org"], ...] and [["c@x.org", "d@y.org"], ...]
    keep_together: Mapped[list] = mapped_column(JSON, default=list)
    keep_apart: Mapped[list] = mapped_column(JSON, default=list)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    last_run_seconds: Mapped[float | None] = mapped_column(Float)
    last_run_kind: Mapped[str] = mapped_column(String(64), default="")
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccessibilityNeed(db.Model):
    __tablename__ = "homeroom_accessibility"

    id: Mapped[int] = mapped_column(primary_key=True)
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), unique=True
    )
    needs_accessible_table: Mapped[bool] = mapped_column(Boolean, default=True)
