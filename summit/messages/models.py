"""Email outbox (what went to whom), mail preferences and live announcements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
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
from summit.registration.api import Attendee

RECIPIENT_STATUSES = ("queued", "sending", "retrying", "sent", "failed", "skipped")


class Message(db.Model):
    """An organizer's message to a segment of attendees (automatic mail has no Message)."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    segment_kind: Mapped[str] = mapped_column(String(32))
    segment_key: Mapped[str] = mapped_column(String(200), default="")
    segment_label: Mapped[str] = mapped_column(String(300), default="")
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by = relationship("StaffUser")


class MessageRecipient(db.Model):
    """One email to one attendee: the outbox row and the record of delivery.

    ``reason_key`` names why it was sent ("confirmation:…", "message:12", "session-changed:…");
    the unique constraint makes sure nobody gets the same mail twice for the same reason.
    """

    __tablename__ = "message_recipients"
    __table_args__ = (
        UniqueConstraint("attendee_id", "reason_key"),
        Index("ix_message_recipients_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"),
                                             index=True)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    reason_key: Mapped[str] = mapped_column(String(200))
    optional: Mapped[bool] = mapped_column(Boolean, default=False)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    # Built at send time: ["qr", "ics"] or {"filename", "mimetype", "data" (base64)} entries.
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    outbox_file: Mapped[str | None] = mapped_column(String(300))
    message_id_header: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attendee: Mapped[Attendee] = relationship()
    message: Mapped[Message | None] = relationship()


class MailPreference(db.Model):
    """An attendee's choice about optional mail (organizer news). Confirmations always go."""

    __tablename__ = "mail_preferences"

    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), primary_key=True
    )
    optional_mail: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


ANNOUNCEMENT_LEVELS = ("info", "urgent")


class Announcement(db.Model):
    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_event_created", "event_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(500), default="")
    level: Mapped[str] = mapped_column(String(8), default="info")
    # "everyone", or a segment kind registered in summit.messages.segments ("table", "session")
    target_kind: Mapped[str] = mapped_column(String(32), default="everyone")
    target_key: Mapped[str] = mapped_column(String(200), default="")
    target_label: Mapped[str] = mapped_column(String(300), default="")
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("StaffUser")


class AnnouncementDismissal(db.Model):
    __tablename__ = "announcement_dismissals"
    __table_args__ = (UniqueConstraint("announcement_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"))
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"),
                                             index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LiveChannel(db.Model):
    """Per-event version of the announcements, the ETag of the banner poll.

    Kept apart from ``Event.change_seq`` (bumped by every registration and check-in) so that a
    busy door does not turn 300 cheap 304 answers a second into 300 page renders.
    """

    __tablename__ = "live_channels"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, default=0)
