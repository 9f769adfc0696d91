"""Access checks: every view declares who may call it, and the app refuses to start otherwise.

Decorators:
- ``@public``: anyone.
- ``@staff_required``: any signed-in staff account.
- ``@global_role("organizer")``: staff holding the role for every event (creating events).
- ``@event_role("organizer", "checkin")``: signed-in staff holding one of these roles for the
  event in the URL (organizers pass every check). The view receives ``event`` instead of ``slug``.
- ``@attendee_required``: an attendee signed in through their personal link, for the event in
  the URL. The view receives ``event`` and ``attendee``.
- ``@kiosk_device``: a device that staff switched to kiosk mode for the event in the URL.
- ``@api_role(...)``: a bearer API token whose user holds one of the roles (see ``summit.api``).

Each decorator records ``view.access`` so ``tests/test_role_matrix.py`` can walk every route.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, g, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from summit.events.models import Event
from summit.extensions import db
from summit.responses import is_htmx


@dataclass(frozen=True)
class Access:
    kind: str  # public | staff | event_role | attendee | api
    roles: tuple[str, ...] = ()


def _mark(view: Callable, access: Access) -> Callable:
    view.access = access  # type: ignore[attr-defined]
    return view


def public(view: Callable) -> Callable:
    return _mark(view, Access("public"))


def _login_redirect():
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if is_htmx():
        # htmx follows HX-Redirect with a full page load.
        response = redirect(target)
        response.status_code = 401
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def staff_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _login_redirect()
        return view(*args, **kwargs)

    return _mark(wrapper, Access("staff"))


def global_role(*roles: str) -> Callable[[Callable], Callable]:
    """Staff holding one of ``roles`` for every event (for example creating events)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _login_redirect()
            if not any(r.event_id is None and r.role in roles for r in current_user.roles):
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapper, Access("global_role", tuple(roles)))

    return decorator


def load_event(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    g.event = event
    return event


def event_role(*roles: str) -> Callable[[Callable], Callable]:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, slug: str, **kwargs):
            if not current_user.is_authenticated:
                return _login_redirect()
            event = load_event(slug)
            if not current_user.has_role(event.id, *roles):
                abort(403)
            return view(*args, event=event, **kwargs)

        return _mark(wrapper, Access("event_role", tuple(roles)))

    return decorator


def staff_may_see(field: str, event: Event) -> bool:
    """Whether the signed-in staff member may see ``field`` of this event's attendees: the
    roles they hold for the event are their audiences in ``summit.personal_fields``."""
    from summit.personal_fields import may_see

    return current_user.is_authenticated and may_see(field, current_user.roles_for(event.id))


def may_open(endpoint: str, event: Event) -> bool:
    """Whether the signed-in staff member may open an event page (``event_role`` view).

    For links on shared pages, such as the event overview's panels: a check-in volunteer sees
    the breakout counts, but no link to the organizer's schedule that would answer 403."""
    from flask import current_app

    access = getattr(current_app.view_functions.get(endpoint), "access", None)
    if access is None or access.kind != "event_role":
        return True
    return current_user.is_authenticated and current_user.has_role(event.id, *access.roles)


ATTENDEE_SESSION_KEY = "attendee"


