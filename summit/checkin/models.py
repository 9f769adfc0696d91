"""Check-in lists and check-ins.

An event has one entrance list and one list per breakout session (deleted with its session, so a
new session that gets the same id on SQLite starts empty). A check-in is unique per (list,
attendee), which is what makes two desks scanning the same badge at once produce exactly one
record. A client ``nonce`` is an idempotency key of its list: unique per list, so event A's
nonce never answers event B's scan, and the row it made is what reproduces the first answer to
a retried request (see ``summit.checkin.rules``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.database import UTCDateTime, utcnow
from summit.extensions import db


class CheckinList(db.Model):
    __tablename__ = "checkin_lists"
    __table_args__ = (UniqueConstraint("event_id", "kind", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="entrance")  # entrance | session
    # The breakout session a "session" list belongs to; its attendance goes with it. A string
    # reference to breakouts' table: check-in imports nothing of breakouts.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("breakout_sessions.id", ondelete="CASCADE"), index=True)


class Checkin(db.Model):
    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("list_id", "attendee_id"),
        UniqueConstraint("list_id", "nonce"),
        Index("ix_checkins_list_at", "list_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("checkin_lists.id", ondelete="CASCADE"))
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(16), default="desk")
    nonce: Mapped[str | None] = mapped_column(String(64))

    checkin_list: Mapped[CheckinList] = relationship()
    attendee = relationship("Attendee")
    by_user = relationship("StaffUser")
