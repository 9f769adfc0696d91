"""Anonymous tallies left behind when attendees are erased, so statistics stay right.

``ErasedCheckin`` keeps one row per check-in of an erased attendee: the list, the minute of
arrival, the district and the source, but no link to a person. ``ErasedAttendee`` keeps one row
per erased registration (status and district only). Neither holds anything that identifies a
person; see docs/privacy.md.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from summit.database import UTCDateTime, utcnow
from summit.extensions import db


class ErasedCheckin(db.Model):
    __tablename__ = "erased_checkins"
    __table_args__ = (Index("ix_erased_checkins_list_at", "list_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("checkin_lists.id", ondelete="CASCADE"))
    # The arrival, truncated to the minute (enough for every per-5/15-minute chart).
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="desk")


class ErasedAttendee(db.Model):
    __tablename__ = "erased_attendees"
    __table_args__ = (Index("ix_erased_attendees_event_status", "event_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))  # the status when erased
    reason: Mapped[str] = mapped_column(String(16))  # request | retention
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
