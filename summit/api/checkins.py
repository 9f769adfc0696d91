"""One API check-in, as plain functions (no Flask): read the body, check in, say the answer.

Both ways a check-in reaches the server run exactly these: the Flask view
(``api.views.create_checkin``) and the WSGI fast path (``api.fastpath``), which serves a warm
scanner's requests without Flask's request pipeline. So the two cannot answer differently.
The check-in runs in a transaction of its own (``checkin.api.check_in_alone``), with its
statements run straight on the driver.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from summit.checkin import api as checkin
from summit.personal_fields import CHECKIN, ORGANIZER, may_see
from summit.ttlcache import app_cache

MAX_BODY = 64 * 1024
MAX_CODE = 2048

log = logging.getLogger(__name__)
API_AUDIENCES = (ORGANIZER, CHECKIN)  # the roles api_role lets call the check-in endpoints


@dataclass(frozen=True)
class Answer:
    """An API answer: its status and its JSON body."""

    status: int
    body: dict


def entrance_cache(app):
    """Each event's entrance list (``checkin.ListRef``), per worker: filled by the Flask view,
    read by both. Lists never move between events, so an entry cannot go wrong; it expires
    only to keep the cache small."""
    return app_cache("api_entrance_list", 60, app)


def refusal(status: int, message: str, **extra) -> Answer:
    return Answer(status, {"error": message, **extra})


TOO_LARGE = refusal(422, "The request body is too large for a check-in.")


@dataclass(frozen=True)
class Scan:
    """A check-in request's body: the code, the nonce, and for a room-door scan uploaded
    later, ``session`` (a breakout session's id) and ``scanned_at`` (unparsed: the Flask view
    bounds it by the event's days)."""

    code: str
    nonce: str | None = None
    session: int | None = None
    scanned_at: str | None = None

    @property
    def plain(self) -> bool:
        """An entrance scan made now: what the fast path serves."""
        return self.session is None and self.scanned_at is None


def read_body(raw: bytes) -> Scan | Answer:
    """The ``Scan`` in the request body, or the 400/422 answer that refuses it."""
    if len(raw) > MAX_BODY:
        return TOO_LARGE
    try:
        data = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        return refusal(400, "The body must be JSON: {\"code\": \"...\"}.")
    if not isinstance(data, dict):
        return refusal(400, "The body must be a JSON object: {\"code\": \"...\"}.")
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        return refusal(422, "\"code\" is required: the scanned text or the bare code.")
    if len(code) > MAX_CODE:
        return refusal(422, f"\"code\" is longer than {MAX_CODE} characters.")
    nonce = data.get("nonce")
    if nonce is not None and (not isinstance(nonce, str) or len(nonce) > checkin.NONCE_MAX
                              or "\x00" in nonce):
        return refusal(422, f"\"nonce\" must be a string of at most {checkin.NONCE_MAX} "
                            "characters.")
    session = data.get("session")
    if session is not None and (isinstance(session, bool) or not isinstance(session, int)
                                or not 0 < session < 2**31):
        return refusal(422, "\"session\" must be a session's id (a whole number, see "
                            "GET /api/v1/events/<slug>/sessions).")
    scanned_at = data.get("scanned_at")
    if scanned_at is not None and (not isinstance(scanned_at, str) or len(scanned_at) > 64):
        return refusal(422, "\"scanned_at\" must be a time in ISO 8601 with an offset, like "
                            "2027-03-04T09:12:00-08:00.")
    return Scan(code, nonce, session, scanned_at)


def check_in(engine: Engine, event, entrance: checkin.ListRef, user_id: int, code: str,
             nonce: str | None, scanned_at=None) -> Answer:
    """Check ``code`` in on ``entrance`` (the event's entrance list, or a session's door list)
    for the token's user, and commit; ``scanned_at`` is a scan time already bounded (see
    ``checkin.api.check_in_alone``).

    ``event`` is the ``ApiEvent`` the token was authorized for. A database that cannot store
    the check-in gets a 503 (retry with the same nonce), never a 500.
    """
    day = event.current_day(scanned_at) if scanned_at is not None else event.current_day()
    for attempt in (1, 2):
        try:
            return answer_for(checkin.check_in_alone(
                engine, entrance, day=day, code=code, by_user_id=user_id,
                nonce=nonce, scanned_at=scanned_at))
        except DBAPIError as error:
            if attempt == 1 and getattr(error, "warm_connection", False):
                continue  # a kept connection the database had dropped: again on a fresh one
            if isinstance(error, (IntegrityError, OperationalError)):
                log.exception("check-in failed")
                return refusal(503, "The check-in could not be stored; please retry with the "
                                    "same nonce.")
            if isinstance(error, DataError):
                log.warning("check-in refused by the database", exc_info=True)
                return refusal(422, "A value in this check-in cannot be stored.")
            raise
    raise AssertionError("unreachable")


def answer_for(result: checkin.CheckinResult) -> Answer:
    if result.outcome in ("unknown", "wrong_event"):
        message = ("Unknown code." if result.outcome == "unknown"
                   else "This code belongs to another event.")
        return refusal(404, message, result=result.outcome)
    if result.outcome in checkin.RED_OUTCOMES:
        return refusal(409, f"This registration is {result.outcome}.", result=result.outcome,
                       attendee={"name": result.attendee.full_name})
    attendee = result.attendee
    body = {
        "result": result.outcome,
        "attendee": {
            "name": attendee.full_name,
            "organization": attendee.organization_name,
            "homeroom": attendee.homeroom,
            # The API serves the check-in desk's scanners (organizer and checkin roles).
            "accessibility": (attendee.accessibility or None)
            if may_see("accessibility", API_AUDIENCES) else None,
        },
        "checked_in_at": result.checkin.at.isoformat() if result.checkin else None,
    }
    if result.replayed:  # the first answer again, marked so that a client can tell
        body["duplicate_nonce"] = True
    return Answer(201 if result.outcome == checkin.GREEN else 200, body)
