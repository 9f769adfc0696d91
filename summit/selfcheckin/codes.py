"""Signed, short-lived codes for self check-in. No Flask here: pass the secret and ``now``.

Entrance codes
    The entrance screen shows ``BASE_URL/e/<slug>/here/<step>.<mac>``. Time is cut into steps of
    half the window (``window_seconds / 2``, 30 s by default); ``step`` is the step the code was
    made in and ``mac`` is an HMAC-SHA256 over (event id, purpose, step) with the app's
    ``SECRET_KEY``. A code is accepted during its own step and the next one, so it works for at
    most ``window_seconds`` after it first appears on the screen, and a photo of the screen posted
    online stops working within that window. The code names a place (the event's entrance) and a
    time, never a person.

Arrival markers
    When a phone without a personal-link session scans a fresh entrance code, the attendee asks
    for their link by email. The email carries ``/e/<slug>/arrive/<attendee>.<issued>.<mac>``:
    an HMAC over (event id, "arrive:<attendee id>:<personal-link fingerprint>", issued time). It
    completes the check-in when opened within the grace period; renewing the personal link
    (which changes the fingerprint) revokes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

DEFAULT_WINDOW_SECONDS = 60
MIN_WINDOW_SECONDS = 10
MAC_BYTES = 15  # 120 bits, 20 characters of base64url

ENTRANCE = "entrance"
ARRIVE = "arrive"

VALID = "valid"
EXPIRED = "expired"
INVALID = "invalid"

_ENTRANCE_RE = re.compile(r"^(\d{1,12})\.([A-Za-z0-9_-]{20})$")
_ARRIVE_RE = re.compile(r"^(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{20})$")


def _key(secret_key: str | bytes) -> bytes:
    return secret_key.encode() if isinstance(secret_key, str) else secret_key


def mac(secret_key: str | bytes, event_id: int, purpose: str, index: int) -> str:
    """HMAC-SHA256 over (event id, purpose, index), truncated and base64url-encoded."""
    message = f"summit.selfcheckin|{int(event_id)}|{purpose}|{int(index)}".encode()
    digest = hmac.new(_key(secret_key), message, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def step_seconds(window_seconds: int) -> float:
    """How long one code stays on the screen: half the acceptance window."""
    return max(int(window_seconds), MIN_WINDOW_SECONDS) / 2


def step_at(now: datetime, window_seconds: int = DEFAULT_WINDOW_SECONDS) -> int:
    """The index of the step ``now`` falls in (``now`` must be timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return int(now.timestamp() // step_seconds(window_seconds))


def seconds_left(now: datetime, window_seconds: int = DEFAULT_WINDOW_SECONDS) -> float:
    """Seconds until the screen shows the next code."""
    step = step_seconds(window_seconds)
    return step - (now.timestamp() % step)


def entrance_code(secret_key: str | bytes, event_id: int, now: datetime,
                  window_seconds: int = DEFAULT_WINDOW_SECONDS) -> str:
    """The code the entrance screen shows at ``now``: ``"<step>.<mac>"``."""
    step = step_at(now, window_seconds)
    return f"{step}.{mac(secret_key, event_id, ENTRANCE, step)}"


@dataclass(frozen=True)
class Verdict:
    status: str  # valid | expired | invalid
    step: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == VALID


def check_entrance_code(secret_key: str | bytes, event_id: int, code: str, now: datetime,
                        window_seconds: int = DEFAULT_WINDOW_SECONDS) -> Verdict:
    """``valid`` in the code's own step and the next; ``expired`` after; ``invalid`` if forged,
    malformed, for another event, or from the future."""
    match = _ENTRANCE_RE.match(code or "")
    if match is None:
        return Verdict(INVALID)
    step = int(match.group(1))
    expected = mac(secret_key, event_id, ENTRANCE, step)
    if not hmac.compare_digest(expected, match.group(2)):
        return Verdict(INVALID)
    current = step_at(now, window_seconds)
    if step > current:
        return Verdict(INVALID, step)
    if current - step <= 1:
        return Verdict(VALID, step)
    return Verdict(EXPIRED, step)


def arrival_marker(secret_key: str | bytes, event_id: int, attendee_id: int, fingerprint: str,
                   issued: datetime) -> str:
    """The emailed marker: ``"<attendee id>.<issued unix time>.<mac>"``."""
    issued_at = int(issued.timestamp())
    purpose = f"{ARRIVE}:{int(attendee_id)}:{fingerprint}"
    return f"{int(attendee_id)}.{issued_at}.{mac(secret_key, event_id, purpose, issued_at)}"


@dataclass(frozen=True)
class Arrival:
    status: str  # valid | expired | invalid
    attendee_id: int | None = None


def parse_arrival_attendee(marker: str) -> int | None:
    """The attendee id a marker claims (not yet verified)."""
    match = _ARRIVE_RE.match(marker or "")
    return int(match.group(1)) if match else None


def check_arrival_marker(secret_key: str | bytes, event_id: int, marker: str, fingerprint: str,
                         now: datetime, grace_seconds: int) -> Arrival:
    """Verify a marker against the attendee's current personal-link ``fingerprint``."""
    match = _ARRIVE_RE.match(marker or "")
    if match is None:
        return Arrival(INVALID)
    attendee_id, issued_at = int(match.group(1)), int(match.group(2))
    purpose = f"{ARRIVE}:{attendee_id}:{fingerprint}"
    if not hmac.compare_digest(mac(secret_key, event_id, purpose, issued_at), match.group(3)):
        return Arrival(INVALID)
    age = now.timestamp() - issued_at
    if age < -5:  # a little clock skew between workers, never a marker from the future
        return Arrival(INVALID)
    if age > grace_seconds:
        return Arrival(EXPIRED, attendee_id)
    return Arrival(VALID, attendee_id)
