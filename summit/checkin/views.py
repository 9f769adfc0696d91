"""Check-in pages: the ``/c/<code>`` link, the desk, name search, undo, the self-check-in kiosk
and the organizer's live counts.

The desk posts each scan (camera, keyboard-wedge scanner, or a click in the name search) and
gets back one HTML fragment, the colour-coded result panel. Scans made while offline are queued
in the browser with a nonce and posted later through the same endpoint.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
import secrets
from datetime import UTC, datetime
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from summit import audit
from summit.access import KIOSK_SESSION_KEY, event_role, kiosk_device, load_event, public
from summit.auth import services as auth_services
from summit.auth.forms import LoginForm
from summit.checkin import services
from summit.checkin.forms import ScanForm, UndoScanForm
from summit.checkin.models import Checkin
from summit.events.models import Event
from summit.extensions import db
from summit.headers import htmx_local_path
from summit.registration.api import Attendee
from summit.responses import is_htmx
from summit.ttlcache import app_cache

# Browsers only compile WebAssembly streamed with this type (the camera polyfill's decoder).
mimetypes.add_type("application/wasm", ".wasm")

bp = Blueprint("checkin", __name__)

DESK_ROLES = ("organizer", "checkin")


@bp.app_template_global("arrival_place")
def arrival_place(record: Checkin) -> str:
    """Where and how an arrival was recorded ("Main entrance, by Lee Smith (camera scan)")."""
    return services.arrival_place(record)


def entrance_count(event: Event, checkin_list=None) -> int:
    checkin_list = checkin_list or services.entrance_list(event)
    return db.session.scalar(
        select(func.count()).select_from(Checkin).where(Checkin.list_id == checkin_list.id)
    ) or 0


def _parse_scanned_at(millis: int | None) -> datetime | None:
    if millis is None:
        return None
    try:
        return datetime.fromtimestamp(millis / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _result_context(event: Event, result: services.CheckinResult, checkin_list,
                    scan_nonce: str | None = None) -> dict:
    """The result panel's context: the answer, and the rows the panel's buttons act on (the
    badge desk's forms take the attendee; an amber answer says who checked them in).

    ``undo_token``: the nonce of this scan, when this scan created the check-in shown (green,
    or its replay): *Undo this scan* sends it back, and the server undoes only the check-in
    that nonce made. An amber answer has none: its check-in is an earlier arrival, removed only
    from the person's record."""
    person = db.session.get(Attendee, result.attendee.id) if result.attendee else None
    record = db.session.get(Checkin, result.checkin.id) if result.checkin else None
    undo_token = (scan_nonce if result.outcome == services.GREEN and record is not None
                  and scan_nonce and record.nonce == scan_nonce else None)
    return {
        "event": event, "result": result, "person": person, "record": record,
        "undo_token": undo_token,
        "table": result.attendee.homeroom if result.attendee else None,
        "count": entrance_count(event, checkin_list),
    }


# --- the link inside every QR code ---------------------------------------------------------


@bp.route("/c/<secret:code>")
@public
def code_link(code: str):
    """Staff with a check-in role check the attendee in; everyone else sees a neutral page."""
    attendee = services.find_by_code(code)
    event = attendee.event if attendee is not None else None
    if (event is not None and current_user.is_authenticated
            and current_user.has_role(event.id, *DESK_ROLES)):
        # Opening the link writes: start a write transaction (SQLite: BEGIN IMMEDIATE).
        g.write_transaction = True
        db.session.rollback()
        checkin_list = services.entrance_list(event)
        nonce = services.new_scan_nonce()
        result = services.check_in(attendee, checkin_list, by_user=current_user, source="url",
                                   nonce=nonce)
        db.session.commit()
        return render_template("checkin/code_result.html",
                               **_result_context(event, result, checkin_list, nonce))
    response = make_response(render_template("checkin/code_neutral.html", event=event),
                             200 if event is not None else 404)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- the desk ------------------------------------------------------------------------------


@bp.route("/admin/e/<slug>/checkin")
@event_role(*DESK_ROLES)
def desk(event):
    return render_template("checkin/desk.html", event=event, result=None,
                           count=entrance_count(event), registered=_registered(event))


# The desk's shell, kept by its service worker (templates/checkin/desk-sw.js) for a reload with
# no network: what the desk page loads, and the camera's decoder (loaded when the camera starts).
DESK_SHELL = (
    "css/summit.css", "css/checkin.css", "css/badges.css", "favicon.svg",
    "js/offline-queue.js", "js/scanner.js", "js/desk-offline.js", "js/print-badge.js",
    htmx_local_path(),
    "vendor/barcode-detector-3.2.2/barcode-detector.iife.js",
    "vendor/barcode-detector-3.2.2/zxing_reader.wasm",
)


@functools.cache
def _shell_version(static_folder: str) -> str:
    """A digest of the shell's files: a deploy that changes one installs a new shell."""
    digest = hashlib.sha256()
    for name in DESK_SHELL:
        digest.update(name.encode())
        digest.update((Path(static_folder) / name).read_bytes())
    return digest.hexdigest()[:16]


@bp.route("/admin/e/<slug>/checkin/sw.js")
@event_role(*DESK_ROLES)
def desk_worker(event):
    """The desk's service worker: keeps the desk's shell so it opens with no network. Served
    under the desk's address so it may control the desk page (``Service-Worker-Allowed``)."""
    desk_url = url_for("checkin.desk", slug=event.slug)
    body = render_template(
        "checkin/desk-sw.js", desk_url=desk_url, version=_shell_version(current_app.static_folder),
        shell=[url_for("static", filename=name) for name in DESK_SHELL],
        static_prefix=url_for("static", filename=""))
    response = make_response(body)
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = desk_url
    return response


def _registered(event: Event) -> int:
    from summit.registration.api import Attendee

    return db.session.scalar(select(func.count()).where(
        Attendee.event_id == event.id, Attendee.status == "registered")) or 0


def _render_result(event: Event, result, checkin_list, nonce: str | None = None,
                   status: int = 200):
    context = _result_context(event, result, checkin_list, nonce)
    if is_htmx():
        return render_template("checkin/_result.html", **context), status
    return render_template("checkin/desk.html", registered=_registered(event), **context), status


@bp.route("/admin/e/<slug>/checkin/scan", methods=["POST"])
@event_role(*DESK_ROLES)
def scan(event):
    form = ScanForm()
    code, source = form.code.data or "", form.source_or_desk
    nonce = (form.nonce.data or "").strip() or None
    at = _parse_scanned_at(form.scanned_at.data) if nonce else None
    # The desk's script sends a nonce with every scan; a plain form post gets one here, the
    # token its Undo needs.
    nonce = nonce or services.new_scan_nonce()
    checkin_list = services.entrance_list(event)
    result = services.check_in(code, checkin_list, by_user=current_user, source=source,
                               nonce=nonce, at=at)
    db.session.commit()
    return _render_result(event, result, checkin_list, nonce)


@bp.route("/admin/e/<slug>/checkin/search")
@event_role(*DESK_ROLES)
def search(event):
    query = (request.args.get("q") or "").strip()
    people = services.search(event, query)
    checkin_list = services.entrance_list(event)
    done = services.checkins_for(checkin_list, [p.id for p in people])
    html = render_template("checkin/_search_results.html", event=event, people=people,
                           done=done, query=query)
    if is_htmx():
        return html
    return redirect(url_for("checkin.desk", slug=event.slug))


@bp.route("/admin/e/<slug>/checkin/attendee/<int:attendee_id>", methods=["POST"])
@event_role(*DESK_ROLES)
def check_in_attendee(event, attendee_id: int):
    from summit.registration.api import Attendee

    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != event.id:
        abort(404)
    checkin_list = services.entrance_list(event)
    nonce = services.new_scan_nonce()
    result = services.check_in(attendee, checkin_list, by_user=current_user, source="search",
                               nonce=nonce)
    db.session.commit()
    return _render_result(event, result, checkin_list, nonce)


@bp.route("/admin/e/<slug>/checkin/undo/<int:checkin_id>", methods=["POST"])
@event_role(*DESK_ROLES)
def undo(event, checkin_id: int):
    """*Undo this scan*: takes back the check-in that very scan created, and nothing else.

    The form sends the scan's nonce (``scan``); ``services.undo_scan`` finds the check-in only
    if that nonce created it. An earlier arrival (an amber answer's) is removed from the
    person's record instead (``remove_arrival``), after a confirmation."""
    attendee = services.undo_scan(event.id, checkin_id, UndoScanForm().scan.data,
                                  by_user=current_user)
    db.session.commit()
    if is_htmx():
        return render_template("checkin/_undone.html", event=event, attendee=attendee,
                               count=entrance_count(event))
    if attendee is None:
        if services.event_checkin(event.id, checkin_id) is None:
            abort(404)
        # This event's arrival, but not one this scan made: said so, and nothing changes.
        return render_template("checkin/_undone.html", event=event, attendee=None,
                               count=entrance_count(event)), 409
    flash(f"Check-in of {attendee.full_name} undone.", "success")
    return redirect(url_for("checkin.desk", slug=event.slug))


# --- the person's record at the desk ---------------------------------------------------------


def _desk_attendee(event: Event, attendee_id: int) -> Attendee:
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != event.id:
        abort(404)
    return attendee


@bp.route("/admin/e/<slug>/checkin/people/<int:attendee_id>")
@event_role(*DESK_ROLES)
def person(event, attendee_id: int):
    """What the desk knows of one person: their arrivals (when, where, by whom), a badge
    reprint, and the only place an earlier arrival can be removed."""
    attendee = _desk_attendee(event, attendee_id)
    return render_template("checkin/person.html", event=event, attendee=attendee,
                           arrivals=services.arrivals_of(event.id, attendee.id))


@bp.route("/admin/e/<slug>/checkin/people/<int:attendee_id>/arrivals/<int:checkin_id>/remove",
          methods=["GET", "POST"])
@event_role(*DESK_ROLES)
def remove_arrival(event, attendee_id: int, checkin_id: int):
    """Remove an earlier arrival, after a confirmation that names its time and its desk."""
    attendee = _desk_attendee(event, attendee_id)
    record = services.arrival_of(event.id, attendee.id, checkin_id)
    back = url_for("checkin.person", slug=event.slug, attendee_id=attendee.id)
    if record is None:
        if db.session.get(Checkin, checkin_id) is not None:
            abort(404)  # someone else's arrival, or another event's: not on this record
        flash("That arrival was already removed.", "info")
        return redirect(back)
    if request.method == "POST":  # CSRF checked for every POST (CSRFProtect)
        when = event.local(record.at).strftime("%-I:%M %p on %b %-d")
        place = services.arrival_place(record)
        services.undo(record, by_user=current_user, how="record")
        db.session.commit()
        flash(f"The arrival of {attendee.full_name} at {when} ({place}) was removed.",
              "success")
        return redirect(back)
    return render_template("checkin/remove_arrival.html", event=event, attendee=attendee,
                           record=record, place=services.arrival_place(record), back=back)


# --- live counts -----------------------------------------------------------------------------


@bp.route("/admin/e/<slug>/checkin/live")
@event_role("organizer")
def live(event):
    etag = f"live-{event.id}-{event.change_seq}"
    fragment = is_htmx()
    if fragment and request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        template = "checkin/_live.html" if fragment else "checkin/live.html"
        seq, stats = _shared_live_stats(event)
        etag = f"live-{event.id}-{seq}"
        response = make_response(render_template(template, event=event, stats=stats))
    if fragment:
        response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    if not fragment:
        response.headers["Vary"] = "HX-Request"
    return response


LIVE_STATS_SECONDS = 2.0


def _shared_live_stats(event) -> tuple[int, dict]:
    """``(change_seq, stats)``: the counts this worker computed in the last 2 s, if the page
    asking has not shown them yet; otherwise fresh ones.

    During the morning rush every check-in bumps ``change_seq``, so each dashboard's poll
    would recompute everything; this way 30 open dashboards share about one computation per
    worker and poll interval. The ETag always names the version of the counts actually sent,
    so a page is never left behind: it gets newer counts on its next poll at the latest.
    """
    cache = app_cache("live_stats", LIVE_STATS_SECONDS)
    cached = cache.get(event.id)
    if cached is not None and not request.if_none_match.contains(f"live-{event.id}-{cached[0]}"):
        return cached
    seq = event.change_seq
    fresh = (seq, services.live_stats(event))
    cache.put(event.id, fresh)
    return fresh


def checkin_home_panel(event):
    if not current_user.is_authenticated or not current_user.has_role(event.id, *DESK_ROLES):
        return None
    return render_template("checkin/_home_panel.html", event=event,
                           count=entrance_count(event), registered=_registered(event))


# --- the self-check-in kiosk -----------------------------------------------------------------


@bp.route("/admin/e/<slug>/checkin/kiosk", methods=["POST"])
@event_role(*DESK_ROLES)
def start_kiosk(event):
    """Turn this device into a kiosk: the staff session ends, the kiosk mark stays."""
    audit.record("checkin.kiosk_started", event_id=event.id, target=event)
    db.session.commit()
    started_by = current_user.id
    logout_user()
    session[KIOSK_SESSION_KEY] = {"event_id": event.id, "by": started_by,
                                  "id": secrets.token_hex(8)}
    return redirect(url_for("checkin.kiosk", slug=event.slug))


@bp.route("/kiosk/<slug>")
@kiosk_device
def kiosk(event):
    return render_template("checkin/kiosk.html", event=event)


@bp.route("/kiosk/<slug>/scan", methods=["POST"])
@kiosk_device
def kiosk_scan(event):
    code = ScanForm().code.data or ""
    source = "kiosk"
    checkin_list = services.entrance_list(event)
    result = services.check_in(code, checkin_list, by_user=None, source=source)
    db.session.commit()
    html = render_template("checkin/_kiosk_result.html", event=event, result=result,
                           table=result.attendee.homeroom if result.attendee else None)
    if is_htmx():
        return html
    return render_template("checkin/kiosk.html", event=event, result_html=html)


@bp.route("/kiosk/<slug>/exit", methods=["GET", "POST"])
@public
def kiosk_exit(slug: str):
    """Leaving kiosk mode takes a staff sign-in with a check-in role for this event."""
    event = load_event(slug)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        device = auth_services.sign_in_device(email)
        user, wait = auth_services.attempt_sign_in(
            email, form.password.data, device=device, remote_addr=request.remote_addr or "",
            accept=lambda user: user.has_role(event.id, *DESK_ROLES))
        if user is not None:
            session.pop(KIOSK_SESSION_KEY, None)
            audit.record("checkin.kiosk_stopped", event_id=event.id, target=event,
                         actor_user_id=user.id, actor_label="")
            db.session.commit()
            login_user(user)
            auth_services.remember_sign_in(email)
            flash("Kiosk mode is off on this device.", "success")
            return redirect(url_for("checkin.desk", slug=event.slug))
        db.session.commit()
        if wait:
            form.password.errors.append(wait.message())
            status = 429
        else:
            form.password.errors.append(
                "That email and password do not match a check-in account for this event.")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("checkin/kiosk_exit.html", event=event, form=form), status
