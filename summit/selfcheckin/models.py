"""Homeroom presence: an attendee who scanned their own table's QR code on a given day.

One row per (table, attendee, day): a database unique constraint makes a second scan (or two
taps at once) count once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.database import UTCDateTime, utcnow
from summit.extensions import db


class HomeroomPresence(db.Model):
    __tablename__ = "homeroom_presence"
    __table_args__ = (
        UniqueConstraint("table_id", "attendee_id", "day"),
        Index("ix_homeroom_presence_table_day", "table_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("homeroom_tables.id", ondelete="CASCADE"))
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"),
                                             index=True)
    day: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    table = relationship("HomeroomTable")
    attendee = relationship("Attendee")
