"""Self check-in pages.

- ``/admin/e/<slug>/entrance-screen``: the full-screen entrance display (check-in volunteers and
  organizers) with a QR code that changes every half window, polled by htmx, and the live
  "412 of 480 here" counter.
- ``/e/<slug>/here/<code>``: what the QR code opens on the attendee's phone. With a personal-link
  session it checks that attendee in; without one it asks for an email address and sends the
  personal link with an arrival link (``/e/<slug>/arrive/<marker>``) that finishes the check-in.
- ``/e/<slug>/t/<table_id>``: a table tent: homeroom presence for today, the prompt, the plan.
- Room doors keep their address (``/e/<slug>/rooms/<room_id>``, owned by breakouts): a signed-in
  attendee's scan is handed to :func:`room_door` (``init_app`` adds it to breakouts' door-scan
  handlers) and records attendance for the session now.
- ``/admin/e/<slug>/my-table/presence``: the facilitator's live "who is at my table" fragment.

Scans are GET requests (a phone camera opens a URL), so the views that write mark the request
as a write transaction (SQLite ``BEGIN IMMEDIATE``) before touching the database.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from summit.access import (
    attendee_required,
    current_attendee,
    event_role,
    load_event,
    public,
    sign_in_attendee,
)
from summit.checkin import api as checkin
from summit.database import utcnow
from summit.extensions import db
from summit.homerooms.api import HomeroomTable, facilitated_tables, members_of
from summit.qr import qr_svg
from summit.registration.api import ResendLinkForm
from summit.selfcheckin import codes, services

bp = Blueprint("selfcheckin", __name__)

SCREEN_ROLES = ("organizer", "checkin")
PROOF_KEY = "selfcheckin_proof"  # {event_id: unix time of the last valid entrance scan}
OUTCOME_KEY = "selfcheckin_outcome"  # the last self check-in's outcome, shown once


def setting(name: str, default: int) -> int:
    """An integer setting from the app config, else the environment, else ``default``."""
    value = current_app.config.get(name)
    if value in (None, ""):
        value = os.environ.get(name)
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def window_seconds() -> int:
    return max(setting("SELF_CHECKIN_WINDOW_SECONDS", codes.DEFAULT_WINDOW_SECONDS),
               codes.MIN_WINDOW_SECONDS)


def grace_seconds() -> int:
    return setting("SELF_CHECKIN_GRACE_SECONDS", services.DEFAULT_GRACE_SECONDS)


def _now() -> datetime:
    return utcnow()


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _start_writing() -> None:
    """This GET writes: restart the transaction as a write transaction (SQLite)."""
    g.write_transaction = True
    db.session.rollback()


def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _page(template: str, status: int = 200, **context):
    return _private(make_response(render_template(template, **context), status))


# --- the entrance screen ---------------------------------------------------------------------


def _screen_context(event, now: datetime) -> dict:
    window = window_seconds()
    code = codes.entrance_code(_secret(), event.id, now, window)
    url = services.entrance_url(current_app.config["BASE_URL"], event, code)
    svg = qr_svg(url).decode()
    svg = svg[svg.index("<svg"):]  # drop the XML declaration to inline it
    here, registered = services.counts(event)
    step = codes.step_at(now, window)
    return {"event": event, "qr": Markup(svg), "url": url, "here": here,
            "registered": registered, "step": step, "etag": _screen_etag(event, step),
            "rotate": int(codes.step_seconds(window)), "window": window}


def _screen_etag(event, step: int) -> str:
    return f"screen-{event.id}-{step}-{event.change_seq}"


@bp.route("/admin/e/<slug>/entrance-screen")
@event_role(*SCREEN_ROLES)
def screen(event):
    return _page("selfcheckin/screen.html", **_screen_context(event, _now()))


@bp.route("/admin/e/<slug>/entrance-screen/code")
@event_role(*SCREEN_ROLES)
def screen_code(event):
    """The QR code and counter, polled every 2 s; 304 while neither changed."""
    now = _now()
    step = codes.step_at(now, window_seconds())
    etag = _screen_etag(event, step)
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = make_response(render_template("selfcheckin/_screen_code.html",
                                                 **_screen_context(event, now)))
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response




# --- the phone: scanning the entrance code ----------------------------------------------------


@bp.route("/e/<slug>/here/<secret:code>")
@public
def entrance_scan(slug: str, code: str):
    event = load_event(slug)
    now = _now()
    verdict = codes.check_entrance_code(_secret(), event.id, code[:64], now, window_seconds())
    if verdict.status == codes.INVALID:
        return _page("selfcheckin/code_refused.html", 404, event=event, expired=False)
    if verdict.status == codes.EXPIRED:
        return _page("selfcheckin/code_refused.html", 410, event=event, expired=True)
    attendee = current_attendee(event)
    if attendee is None:
        # Proof that this phone saw the screen: lets the email form below send an arrival link.
        proofs = dict(session.get(PROOF_KEY) or {})
        proofs[str(event.id)] = int(now.timestamp())
        session[PROOF_KEY] = proofs
        return redirect(url_for("selfcheckin.ask_email", slug=event.slug))
    _start_writing()
    result = services.check_in_self(event, attendee)
    db.session.commit()
    session[OUTCOME_KEY] = result.outcome
    return redirect(url_for("selfcheckin.welcome", slug=event.slug))


def _proof(event) -> datetime | None:
    stamp = (session.get(PROOF_KEY) or {}).get(str(event.id))
    if not isinstance(stamp, int):
        return None
    proven = datetime.fromtimestamp(stamp, tz=UTC)
    age = (_now() - proven).total_seconds()
    return proven if -5 <= age <= grace_seconds() else None


@bp.route("/e/<slug>/here", methods=["GET", "POST"])
@public
def ask_email(slug: str):
    """No personal-link session on this phone: send the link, the same answer for any email."""
    event = load_event(slug)
    proven = _proof(event)
    if proven is None:
        return _page("selfcheckin/code_refused.html", 410 if request.method == "GET" else 400,
                     event=event, expired=True)
    form = ResendLinkForm()
    if form.validate_on_submit():
        now = _now()
        services.request_link(
            event, form.email.data, secret_key=_secret(), proven_at=proven, now=now,
            arrive_url=lambda marker: current_app.config["BASE_URL"] + url_for(
                "selfcheckin.arrive", slug=event.slug, marker=marker))
        db.session.commit()
        return _page("selfcheckin/email_sent.html", event=event, email=form.email.data,
                     minutes=grace_seconds() // 60)
    return _page("selfcheckin/ask_email.html", 400 if request.method == "POST" else 200,
                 event=event, form=form)


@bp.route("/e/<slug>/arrive/<secret:marker>")
@public
def arrive(slug: str, marker: str):
    """The link in the email: signs this phone in and finishes the check-in."""
    event = load_event(slug)
    _start_writing()
    arrival = services.open_arrival(event, marker[:80], secret_key=_secret(), now=_now(),
                                    grace_seconds=grace_seconds())
    if arrival.status == codes.INVALID:
        return _page("selfcheckin/arrive_refused.html", 404, event=event, expired=False)
    if arrival.status == codes.EXPIRED:
        return _page("selfcheckin/arrive_refused.html", 410, event=event, expired=True)
    attendee = arrival.attendee
    sign_in_attendee(attendee)
    result = services.check_in_self(event, attendee)
    db.session.commit()
    session[OUTCOME_KEY] = result.outcome
    return redirect(url_for("selfcheckin.welcome", slug=event.slug))


@bp.route("/e/<slug>/welcome")
@attendee_required
def welcome(event, attendee):
    outcome = session.pop(OUTCOME_KEY, None)
    record = services.entrance_checkin(event, attendee)
    if outcome is None:
        outcome = (checkin.AMBER if record is not None
                   else attendee.status if attendee.status != "registered" else "not_yet")
    return _page("selfcheckin/welcome.html", event=event, attendee=attendee, outcome=outcome,
                 record=record, table=services.homeroom_label(event, attendee, _now()))


# --- table tents -----------------------------------------------------------------------------


@bp.route("/e/<slug>/t/<int:table_id>")
@public
def table_scan(slug: str, table_id: int):
    event = load_event(slug)
    table = db.session.get(HomeroomTable, table_id)
    if table is None or table.event_id != event.id:
        abort(404)
    attendee = current_attendee(event)
    if attendee is None:
        return _page("selfcheckin/table.html", event=event, table=table, scan=None,
                     attendee=None, form=ResendLinkForm())
    _start_writing()
    scan = services.scan_table(event, table, attendee, _now())
    db.session.commit()
    context = {"event": event, "table": table, "scan": scan, "attendee": attendee}
    if scan.outcome in ("present", "already_present"):
        context["prompt"] = services.prompt_for(event, scan.day)
        context["plan_status"] = services.plan_status(attendee)
    return _page("selfcheckin/table.html", **context)


# --- room doors (the route belongs to breakouts: /e/<slug>/rooms/<room_id>) -------------------


def room_door(event, room, attendee):
    """A signed-in attendee scanned a room's door sign: attendance for the session now."""
    _start_writing()  # expires the loaded rows; they reload inside the write transaction
    scan = services.scan_room(event, room, attendee, _now(),
                              setting("SELF_CHECKIN_ROOM_EARLY_MINUTES",
                                      services.DEFAULT_ROOM_EARLY_MINUTES))
    db.session.commit()
    return _page("selfcheckin/room_door.html", event=event, room=room, attendee=attendee,
                 scan=scan, sessions=services.sessions_in_room(event, room))


