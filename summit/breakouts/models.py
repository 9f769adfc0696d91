"""Breakout rooms, time slots, sessions, their tags and facilitators, enrollments and notices.

Slot times are wall-clock times of the event (``event.timezone``) on a 1-based day of the event:
a 9:00 session stays at 9:00 even if the organizer changes the event's time zone.

An ``Enrollment`` is one attendee's seat (``enrolled``) or waitlist place (``waitlisted``) in one
session; ``(session_id, attendee_id)`` is unique, so a double-submitted form never makes two rows.
``Slot.seq`` counts changes of seats in the slot: with ``event.change_seq`` it is the ETag source
of the live seat counts, without every sign-up writing to the event row.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.database import UTCDateTime, utcnow
from summit.extensions import db

MODES = ("signup", "open")
MODE_LABELS = {"signup": "Sign-up required", "open": "Open seating"}
ENROLLMENT_STATUSES = ("enrolled", "waitlisted", "cancelled")


class Room(db.Model):
    __tablename__ = "breakout_rooms"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int] = mapped_column(Integer, default=30)
    accessible: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str] = mapped_column(String(300), default="")

    def __repr__(self) -> str:
        return f"<Room {self.name}>"


class Slot(db.Model):
    __tablename__ = "breakout_slots"
    __table_args__ = (UniqueConstraint("event_id", "day", "starts", "ends"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    day: Mapped[int] = mapped_column(Integer, default=1)  # 1-based day of the event
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    label: Mapped[str] = mapped_column(String(100), default="")
    seq: Mapped[int] = mapped_column(Integer, default=0)

    event = relationship("Event")

    def date_on(self, start_date: date) -> date:
        return start_date + timedelta(days=self.day - 1)

    def local_bounds(self, start_date: date, tz) -> tuple[datetime, datetime]:
        day = self.date_on(start_date)
        return (datetime.combine(day, self.starts, tzinfo=tz),
                datetime.combine(day, self.ends, tzinfo=tz))

    @property
    def time_range(self) -> str:
        return f"{self.starts:%H:%M}–{self.ends:%H:%M}"

    @property
    def sort_key(self) -> tuple:
        return (self.day, self.starts, self.ends, self.id)

    def __repr__(self) -> str:
        return f"<Slot day {self.day} {self.time_range}>"


class BreakoutSession(db.Model):
    __tablename__ = "breakout_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("breakout_rooms.id", ondelete="SET NULL"), index=True)
    slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("breakout_slots.id", ondelete="SET NULL"), index=True)
    # None: the room's capacity.
    capacity: Mapped[int | None] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(16), default="signup")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event = relationship("Event")
    room: Mapped[Room | None] = relationship()
    slot: Mapped[Slot | None] = relationship()
    tags: Mapped[list[SessionTag]] = relationship(
        cascade="all, delete-orphan", order_by="SessionTag.name")
    facilitators: Mapped[list[SessionFacilitator]] = relationship(
        cascade="all, delete-orphan", order_by="SessionFacilitator.id")

    @property
    def effective_capacity(self) -> int | None:
        if self.capacity is not None:
            return self.capacity
        return self.room.capacity if self.room is not None else None

    @property
    def tag_names(self) -> list[str]:
        return [t.name for t in self.tags]

    @property
    def facilitator_names(self) -> list[str]:
        return [f.display_name for f in self.facilitators]

    def __repr__(self) -> str:
        return f"<BreakoutSession {self.id} {self.title}>"


class SessionTag(db.Model):
    __tablename__ = "breakout_session_tags"
    __table_args__ = (UniqueConstraint("session_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("breakout_sessions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))


class SessionFacilitator(db.Model):
    """A facilitator or speaker: a staff account, an attendee, or just a name and email."""

    __tablename__ = "breakout_session_facilitators"
    __table_args__ = (UniqueConstraint("session_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("breakout_sessions.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True)
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="SET NULL"), index=True)

    user = relationship("StaffUser")
    attendee = relationship("Attendee")

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        if self.attendee is not None:
            return self.attendee.full_name
        if self.user is not None:
            return self.user.display_name
        return self.email


class Enrollment(db.Model):
    __tablename__ = "breakout_enrollments"
    __table_args__ = (
        UniqueConstraint("session_id", "attendee_id"),
        Index("ix_breakout_enrollments_session_status", "session_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("breakout_sessions.id", ondelete="CASCADE"))
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="enrolled")
    # Arrival order on the waitlist; never renumbered (ranks are computed).
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    session: Mapped[BreakoutSession] = relationship()
    attendee = relationship("Attendee")


class SessionChangeNotice(db.Model):
    """Something an attendee should see on their agenda: a move, a promotion. Dismissible."""

    __tablename__ = "breakout_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("breakout_sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # moved | promoted | cancelled
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CalendarKey(db.Model):
    """The secret of an attendee's private calendar feed (not their personal link)."""

    __tablename__ = "breakout_calendar_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), unique=True)
    secret: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
