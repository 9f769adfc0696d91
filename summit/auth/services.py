"""Staff accounts: creation, roles, sign-in throttling and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select

from summit import audit
from summit.auth.models import STAFF_ROLES, ApiToken, EventRole, LoginFailure, StaffUser
from summit.auth.tokens import display_prefix, hash_token, new_api_token
from summit.database import utcnow
from summit.extensions import db

THROTTLE_WINDOW = timedelta(minutes=15)


def create_user(email: str, role: str, password: str | None = None, *, event_id: int | None = None,
                name: str = "") -> StaffUser:
    if role not in STAFF_ROLES:
        raise ValueError(f"role must be one of {', '.join(STAFF_ROLES)}")
    email = email.strip().lower()
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    if user is None:
        user = StaffUser(email=email, name=name, session_token=secrets.token_hex(16))
        db.session.add(user)
    if password is not None:
        user.set_password(password)
        user.session_token = secrets.token_hex(16)
    if not any(r.role == role and r.event_id == event_id for r in user.roles):
        user.roles.append(EventRole(role=role, event_id=event_id))
    db.session.flush()
    audit.record("staff.role_granted", event_id=event_id, target=user,
                 after={"email": email, "role": role})
    return user


def seconds_until_next_attempt(email: str) -> int:
    """0 if a sign-in may be tried now; otherwise how long to wait.

    The first few failures are free; after that each one doubles the wait (2 s, 4 s, ... up to
    15 minutes). Stored in the database, so it holds across workers and hosts.
    """
    from flask import current_app

    free = current_app.config.get("LOGIN_THROTTLE_FREE_ATTEMPTS", 5)
    since = utcnow() - THROTTLE_WINDOW
    failures, last = db.session.execute(
        select(func.count(), func.max(LoginFailure.at))
        .where(LoginFailure.email == email, LoginFailure.at >= since)
    ).one()
    if failures < free or last is None:
        return 0
    wait = min(2 ** (failures - free + 1), int(THROTTLE_WINDOW.total_seconds()))
    remaining = (last + timedelta(seconds=wait) - utcnow()).total_seconds()
    return max(0, int(remaining + 0.999))


def record_failure(email: str, remote_addr: str) -> None:
    db.session.add(LoginFailure(email=email, remote_addr=remote_addr[:64]))
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - timedelta(days=1)))


def clear_failures(email: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))


def issue_token(user: StaffUser, label: str = "") -> str:
    """Create a token and return it; only its hash is kept."""
    token = new_api_token()
    db.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token),
                            prefix=display_prefix(token), label=label[:100]))
    audit.record("staff.token_created", target=user, after={"label": label})
    return token


def user_for_token(token: str) -> StaffUser | None:
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token),
                               ApiToken.revoked_at.is_(None))
    )
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now  # coarse, so a busy scanner does not write on every request
    return row.user
