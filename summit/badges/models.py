"""Badge tables: per-event settings (logo, stocks), desk corrections, batches and print records.

- ``BadgeSettings``: one row per event: the organizer's logo (bytes, re-encoded PNG) and the
  stocks preselected for batches and for the desk.
- ``BadgeOverride``: what a badge prints instead of the registration data (a preferred first
  name, a spelling fix) and the attendee's ribbon. Changes are written to the audit log.
- ``BadgeBatch``: one batch PDF (organizer, CLI): the attendees chosen when it was asked for,
  the job that renders it and, once done, the PDF itself (kept in the database so every web
  worker and host can serve it).
- ``BadgePrint``: who printed which attendee's badge, when, on which stock; "only unprinted"
  batches select attendees without any row here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from summit.database import UTCDateTime, utcnow
from summit.extensions import db

RIBBONS = ("Speaker", "Facilitator", "Staff", "Organizer")
PRINT_SOURCES = ("batch", "desk", "walk-in", "cli")


class BadgeSettings(db.Model):
    __tablename__ = "badge_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), unique=True
    )
    logo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    logo_mime: Mapped[str | None] = mapped_column(String(32))
    logo_width: Mapped[int | None] = mapped_column(Integer)
    logo_height: Mapped[int | None] = mapped_column(Integer)
    logo_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    batch_stock: Mapped[str] = mapped_column(String(32), default="avery-5392")
    desk_stock: Mapped[str] = mapped_column(String(32), default="thermal-4x6")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class BadgeOverride(db.Model):
    __tablename__ = "badge_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), unique=True
    )
    # Empty means "as registered".
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    organization: Mapped[str] = mapped_column(String(200), default="")
    ribbon: Mapped[str] = mapped_column(String(32), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    def as_dict(self) -> dict[str, str]:
        return {"first_name": self.first_name, "last_name": self.last_name,
                "organization": self.organization, "ribbon": self.ribbon}


class BadgeBatch(db.Model):
    __tablename__ = "badge_batches"
    __table_args__ = (Index("ix_badge_batches_event_created", "event_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    stock: Mapped[str] = mapped_column(String(32))
    # Readable summary of the selection ("District: Knox County Schools · not printed yet").
    description: Mapped[str] = mapped_column(String(500), default="")
    attendee_ids: Mapped[list] = mapped_column(JSON, default=list)
    count: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int | None] = mapped_column(Integer)
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    pdf_size: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default="batch")
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    job = relationship("Job")
    created_by = relationship("StaffUser")

    @property
    def ready(self) -> bool:
        return self.finished_at is not None

    @property
    def filename(self) -> str:
        return f"badges-{self.id}-{self.stock}.pdf"


class BadgePrint(db.Model):
    __tablename__ = "badge_prints"
    __table_args__ = (
        # A batch records each of its attendees once, even if its job is retried.
        UniqueConstraint("batch_id", "attendee_id"),
        Index("ix_badge_prints_event_attendee", "event_id", "attendee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("badge_batches.id", ondelete="CASCADE")
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stock: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16), default="batch")

    attendee = relationship("Attendee")
    by_user = relationship("StaffUser")
