"""Credit tables: the event's rules and signer, its credit-bearing activities, the scans the
ledger counts, corrections and the attendees' requests for them, certificates and batches.

- ``CreditSettings``: one row per event (made on first use): the credit's name, the provider,
  the signer and their signature (a re-encoded PNG), and the rules (``rules.Rules``).
- ``CreditActivity``: what an organizer chose for one plenary block (``block_id``) or breakout
  session (``session_id``): its minutes of credit and the evidence it needs. Blocks and
  sessions without a row follow the defaults (``services.activities_of``).
- ``CreditScan``: the ledger's evidence, written by the ``checked_in`` receiver: entrance and
  room-door check-ins (deleted with the check-in when it is undone), and exit scans.
- ``CreditCorrection``: an organizer's grant or removal of one activity for one person, with a
  reason (the latest wins; every one is in the audit log too).
- ``CreditRequest``: an attendee's request for a correction, and its answer.
- ``Certificate``: an issued certificate with its unguessable ``code`` and a snapshot of what it
  says (name, hours, activities), kept for the provider's retention period even after the
  attendee's record is erased (``attendee_id`` becomes NULL). Revoked or superseded ones stay,
  so their verification page says so.
- ``CertificateBatch``: one PDF of many certificates, rendered by a job with progress.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from summit.database import UTCDateTime, utcnow
from summit.extensions import db


class CreditSettings(db.Model):
    __tablename__ = "credit_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          unique=True)
    credit_name: Mapped[str] = mapped_column(String(60), default="Clock hours")
    provider_name: Mapped[str] = mapped_column(String(200), default="")
    activity_number: Mapped[str] = mapped_column(String(100), default="")
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    signature: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    signature_width: Mapped[int | None] = mapped_column(Integer)
    signature_height: Mapped[int | None] = mapped_column(Integer)
    arrival_window: Mapped[int] = mapped_column(Integer, default=15)
    exit_scan: Mapped[bool] = mapped_column(Boolean, default=False)
    exit_min_share: Mapped[int] = mapped_column(Integer, default=75)
    rounding: Mapped[str] = mapped_column(String(8), default="half")
    feedback_required: Mapped[bool] = mapped_column(Boolean, default=False)
    retention_years: Mapped[int] = mapped_column(Integer, default=7)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CreditActivity(db.Model):
    __tablename__ = "credit_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    block_id: Mapped[int | None] = mapped_column(
        ForeignKey("program_blocks.id", ondelete="CASCADE"), unique=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("breakout_sessions.id", ondelete="CASCADE"), unique=True)
    credit_minutes: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(String(16), default="entrance")


class CreditScan(db.Model):
    __tablename__ = "credit_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"),
                                             index=True)
    kind: Mapped[str] = mapped_column(String(16))  # entrance | room | exit
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("breakout_sessions.id", ondelete="CASCADE"), index=True)
    # The check-in this scan is (entrance and room); undoing the check-in removes it.
    checkin_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkins.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16), default="")


class CreditCorrection(db.Model):
    __tablename__ = "credit_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"),
                                             index=True)
    activity_key: Mapped[str] = mapped_column(String(16))  # b<block id> | s<session id>
    granted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CreditRequest(db.Model):
    __tablename__ = "credit_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"),
                                             index=True)
    activity_key: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|granted|declined
    answer: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"))


# The partial unique index's condition: a certificate still valid.
ISSUED = text("status = 'issued'")


class Certificate(db.Model):
    __tablename__ = "credit_certificates"
    __table_args__ = (
        # One valid certificate per person: two requests issuing at once store one.
        Index("uq_credit_certificates_issued", "attendee_id", unique=True,
              sqlite_where=ISSUED, postgresql_where=ISSUED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="SET NULL"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="issued")  # issued|revoked|superseded
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    organization: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(100), default="")
    credit_name: Mapped[str] = mapped_column(String(60))
    total_minutes: Mapped[int] = mapped_column(Integer)
    # [{"title", "date", "start", "end", "minutes", "evidence"}], as printed.
    activities: Mapped[list] = mapped_column(JSON, default=list)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    keep_until: Mapped[date] = mapped_column(Date)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class CertificateBatch(db.Model):
    __tablename__ = "credit_certificate_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    certificate_ids: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|done|failed
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    pdf_size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    job = relationship("Job")
