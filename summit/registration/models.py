"""Attendees: one registration of one person for one event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.codes import checkin_url, new_code, new_personal_secret
from summit.database import UTCDateTime, utcnow
from summit.events.models import Event, Organization
from summit.extensions import db

STATUSES = ("registered", "waitlisted", "cancelled")
def N_(text: str) -> str:  # noqa: N802  (a gettext marker: the roles are translated when shown)
    return text


ROLES = (
    N_("Superintendent"),
    N_("District leader"),
    N_("Principal"),
    N_("Assistant principal"),
    N_("Instructional coach"),
    N_("Teacher"),
    N_("Technology director"),
    N_("Board member"),
    N_("Other"),
)


class Attendee(db.Model):
    __tablename__ = "attendees"
    __table_args__ = (
        UniqueConstraint("event_id", "email"),
        Index("ix_attendees_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(100), default="")
    dietary: Mapped[str] = mapped_column(Text, default="")
    accessibility: Mapped[str] = mapped_column(Text, default="")
    share_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    # "en" or "fr": pages and emails for this attendee (None: the browser decides, emails in
    # English). Set from the language of the registration form, changed by the switcher.
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="registered")
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default="form")
    checkin_code: Mapped[str] = mapped_column(String(64), unique=True, default=new_code)
    personal_secret: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_personal_secret
    )
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    organization: Mapped[Organization | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def organization_name(self) -> str:
        return self.organization.name if self.organization else ""

    @property
    def state(self) -> str:
        return self.organization.state if self.organization else ""

    def checkin_url(self, base_url: str) -> str:
        return checkin_url(base_url, self.checkin_code)

    def __repr__(self) -> str:
        return f"<Attendee {self.id} {self.email}>"
