"""Which device a request comes from, for throttling the failing device and never a venue.

At a summit every phone shares the venue Wi-Fi's one public address, so the client IP cannot
tell one attendee from another. A device is instead known by a random id kept in Flask's signed
session cookie (``_device``): it cannot be forged, only dropped.

- ``device_id()`` is the id the request *arrived* with (``None`` for a device that has none:
  a first visit, or a client that drops its cookies to escape its own budget). Rate limits
  (``summit.ratelimits``) count such requests together per IP, on a tighter budget.
- ``ensure_device_id()`` gives the device an id (the session cookie carries it from the next
  request on). ``init_app`` does so on every answer that sends a session cookie anyway (a form's
  CSRF token, a sign-in), so any real browser has one before it posts a form; the throttled
  doors also do so on a failure.
- ``device_label()`` is what a log or a table may keep: a hash, never the id itself.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import Flask, g, session

DEVICE_KEY = "_device"
_ID_LENGTH = 22  # secrets.token_urlsafe(16)


def device_id_in(session_data) -> str | None:
    """The device id a session holds, if it is one (also read without Flask: the vote fast
    path opens the session cookie itself)."""
    value = session_data.get(DEVICE_KEY)
    return value if isinstance(value, str) and len(value) == _ID_LENGTH else None


def device_id() -> str | None:
    """The device id this request arrived with (not one given to it while answering)."""
    if "summit_device" not in g:
        g.summit_device = device_id_in(session) if DEVICE_KEY in session else None
    return g.summit_device


def ensure_device_id() -> str:
    """This device's id, given to it now if it arrived without one."""
    known = device_id()
    if known is not None:
        return known
    current = device_id_in(session)
    if current is not None:
        return current  # given earlier in this request
    session[DEVICE_KEY] = fresh = secrets.token_urlsafe(16)
    return fresh


def device_label(value: str | None = None) -> str:
    """A short hash of a device id (of this request's, by default): safe to store and log."""
    value = device_id() if value is None else value
    if not value:
        return ""
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def init_app(app: Flask) -> None:
    @app.after_request
    def give_every_session_a_device(response):
        # len() and "in" do not mark the session as accessed (no Vary: Cookie added), so a
        # page without a session stays cacheable and gets no cookie.
        if len(session) and DEVICE_KEY not in session:
            ensure_device_id()
        return response