def secret_fingerprint(secret: str) -> str:
    """What the session keeps of a personal link: enough to notice it was revoked."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


FORM_SESSION = "form"


def sign_in_attendee(attendee, *, by_form: bool = False) -> None:
    """Remember on this browser that ``attendee`` is signed in for their event.

    ``by_form``: the registration form just created the record, and nothing proves the browser
    holds the email address. Such a session lasts until a link that went to the address is
    opened (anywhere): otherwise whoever typed someone else's address on the form would stay
    signed in to the record its owner then uses. Opening such a link (any other sign-in) proves
    the address: the first time, ``email_confirmed_at`` is set, in the caller's transaction.
    """
    entry = [attendee.id, secret_fingerprint(attendee.personal_secret)]
    if by_form:
        entry.append(FORM_SESSION)
    elif attendee.email_confirmed_at is None:
        from summit.database import begin_write, utcnow

        begin_write(db.session)  # a GET that writes (SQLite: take the write lock first)
        attendee.email_confirmed_at = utcnow()
    signed_in = dict(session.get(ATTENDEE_SESSION_KEY) or {})
    signed_in[str(attendee.event_id)] = entry
    session[ATTENDEE_SESSION_KEY] = signed_in
    session.permanent = True


def sign_out_attendee(event_id: int) -> None:
    signed_in = dict(session.get(ATTENDEE_SESSION_KEY) or {})
    signed_in.pop(str(event_id), None)
    session[ATTENDEE_SESSION_KEY] = signed_in


_attendee_loader: Callable[[int], Any] | None = None


def attendee_loader(load: Callable[[int], Any]) -> Callable[[int], Any]:
    """Set how an attendee is loaded by id (registration's ``init_app`` does this, as
    Flask-Login's ``user_loader``): the foundation does not import the capability."""
    global _attendee_loader
    _attendee_loader = load
    return load


def read_entry(entry) -> tuple[int, str, list] | None:
    """(attendee id, link fingerprint, kind) of a session entry; ``None`` if malformed."""
    try:
        attendee_id, fingerprint, *kind = entry
        return int(attendee_id), fingerprint, kind
    except (TypeError, ValueError):
        return None


def entry_names(attendee, event_id: int | str, fingerprint: str, kind: list) -> bool:
    """Whether a session entry (``read_entry``) for ``event_id`` still names ``attendee`` (a
    row or anything with its ``event_id``, ``personal_secret`` and ``email_confirmed_at``):
    the link it was signed in with not replaced, and a registration form's session not
    ended (see ``sign_in_attendee``)."""
    return (
        attendee is not None
        and str(attendee.event_id) == str(event_id)
        and secret_fingerprint(attendee.personal_secret) == fingerprint
        and not (kind == [FORM_SESSION] and attendee.email_confirmed_at is not None)
    )


def signed_in_attendee(event_id: int | str, entry):
    """The attendee a session entry for ``event_id`` names, if it is still valid
    (``entry_names``). ``None`` otherwise."""
    parsed = read_entry(entry)
    if parsed is None:
        return None
    attendee_id, fingerprint, kind = parsed
    attendee = _attendee_loader(attendee_id)
    return attendee if entry_names(attendee, event_id, fingerprint, kind) else None


def current_attendee(event: Event):
    """The attendee signed in on this browser for ``event``, or ``None``."""
    entry = (session.get(ATTENDEE_SESSION_KEY) or {}).get(str(event.id))
    return signed_in_attendee(event.id, entry) if entry else None


def signed_in_attendees() -> list:
    """Every attendee signed in on this browser (one per event)."""
    found = (signed_in_attendee(event_id, entry)
             for event_id, entry in (session.get(ATTENDEE_SESSION_KEY) or {}).items())
    return [attendee for attendee in found if attendee is not None]


def attendee_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, slug: str, **kwargs):
        event = load_event(slug)
        attendee = current_attendee(event)
        if attendee is None:
            if is_htmx():
                abort(401)
            return redirect(url_for("registration.signed_out", slug=event.slug))
        g.attendee = attendee
        return view(*args, event=event, attendee=attendee, **kwargs)

    return _mark(wrapper, Access("attendee"))