# --- the facilitator's live table ------------------------------------------------------------


def _presence_context(event, table, day: int) -> dict:
    members = members_of(table, day)
    present = services.presence_for(table, day)
    return {"event": event, "table": table, "day": day, "members": members,
            "present": present, "etag": _presence_etag(event, table, day),
            "here": sum(1 for a in members if a.id in present)}


def _presence_etag(event, table, day: int) -> str:
    return f"presence-{table.id}-{day}-{event.change_seq}"


@bp.route("/admin/e/<slug>/my-table/presence")
@event_role("facilitator")
def table_presence(event):
    table = db.session.get(HomeroomTable, request.args.get("table", type=int) or 0)
    if table is None or table.event_id != event.id:
        abort(404)
    if not current_user.has_role(event.id) and table not in facilitated_tables(event,
                                                                               current_user):
        abort(404)
    day = request.args.get("day", type=int) or 1
    if not 1 <= day <= max(event.days, 1):
        abort(404)
    etag = _presence_etag(event, table, day)
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = make_response(render_template("selfcheckin/_presence.html",
                                                 **_presence_context(event, table, day)))
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.app_template_global("table_presence_panel")
def table_presence_panel(event, table, day: int) -> Markup:
    """Rendered on the homerooms "My table" page; then refreshed by htmx polling."""
    if table is None:
        return Markup("")
    script = url_for("static", filename="js/etag-poll.js")
    fragment = Markup(render_template("selfcheckin/_presence.html",
                                      **_presence_context(event, table, day)))
    return fragment + Markup('<script src="{}" defer></script>').format(script)
