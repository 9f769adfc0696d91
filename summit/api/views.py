"""JSON API, version 1: check-ins and live counts.

Authenticated with ``Authorization: Bearer <token>`` (``summit.access.api_role``); no cookies, so
no CSRF. Every answer is JSON, errors included, and no input makes it answer 500.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, jsonify, make_response, request
from sqlalchemy.exc import OperationalError

from summit.access import api_role
from summit.api import checkins
from summit.breakouts import api as breakouts
from summit.checkin import api as checkin
from summit.credits import api as credits
from summit.database import utcnow
from summit.events.models import Event
from summit.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def error(status: int, message: str, **extra):
    return answer(checkins.refusal(status, message, **extra))


def answer(reply: checkins.Answer):
    response = jsonify(reply.body)
    response.status_code = reply.status
    return response


def _entrance(event_id: int) -> tuple[checkin.ListRef, bool]:
    """The event's entrance list, from this worker's cache when possible; ``(list, cached)``."""
    ref = checkins.entrance_cache(current_app).get(event_id)
    if ref is not None:
        return ref, True
    return checkin.ListRef.of(checkin.entrance_list(event_id)), False


@bp.route("/events/<slug>/checkins", methods=["POST"])
@api_role("organizer", "checkin")
def create_checkin(event, user):
    """Check a scanned code in. A warm scanner's requests are served the same way, by the same
    functions, before Flask runs (``summit.api.fastpath``); this view answers the rest."""
    if (request.content_length or 0) > checkins.MAX_BODY:
        return answer(checkins.TOO_LARGE)
    parsed = checkins.read_body(request.get_data(cache=False))
    if isinstance(parsed, checkins.Answer):
        return answer(parsed)
    if not parsed.plain:
        return _scan_with_details(event, user, parsed)
    code, nonce = parsed.code, parsed.nonce
    try:
        entrance, cached = _entrance(event.id)
        # Ends this request's look-ups (SQLite: their write lock), and keeps an entrance list
        # just created: the check-in runs in a transaction of its own.
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        current_app.logger.exception("check-in list unavailable")
        return error(503, "The check-in could not be stored; please retry with the same nonce.")
    if not cached:
        checkins.entrance_cache(current_app).put(event.id, entrance)
    return answer(checkins.check_in(db.engine, event, entrance, user.id, code, nonce))


def _scan_with_details(event, user, scan: checkins.Scan):
    """A room-door scan (``session``) and/or a scan made earlier (``scanned_at``): the scan
    time bounded by the event's days (not in the future), the session one of the event's."""
    scanned_at = None
    if scan.scanned_at is not None:
        try:
            scanned_at = credits.parse_scanned_at(
                scan.scanned_at, now=utcnow(), first_day=event.start_date,
                last_day=event.start_date + timedelta(days=max(event.days, 1) - 1),
                tz=event.tz)
        except credits.ScanTimeError as exc:
            return error(422, str(exc))
    try:
        if scan.session is not None:
            row = db.session.get(Event, event.id)
            found = next((s for s in breakouts.sessions_of(row) if s.id == scan.session), None)
            if found is None:
                db.session.rollback()
                return error(404, f"There is no session {scan.session} at this event (see "
                                  f"GET /api/v1/events/{event.slug}/sessions).")
            target = checkin.ListRef.of(checkin.session_list(event.id, found.id, found.title))
        else:
            target, _cached = _entrance(event.id)
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        current_app.logger.exception("check-in list unavailable")
        return error(503, "The check-in could not be stored; please retry with the same nonce.")
    return answer(checkins.check_in(db.engine, event, target, user.id, scan.code, scan.nonce,
                                    scanned_at=scanned_at))


@bp.route("/events/<slug>/sessions")
@api_role("organizer", "checkin")
def sessions(event, user):
    """The event's breakout sessions, for scanners at room doors (``"session": <id>``)."""
    row = db.session.get(Event, event.id)
    if row is None:
        return error(404, "No event at this address.")
    return jsonify({"sessions": [{
        "id": s.id, "title": s.title, "room": s.room, "day": s.day,
        "starts": s.starts.isoformat() if s.starts else None,
        "ends": s.ends.isoformat() if s.ends else None,
    } for s in breakouts.sessions_of(row)]})


@bp.route("/events/<slug>/stats")
@api_role("organizer", "checkin")
def stats(event, user):
    event = db.session.get(Event, event.id)  # live values (change_seq) are not in the snapshot
    if event is None:
        return error(404, "No event at this address.")
    etag = f"stats-{event.id}-{event.change_seq}"
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        data = checkin.live_stats(event)
        response = jsonify({
            "registered": data["registered"],
            "checked_in": data["checked_in"],
            "not_yet": data["not_yet"],
            "percent": data["percent"],
            "last_arrival": data["last_arrival"].isoformat() if data["last_arrival"] else None,
            "arrivals_per_15_min": [{"from": slot.isoformat(), "count": n}
                                    for slot, n in data["arrivals"]],
            "by_district": data["districts"],
        })
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
