"""Staff accounts: creation, roles, sign-in throttling and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

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
        if user.id is not None:  # a new password: every session and token of the old one ends
            revoke_tokens(user, "password changed")
        user.set_password(password)
        user.session_token = secrets.token_hex(16)
    if not any(r.role == role and r.event_id == event_id for r in user.roles):
        user.roles.append(EventRole(role=role, event_id=event_id))
    db.session.flush()
    audit.record("staff.role_granted", event_id=event_id, target=user,
                 after={"email": email, "role": role})
    return user


# --- the sign-in throttle ---------------------------------------------------------------------
#
# OWASP's guidance for blocking brute force without locking anyone out: a progressive delay,
# counted per account AND device, and device cookies. So:
# - failures are counted per (account, device): the failing device waits 2 s, 4 s, 8 s ... (up to
#   the window) once past its free attempts; another device (the volunteer's phone at 8 a.m.)
#   is not slowed at all by them;
# - a device that dropped its cookie is a new device each time, so the account also has a
#   budget for failures from devices that never signed in to it; past it, such devices wait
#   progressively too. A device that signed in to the account before (its session remembers a
#   hash of the address: OWASP's "device cookie") is never held by that budget;
# - a success clears that device's failures only (not the attacker's on another device).
# Stored in the database, so it holds across workers and hosts. The per-device limit across
# accounts (spraying) is the ``login`` rate limit in summit/ratelimits.py.

KNOWN_ACCOUNTS_KEY = "_signed_in_before"  # session: address hashes this device signed in to
_KNOWN_ACCOUNTS_KEPT = 8


@dataclass(frozen=True)
class SignInDevice:
    """The device trying to sign in: ``label`` (hashed id) and whether it signed in to this
    account before."""

    label: str
    known: bool


@dataclass(frozen=True)
class Wait:
    """How long this device must wait before trying this account again (0: now)."""

    seconds: int = 0
    unknown_devices: bool = False  # held by the account's budget for devices it never used

    def __bool__(self) -> bool:
        return self.seconds > 0

    def message(self) -> str:
        plural = "s" if self.seconds != 1 else ""
        if self.unknown_devices:
            return (f"This account has had many failed sign-ins from devices it was never used "
                    f"on. Try again in {self.seconds} second{plural}, or use a device you have "
                    f"signed in on before.")
        return (f"Too many failed attempts from this device. "
                f"Try again in {self.seconds} second{plural}.")


def _account_hash(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def sign_in_device(email: str) -> SignInDevice:
    """This request's device, as the throttle sees it for ``email`` (it gets an id now if it
    has none, so its failures are its own from the first)."""
    from flask import session

    from summit.devices import device_label, ensure_device_id

    label = device_label(ensure_device_id())
    known = _account_hash(email) in (session.get(KNOWN_ACCOUNTS_KEY) or [])
    return SignInDevice(label, known)


def remember_sign_in(email: str) -> None:
    """This device signed in to ``email``: the account's budget for unknown devices no longer
    holds it."""
    from flask import session

    known = [h for h in (session.get(KNOWN_ACCOUNTS_KEY) or []) if h != _account_hash(email)]
    session[KNOWN_ACCOUNTS_KEY] = [_account_hash(email), *known][:_KNOWN_ACCOUNTS_KEPT]


def progressive_wait(failures: int, free: int, last: datetime | None, now: datetime) -> int:
    """Seconds still to wait after ``failures`` failures, the last at ``last``: none for the
    first ``free``, then 2 s, 4 s, 8 s ... up to the window."""
    if failures < free or last is None:
        return 0
    wait = min(2 ** min(failures - free + 1, 20), int(THROTTLE_WINDOW.total_seconds()))
    remaining = (last + timedelta(seconds=wait) - now).total_seconds()
    return max(0, int(remaining + 0.999))


def seconds_until_next_attempt(email: str, device: SignInDevice) -> Wait:
    """Whether ``device`` may try a password for ``email`` now (see above)."""
    from flask import current_app

    now = utcnow()
    since = now - THROTTLE_WINDOW
    recent = (LoginFailure.email == email, LoginFailure.at >= since)
    failures, last = db.session.execute(
        select(func.count(), func.max(LoginFailure.at))
        .where(*recent, LoginFailure.device == device.label)).one()
    wait = Wait(progressive_wait(failures, current_app.config.get(
        "LOGIN_THROTTLE_FREE_ATTEMPTS", 5), last, now))
    if wait or device.known:
        return wait
    failures, last = db.session.execute(
        select(func.count(), func.max(LoginFailure.at))
        .where(*recent, LoginFailure.known_device.is_(False))).one()
    seconds = progressive_wait(failures, current_app.config.get(
        "LOGIN_THROTTLE_UNKNOWN_DEVICE_ATTEMPTS", 20), last, now)
    return Wait(seconds, unknown_devices=True) if seconds else wait


def record_failure(email: str, remote_addr: str, device: SignInDevice) -> None:
    db.session.add(LoginFailure(email=email, remote_addr=remote_addr[:64], device=device.label,
                                known_device=device.known, at=utcnow()))
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - timedelta(days=1)))


def clear_failures(email: str, device: SignInDevice) -> None:
    """A success forgets this device's failures for the account, and no one else's."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email,
                                                  LoginFailure.device == device.label))