def _api_error(status: int, message: str):
    from flask import jsonify

    response = jsonify({"error": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="summit"'
    return response


@dataclass(frozen=True)
class ApiUser:
    """The account behind an API token, as API views see it (a snapshot, not an ORM row)."""

    id: int
    email: str
    token_expires_at: datetime | None = None  # when the token it came with ends (UTC)

    def token_expired(self) -> bool:
        from summit.database import utcnow

        return self.token_expires_at is not None and self.token_expires_at <= utcnow()


@dataclass(frozen=True)
class ApiEvent:
    """The event named in an API URL, as API views see it (a snapshot, not an ORM row).

    Live values (``change_seq``) are not in it: a view that needs them reads the row itself.
    """

    id: int
    slug: str
    name: str
    timezone: str
    start_date: date
    days: int

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def current_day(self, now: datetime | None = None) -> int:
        """``Event.current_day`` for this snapshot: it reads only fields the snapshot has."""
        return Event.current_day(self, now)


# How long a worker trusts what it learnt about a token (its account and that account's roles
# for an event). Revoking a token through the web UI clears the revoking worker's cache at once;
# other workers notice within this many seconds. ``API_AUTH_CACHE_SECONDS`` overrides it (0 off).
API_AUTH_CACHE_SECONDS = 5.0


def _api_authorize(token: str, slug: str):
    """``(ApiUser, ApiEvent, roles held)``; an error response for a bad token or unknown event."""
    from summit.auth.models import EventRole
    from summit.auth.services import use_token

    row = use_token(token)
    if row is None:
        return _api_error(401, "This API token is not valid, has expired or was revoked.")
    user, expires_at = row.user, row.expires_at
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        return _api_error(404, "No event at this address.")
    held = frozenset(db.session.scalars(select(EventRole.role).where(
        EventRole.user_id == user.id,
        (EventRole.event_id == event.id) | EventRole.event_id.is_(None))))
    return (ApiUser(user.id, user.email, expires_at),
            ApiEvent(event.id, event.slug, event.name, event.timezone, event.start_date,
                     event.days),
            held)


def clear_api_auth_cache() -> None:
    """Forget this worker's cached token look-ups (call after revoking a token)."""
    from summit.ttlcache import app_cache

    app_cache("api_auth", API_AUTH_CACHE_SECONDS).clear()


def _api_auth_cache(app):
    from summit.ttlcache import app_cache

    seconds = app.config.get("API_AUTH_CACHE_SECONDS", API_AUTH_CACHE_SECONDS)
    return app_cache("api_auth", seconds, app) if seconds > 0 else None


def _roles_allow(held: frozenset[str], roles: tuple[str, ...]) -> bool:
    return "organizer" in held or bool(held.intersection(roles))


def _well_formed_token(authorization: str) -> str | None:
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return token


def known_api_access(app, authorization: str, slug: str,
                     roles: tuple[str, ...]) -> tuple[ApiUser, ApiEvent] | None:
    """``(user, event)`` when this worker already knows (from ``api_role``'s cache, no query)
    that the ``Authorization`` header's token may act with ``roles`` on the event ``slug``;
    ``None`` otherwise, and then only ``api_role`` may decide. Used by the check-in fast path
    (``summit.api.fastpath``), which runs outside Flask."""
    from summit.auth.tokens import hash_token

    token = _well_formed_token(authorization)
    cache = _api_auth_cache(app)
    if token is None or cache is None:
        return None
    found = cache.get((hash_token(token), slug))
    if found is None:
        return None
    user, event, held = found
    if user.token_expired():
        return None
    return (user, event) if _roles_allow(held, roles) else None


def api_role(*roles: str) -> Callable[[Callable], Callable]:
    """A bearer API token whose user holds one of ``roles`` for the event in the URL.

    Answers JSON: 401 without a valid token, 403 for the wrong role, 404 for an unknown event.
    The view receives ``event`` (an ``ApiEvent``) and ``user`` (an ``ApiUser``) instead of
    ``slug``. What a valid token may do for an event is cached per worker for
    ``API_AUTH_CACHE_SECONDS`` (see above), so a busy scanner costs no look-up queries.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, slug: str, **kwargs):
            from flask import current_app

            from summit.auth.tokens import hash_token

            token = _well_formed_token(request.headers.get("Authorization", ""))
            if token is None:
                return _api_error(401, "Send an API token: Authorization: Bearer <token>.")
            cache = _api_auth_cache(current_app)
            key = (hash_token(token), slug)
            found = cache.get(key) if cache is not None else None
            if found is not None and found[0].token_expired():
                found = None  # looked up again: answered 401
            if found is None:
                try:
                    found = _api_authorize(token, slug)
                except OperationalError:  # e.g. SQLite's write lock not free within 15 s
                    db.session.rollback()
                    return _api_error(503, "The server is busy; please retry.")
                if not isinstance(found, tuple):
                    return found  # an error answer: never cached
                if cache is not None:
                    cache.put(key, found)
            user, event, held = found
            if not _roles_allow(held, roles):
                return _api_error(403, "This token's account has no role for this event.")
            g.api_event = event
            g.api_user = user
            return view(*args, event=event, user=user, **kwargs)

        return _mark(wrapper, Access("api", tuple(roles)))

    return decorator


KIOSK_SESSION_KEY = "kiosk"


def kiosk_event_id() -> int | None:
    """The event a staff member switched this device to kiosk mode for, if any."""
    return (session.get(KIOSK_SESSION_KEY) or {}).get("event_id")


def kiosk_device(view: Callable) -> Callable:
    """A device switched to kiosk mode by staff for the event in the URL (nobody signed in).

    The view receives ``event`` instead of ``slug``; any other device gets a 403 page.
    """

    @wraps(view)
    def wrapper(*args, slug: str, **kwargs):
        event = load_event(slug)
        if kiosk_event_id() != event.id:
            from flask import render_template

            return render_template("checkin/kiosk_off.html", event=event), 403
        return view(*args, event=event, **kwargs)

    return _mark(wrapper, Access("kiosk"))


def check_every_view_declares_access(app) -> None:
    """Fail at start-up if any route forgot its access check."""
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "access")
    ]
    if missing:
        raise RuntimeError(f"views without an access declaration: {sorted(missing)}")
