"""The program's plenary blocks (keynote, homeroom time, lunch, the action-planning workshop)
and the program's embed settings.

A ``ProgramBlock`` is everything on the program that is not a breakout session: one block of
time that everyone shares, on a 1-based day of the event, with wall-clock start and end times
in the event's time zone (as breakout slots are). Its ``kind`` says what sort of block it is:
the public program shows it, and what the block is worth (for example learning credit, where
meals and breaks earn nothing) is decided from it by the capability that needs it, which keeps
its own rules keyed by the block's id.

``ProgramSettings`` holds the websites (origins) allowed to show the program in a frame.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import ForeignKey, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.database import UTCDateTime, utcnow
from summit.extensions import db


class ProgramBlock(db.Model):
    __tablename__ = "program_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    day: Mapped[int] = mapped_column(Integer)  # 1-based day of the event
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="plenary")  # see rules.KINDS
    description: Mapped[str] = mapped_column(Text, default="")
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("breakout_rooms.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    room = relationship("Room")

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
    def minutes(self) -> int:
        return ((self.ends.hour * 60 + self.ends.minute)
                - (self.starts.hour * 60 + self.starts.minute))

    def __repr__(self) -> str:
        return f"<ProgramBlock day {self.day} {self.time_range} {self.title}>"


class ProgramSettings(db.Model):
    """One row per event, made the first time an organizer saves the embed settings."""

    __tablename__ = "program_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          unique=True)
    # The origins (``https://www.district.org``) that may frame the embed, one per line.
    embed_origins: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
