"""JSON API, version 1: check-ins and live counts.

Authenticated with ``Authorization: Bearer <token>`` (``summit.access.api_role``); no cookies, so
no CSRF. Every answer is JSON, errors included, and no input makes it answer 500.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, make_response, request
from sqlalchemy.exc import IntegrityError, OperationalError

from summit.access import api_role
from summit.checkin import services
from summit.checkin.codes import extract_code
from summit.events.models import Event
from summit.extensions import csrf, db
from summit.ttlcache import app_cache

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_BODY = 64 * 1024
MAX_CODE = 2048


def error(status: int, message: str, **extra):
    response = jsonify({"error": message, **extra})
    response.status_code = status
    return response


def _attendee_json(attendee) -> dict:
    return {
        "name": attendee.full_name,
        "organization": attendee.organization_name,
        "homeroom": attendee.homeroom,
        "accessibility": attendee.accessibility or None,
    }


def _entrance(event_id: int) -> tuple[services.ListRef, bool]:
    """The event's entrance list, from this worker's cache when possible; ``(list, cached)``.

    Lists are never renamed or moved between events, so a cached entry cannot go wrong; it only
    expires so the cache stays small."""
    cache = app_cache("api_entrance_list", 60)
    ref = cache.get(event_id)
    if ref is not None:
        return ref, True
    return services.ListRef.of(services.entrance_list(event_id)), False


@bp.route("/events/<slug>/checkins", methods=["POST"])
@api_role("organizer", "checkin")
def create_checkin(event, user):
    if (request.content_length or 0) > MAX_BODY:
        return error(422, "The request body is too large for a check-in.")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY:
        return error(422, "The request body is too large for a check-in.")
    try:
        data = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        return error(400, "The body must be JSON: {\"code\": \"...\"}.")
    if not isinstance(data, dict):
        return error(400, "The body must be a JSON object: {\"code\": \"...\"}.")
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        return error(422, "\"code\" is required: the scanned text or the bare code.")
    if len(code) > MAX_CODE:
        return error(422, f"\"code\" is longer than {MAX_CODE} characters.")
    nonce = data.get("nonce")
    if nonce is not None and (not isinstance(nonce, str) or len(nonce) > services.NONCE_MAX):
        return error(422, f"\"nonce\" must be a string of at most {services.NONCE_MAX} characters.")
    if extract_code(code) is None:
        return error(404, "Unknown code.", result="unknown")
    try:
        entrance, cached = _entrance(event.id)
        bump = services.bump_in_transaction()
        result = services.check_in_scanned(code, entrance, day=event.current_day(),
                                           by_user_id=user.id, source="api", nonce=nonce,
                                           bump=bump)
        if result.outcome in ("unknown", "wrong_event"):
            message = "Unknown code." if result.outcome == "unknown" else \
                "This code belongs to another event."
            answer = error(404, message, result=result.outcome)
        elif result.outcome in ("cancelled", "waitlisted"):
            answer = error(409, f"This registration is {result.outcome}.",
                           result=result.outcome, attendee={"name": result.attendee.full_name})
        else:
            body = {
                "result": result.outcome,
                "attendee": _attendee_json(result.attendee),
                "checked_in_at": result.checkin.at.isoformat() if result.checkin else None,
            }
            if result.duplicate_nonce:
                body["duplicate_nonce"] = True
            answer = jsonify(body), 201 if result.outcome == services.GREEN else 200
        db.session.commit()
    except (IntegrityError, OperationalError):
        db.session.rollback()
        current_app.logger.exception("check-in failed")
        return error(503, "The check-in could not be stored; please retry with the same nonce.")
    if result.outcome == services.GREEN and not bump:
        try:
            services.bump_after_commit(event.id)
        except OperationalError:  # the check-in is stored; dashboards catch up on the next one
            db.session.rollback()
            current_app.logger.warning("live counts not bumped after a check-in")
    if not cached:  # only once it is surely committed (it may have been created just now)
        app_cache("api_entrance_list", 60).put(event.id, entrance)
    return answer


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
        data = services.live_stats(event)
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
