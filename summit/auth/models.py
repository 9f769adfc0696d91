"""Staff accounts, their roles per event, API tokens and the login throttle's memory."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from summit.database import UTCDateTime, utcnow
from summit.extensions import db

STAFF_ROLES = ("organizer", "checkin", "facilitator")
STAFF_ROLE_LABELS = {"organizer": "Organizer", "checkin": "Check-in volunteer",
                     "facilitator": "Facilitator"}


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    # Changing it signs the account out everywhere (Flask-Login's alternative id).
    session_token: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles: Mapped[list[EventRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def set_password(self, password: str) -> None:
        from flask import current_app

        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def roles_for(self, event_id: int | None) -> set[str]:
        """Roles held for ``event_id``: roles without an event apply to every event."""
        return {r.role for r in self.roles if r.event_id is None or r.event_id == event_id}

    def has_role(self, event_id: int | None, *roles: str) -> bool:
        held = self.roles_for(event_id)
        return "organizer" in held or bool(held.intersection(roles))

    def __repr__(self) -> str:
        return f"<StaffUser {self.email}>"


class EventRole(db.Model):
    """A role for one event, or for every event when ``event_id`` is empty."""

    __tablename__ = "event_roles"
    __table_args__ = (UniqueConstraint("user_id", "event_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))

    user: Mapped[StaffUser] = relationship(back_populates="roles")


class ApiToken(db.Model):
    """A bearer token: shown once, stored as a SHA-256 hash."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Empty: valid until revoked. Revoked with the account's password change or removal.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[StaffUser] = relationship()

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class LoginFailure(db.Model):
    """One failed staff sign-in, kept for the throttle (and trimmed after a day)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_email_at", "email", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    # Which device failed (a hash of its id: summit.devices.device_label), and whether that
    # device had signed in to this account before (then it does not count towards the
    # account's budget for devices it has never used).
    device: Mapped[str] = mapped_column(String(24), default="")
    known_device: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def user_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
