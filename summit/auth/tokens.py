"""API tokens: random, shown once, stored as a hash. No Flask here."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, date, datetime, time, timedelta

TOKEN_PREFIX = "smt_"


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str) -> str:
    return token[: len(TOKEN_PREFIX) + 6]


_DURATION = re.compile(r"^(\d{1,4})\s*([hdw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
MAX_LIFETIME = timedelta(days=3 * 366)


def parse_expiry(text: str, now: datetime) -> datetime | None:
    """When a token given ``text`` ends, in UTC: ``"12h"``, ``"30d"``, ``"2w"`` from ``now``,
    or a date ``"2027-03-04"`` (valid through that day, UTC); ``"never"`` or empty: ``None``.
    Raises ``ValueError`` with a readable message otherwise."""
    text = (text or "").strip().lower()
    if text in ("", "never"):
        return None
    match = _DURATION.match(text)
    if match:
        amount = int(match.group(1))
        if amount < 1:
            raise ValueError("the duration must be at least 1")
        ends = now + amount * _UNITS[match.group(2)]
    else:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError("use a duration such as 12h, 30d or 2w, a date (YYYY-MM-DD), "
                             "or never") from None
        ends = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
        if ends <= now:
            raise ValueError("that date has passed")
    if ends - now > MAX_LIFETIME:
        raise ValueError("a token may last three years at most")
    return ends