def attempt_sign_in(email: str, password: str, *, remote_addr: str, device: SignInDevice,
                    accept: Callable[[StaffUser], bool] = lambda user: True,
                    ) -> tuple[StaffUser | None, Wait]:
    """Check a password under the throttle: ``(user, Wait())`` on success (``accept`` may add
    a condition, such as a role), ``(None, wait)`` while this device must wait, ``(None,
    Wait())`` for a wrong password (recorded). The caller commits."""
    from summit.auth.models import user_by_email

    wait = seconds_until_next_attempt(email, device)
    if wait:
        return None, wait
    user = user_by_email(email)
    if user is not None and user.check_password(password) and accept(user):
        clear_failures(email, device)
        user.last_login_at = utcnow()
        if not user.session_token:
            user.session_token = secrets.token_hex(16)
        return user, wait
    record_failure(email, remote_addr, device)
    return None, wait


# --- API tokens --------------------------------------------------------------------------------


def issue_token(user: StaffUser, label: str = "", *, expires_at: datetime | None = None) -> str:
    """Create a token and return it; only its hash is kept. ``expires_at`` (UTC) ends it."""
    token = new_api_token()
    db.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token),
                            prefix=display_prefix(token), label=label[:100],
                            expires_at=expires_at))
    audit.record("staff.token_created", target=user,
                 after={"label": label,
                        "expires_at": expires_at.isoformat() if expires_at else None})
    return token


def token_for(token: str) -> ApiToken | None:
    """The token row if ``token`` is valid now: known, not revoked, not expired."""
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token),
                               ApiToken.revoked_at.is_(None))
    )
    if row is None or row.is_expired(utcnow()):
        return None
    return row


def use_token(token: str) -> ApiToken | None:
    """``token_for``, noting when the token was last used."""
    row = token_for(token)
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now  # coarse, so a busy scanner does not write on every request
    return row


def user_for_token(token: str) -> StaffUser | None:
    row = use_token(token)
    return row.user if row is not None else None


def revoke_tokens(user: StaffUser, reason: str) -> int:
    """Revoke every live token of ``user`` (the caller commits, then clears the API cache:
    ``summit.access.clear_api_auth_cache``; other workers notice within seconds)."""
    now = utcnow()
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                     ApiToken.revoked_at.is_(None))).all()
    live = [row for row in rows if not row.is_expired(now)]
    for row in rows:
        row.revoked_at = now
    if live:
        audit.record("staff.tokens_revoked", target=user,
                     after={"tokens": [row.prefix for row in live], "reason": reason})
    return len(live)


# --- removing staff --------------------------------------------------------------------------


def remove_role(role: EventRole) -> bool:
    """Take one role away; when it was the account's last, the account is removed from Summit
    (see ``remove_user``). Returns whether it was."""
    user = role.user
    audit.record("staff.role_removed", event_id=role.event_id, target=user,
                 before={"email": user.email, "role": role.role})
    user.roles.remove(role)
    db.session.delete(role)
    db.session.flush()
    if user.roles:
        return False
    _end_access(user, "removed")
    return True


def remove_user(user: StaffUser) -> None:
    """Remove a staff account from every event: its roles go, its API tokens are revoked and
    it is signed out everywhere. The row stays, so the audit log still names who did what."""
    for role in list(user.roles):
        audit.record("staff.role_removed", event_id=role.event_id, target=user,
                     before={"email": user.email, "role": role.role})
        user.roles.remove(role)
        db.session.delete(role)
    db.session.flush()
    _end_access(user, "removed")


def _end_access(user: StaffUser, reason: str) -> None:
    revoke_tokens(user, reason)
    user.session_token = secrets.token_hex(16)  # signs every browser out (Flask-Login id)
