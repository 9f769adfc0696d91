"""Attendees (one registration of one person for one event) and district team membership.

A cancelled registration stays its own row, with everything attached to it: registering again
with the same address makes a new attendee. Only one *active* (registered or waitlisted)
registration per address and event may exist, which a partial unique index guarantees.

``OrganizationDomain`` is an email domain the organizers confirmed as an organization's, for
one event; ``JoinRequest`` is someone's request to join their district's team, and the
decision on it (see ``summit.registration.membership``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.codes import checkin_url, new_code, new_personal_secret
from summit.database import UTCDateTime, utcnow
from summit.events.models import Event, Organization
from summit.extensions import db

STATUSES = ("registered", "waitlisted", "cancelled")
# The partial unique index's condition: a registration that has not been cancelled.
ACTIVE = text("status <> 'cancelled'")


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
        # One active registration per address; cancelled ones stay, each its own row.
        Index("uq_attendees_event_active_email", "event_id", "email", unique=True,
              sqlite_where=ACTIVE, postgresql_where=ACTIVE),
        Index("ix_attendees_event_email", "event_id", "email"),
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
    # When a link that only ever went to ``email`` was first opened (the personal link, the
    # self check-in arrival link): the address is proven to be this person's. Until then the
    # browser the registration form signed in is the only one, and it is signed out then.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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


class OrganizationDomain(db.Model):
    """An email domain the organizers confirmed as an organization's, for one event.

    An attendee whose confirmed address is at this domain (or a subdomain of it) belongs to the
    organization's team without anyone's approval. A domain names one organization per event.
    """

    __tablename__ = "organization_domains"
    __table_args__ = (UniqueConstraint("event_id", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(253))
    confirmed_by: Mapped[str] = mapped_column(String(254), default="")
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()


JOIN_STATUSES = ("pending", "approved", "declined")


class JoinRequest(db.Model):
    """One attendee's request to join their district's team, and the decision on it.

    At most one per attendee. It counts for ``organization_id`` only: when an organizer moves
    the attendee to another organization, the old approval no longer applies. A ``declined``
    row also takes away a membership the email domain would give (an organizer's removal).
    """

    __tablename__ = "team_join_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"),
                                             unique=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who decided: a team member (their attendee row) or a staff account (its email).
    decided_by_attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="SET NULL"))
    decided_by_staff: Mapped[str] = mapped_column(String(254), default="")

    attendee: Mapped[Attendee] = relationship(foreign_keys=[attendee_id])
    organization: Mapped[Organization] = relationship()
