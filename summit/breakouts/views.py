"""Breakout pages: the organizer's schedule grid, the attendee's sessions and agenda, feeds."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup

from summit import audit
from summit.access import attendee_required, current_attendee, event_role, load_event, public
from summit.breakouts import capacity as rules
from summit.breakouts import csv_io, ical, services
from summit.breakouts.api import DOOR_SCAN_HANDLERS
from summit.breakouts.forms import (
    AttendeeActionForm,
    MoveForm,
    RoomForm,
    SessionForm,
    SlotForm,
)
from summit.breakouts.models import MODE_LABELS, BreakoutSession, Room, Slot
from summit.checkin import api as checkin
from summit.database import fits_integer
from summit.extensions import db
from summit.forms import first_errors, typed
from summit.homerooms.api import todays_homeroom
from summit.i18n import translate
from summit.qr import qr_svg
from summit.responses import is_htmx, pdf_response

bp = Blueprint("breakouts", __name__)


def _vary(response: Response) -> Response:
    if not request.headers.get("HX-Request"):
        response.vary.add("HX-Request")
    return response


def _get(model, event, pk: int):
    row = db.session.get(model, pk)
    if row is None or row.event_id != event.id:
        abort(404)
    return row


def _int(value, *, lo=None, hi=None) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    if not fits_integer(number):
        return None
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        return None
    return number


# --- organizer: the schedule grid ------------------------------------------------------------


def _board_context(event, editor=None):
    rooms = services.rooms_of(event)
    slots = services.slots_of(event)
    sessions = services.sessions_of(event)
    counts = services.counts_for([s.id for s in sessions])
    conflicts = services.conflicts_for(event)
    flagged: dict[int, list[str]] = {}
    for c in conflicts:
        for sid in c.session_ids:
            flagged.setdefault(sid, []).append(c.message)
    cells: dict[tuple[int, int], list[BreakoutSession]] = {}
    unplaced = []
    for s in sessions:
        if s.slot_id is None or s.room_id is None:
            unplaced.append(s)
        else:
            cells.setdefault((s.room_id, s.slot_id), []).append(s)
    days = sorted({slot.day for slot in slots})
    return {
        "event": event, "rooms": rooms, "slots": slots, "sessions": sessions, "counts": counts,
        "conflicts": conflicts, "flagged": flagged, "cells": cells, "unplaced": unplaced,
        "days": days, "editor": editor, "modes": MODE_LABELS,
        "label_for": lambda s: rules.seat_label(s.effective_capacity, counts[s.id][0], s.mode),
    }


def _board(event, editor=None, status=200, **extra):
    context = _board_context(event, editor) | extra
    template = "breakouts/_board.html" if is_htmx() else "breakouts/schedule.html"
    return render_template(template, **context), status


@bp.route("/admin/e/<slug>/breakouts")
@event_role("organizer")
def schedule(event):
    return _board(event)


@bp.route("/admin/e/<slug>/breakouts/rooms", methods=["POST"])
@event_role("organizer")
def add_room(event):
    return _save_room(event, None)


@bp.route("/admin/e/<slug>/breakouts/rooms/<int:room_id>", methods=["POST"])
@event_role("organizer")
def edit_room(event, room_id: int):
    return _save_room(event, _get(Room, event, room_id))


def _setup_error(event, section: str, message: str, form):
    """A refused room or slot: the page again (400) with the message in that section and
    what was typed still in its form; the field with the problem takes the focus."""
    return _board(event, status=400, setup_error={"section": section, "message": message},
                  setup_form=typed(form))


def _messages(form) -> str:
    return " ".join(dict.fromkeys(first_errors(form).values()))


def _save_room(event, room):
    form = RoomForm()
    name = form.name.data
    error = None
    if not form.validate():
        error = _messages(form)
    else:
        try:
            services.save_room(event, name, form.capacity.data, form.accessible.data, room)
        except services.BreakoutError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(f"Room “{name}” saved.", "success@rooms")
    if error and room is None:
        return _setup_error(event, "rooms", error, form)
    if error:
        flash(error, "error@rooms")
    return redirect(url_for("breakouts.schedule", slug=event.slug) + "#rooms")


@bp.route("/admin/e/<slug>/breakouts/rooms/<int:room_id>/delete", methods=["POST"])
@event_role("organizer")
def delete_room(event, room_id: int):
    services.delete_room(event, _get(Room, event, room_id))
    db.session.commit()
    flash("Room deleted; its sessions wait for a room.", "success@rooms")
    return redirect(url_for("breakouts.schedule", slug=event.slug) + "#rooms")


@bp.route("/admin/e/<slug>/breakouts/slots", methods=["POST"])
@event_role("organizer")
def add_slot(event):
    form = SlotForm()
    form.days = event.days
    if not form.validate():
        return _setup_error(event, "slots", _messages(form), form)
    try:
        services.save_slot(event, form.day.data, form.starts.time, form.ends.time,
                           form.label.data or "")
    except services.BreakoutError as exc:
        db.session.rollback()
        return _setup_error(event, "slots", str(exc), form)
    db.session.commit()
    flash("Time slot added.", "success@slots")
    return redirect(url_for("breakouts.schedule", slug=event.slug) + "#slots")


@bp.route("/admin/e/<slug>/breakouts/slots/<int:slot_id>/delete", methods=["POST"])
@event_role("organizer")
def delete_slot(event, slot_id: int):
    try:
        services.delete_slot(event, _get(Slot, event, slot_id))
    except services.BreakoutError as exc:
        db.session.rollback()
        flash(str(exc), "error@slots")
    else:
        db.session.commit()
        flash("Time slot deleted.", "success@slots")
    return redirect(url_for("breakouts.schedule", slug=event.slug) + "#slots")


class Editor:
    """The session form's values and errors (shown above the grid)."""

    def __init__(self, session=None, values=None, errors=None):
        self.session = session
        self.values = values or {}
        self.errors = errors or {}

    @classmethod
    def for_session(cls, session: BreakoutSession):
        return cls(session, {
            "title": session.title, "description": session.description,
            "room_id": session.room_id, "slot_id": session.slot_id,
            "capacity": session.capacity if session.capacity is not None else "",
            "mode": session.mode, "tags": "; ".join(session.tag_names),
            "facilitators": "; ".join(
                f"{f.name} <{f.email}>" if f.name else f.email for f in session.facilitators),
        })


def _parse_session_form() -> tuple[services.SessionData | None, dict, dict]:
    form = SessionForm()
    valid = form.validate()
    values = form.editor_values()
    if not valid:
        return None, values, first_errors(form)
    return services.SessionData(
        title=form.title.data, description=form.description.data or "",
        room_id=form.room_id.data, slot_id=form.slot_id.data, capacity=form.capacity.data,
        mode=form.mode_value, tags=form.tag_list, facilitators=form.facilitator_list,
    ), values, {}


@bp.route("/admin/e/<slug>/breakouts/sessions/new", methods=["GET", "POST"])
@event_role("organizer")
def new_session(event):
    if request.method == "GET":
        return _board(event, Editor(values={
            "room_id": _int(request.args.get("room_id")),
            "slot_id": _int(request.args.get("slot_id")), "mode": "signup"}))
    data, values, errors = _parse_session_form()
    if data is None:
        return _board(event, Editor(values=values, errors=errors), 200 if is_htmx() else 400)
    try:
        session = services.save_session(event, data)
    except services.BreakoutError as exc:
        db.session.rollback()
        return _board(event, Editor(values=values, errors={"title": str(exc)}),
                      200 if is_htmx() else 400)
    db.session.commit()
    flash(f"“{session.title}” added.", "success")
    if is_htmx():
        return _board(event)
    return redirect(url_for("breakouts.schedule", slug=event.slug))


@bp.route("/admin/e/<slug>/breakouts/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@event_role("organizer")
def edit_session(event, session_id: int):
    session = _get(BreakoutSession, event, session_id)
    if request.method == "GET":
        return _board(event, Editor.for_session(session))
    data, values, errors = _parse_session_form()
    if data is None:
        return _board(event, Editor(session, values, errors), 200 if is_htmx() else 400)
    moved = (data.room_id, data.slot_id) != (session.room_id, session.slot_id)
    try:
        services.save_session(event, data, session)
    except services.BreakoutError as exc:
        db.session.rollback()
        return _board(event, Editor(session, values, {"title": str(exc)}),
                      200 if is_htmx() else 400)
    db.session.commit()
    flash(f"“{session.title}” saved." + (" People who signed up were told about the move."
                                          if moved else ""), "success")
    if is_htmx():
        return _board(event)
    return redirect(url_for("breakouts.schedule", slug=event.slug))


@bp.route("/admin/e/<slug>/breakouts/sessions/<int:session_id>/move", methods=["POST"])
@event_role("organizer")
def move_session(event, session_id: int):
    session = _get(BreakoutSession, event, session_id)
    form = MoveForm()
    form.validate()  # an empty or unknown id is None: the session waits for a room or time
    room_id, slot_id = form.room_id.data, form.slot_id.data
    try:
        told = services.move_session(event, session, room_id, slot_id)
    except services.BreakoutError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"“{session.title}” moved." + (f" {told} people were told." if told else ""),
              "success")
    if is_htmx():
        return _board(event)
    return redirect(url_for("breakouts.schedule", slug=event.slug))


@bp.route("/admin/e/<slug>/breakouts/sessions/<int:session_id>/delete", methods=["POST"])
@event_role("organizer")
def delete_session(event, session_id: int):
    session = _get(BreakoutSession, event, session_id)
    title = session.title
    services.delete_session(event, session)
    db.session.commit()
    flash(f"“{title}” deleted.", "success")
    if is_htmx():
        return _board(event)
    return redirect(url_for("breakouts.schedule", slug=event.slug))


@bp.route("/admin/e/<slug>/breakouts/sessions/<int:session_id>")
@event_role("organizer")
def session_detail(event, session_id: int):
    session = _get(BreakoutSession, event, session_id)
    enrolled, waiting = services.roster(session)
    checkin_list = checkin.session_list(session.event_id, session.id, session.title)
    db.session.commit()
    stats = services.attendance_stats([session])[session.id]
    return render_template("breakouts/session.html", event=event, session=session,
                           enrolled=enrolled, waiting=waiting, stats=stats,
                           checkin_list=checkin_list,
                           attended=_attended_ids(checkin_list))


def _attended_ids(checkin_list) -> set[int]:
    return checkin.attendee_ids_on(checkin_list)


@bp.route("/admin/e/<slug>/breakouts/attendance")
@event_role("organizer")
def attendance(event):
    sessions = [s for s in services.sessions_of(event) if s.slot_id is not None]
    sessions.sort(key=lambda s: (s.slot.sort_key, s.title))
    return render_template("breakouts/attendance.html", event=event, sessions=sessions,
                           stats=services.attendance_stats(sessions))


@bp.route("/admin/e/<slug>/breakouts/import", methods=["POST"])
@event_role("organizer")
def import_sessions(event):
    upload = request.files.get("file")
    result = summary = None
    status = 200
    if upload is None or not upload.filename:
        flash("Choose a CSV file to import.", "error")
        return redirect(url_for("breakouts.schedule", slug=event.slug) + "#import")
    result = csv_io.parse_sessions(upload.read(current_app.config["MAX_CONTENT_LENGTH"] + 1),
                                   event.start_date, event.days)
    if result.ok:
        try:
            summary = services.import_sessions(event, result)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        flash(f"Imported {summary.added} new session(s), updated {summary.updated}"
              + (f", created {summary.rooms_created} room(s)" if summary.rooms_created else "")
              + ".", "success")
        return redirect(url_for("breakouts.schedule", slug=event.slug))
    status = 422
    context = _board_context(event)
    return render_template("breakouts/schedule.html", import_result=result, **context), status


@bp.route("/admin/e/<slug>/breakouts/schedule.pdf")
@event_role("organizer", "checkin", "facilitator")
def schedule_pdf(event):
    from summit.breakouts.pdf import html_to_pdf

    context = _board_context(event)
    html = render_template("breakouts/print_schedule.html", **context)
    return pdf_response(html_to_pdf(html, request.url_root), f"{event.slug}-breakouts.pdf")


def _sign_day(event) -> int:
    day = _int(request.args.get("day"), lo=1, hi=event.days)
    return day if day is not None else event.current_day_or_none() or 1


@bp.route("/admin/e/<slug>/breakouts/signs.pdf")
@event_role("organizer", "checkin")
def signs_pdf(event):
    from summit.breakouts.pdf import html_to_pdf

    day = _sign_day(event)
    rooms = services.rooms_of(event)
    room_id = _int(request.args.get("room_id"))
    if room_id is not None:
        rooms = [r for r in rooms if r.id == room_id]
        if not rooms:
            abort(404)
    sessions = [s for s in services.sessions_of(event)
                if s.slot is not None and s.slot.day == day and s.room_id is not None]
    by_room: dict[int, list[BreakoutSession]] = {}
    for s in sorted(sessions, key=lambda s: s.slot.sort_key):
        by_room.setdefault(s.room_id, []).append(s)
    base = current_app.config["BASE_URL"]
    qr = {r.id: Markup(_svg_body(qr_svg(f"{base}/e/{event.slug}/rooms/{r.id}"))) for r in rooms}
    html = render_template("breakouts/print_signs.html", event=event, rooms=rooms,
                           by_room=by_room, day=day,
                           day_date=event.day_dates()[day - 1], qr=qr, base=base)
    return pdf_response(html_to_pdf(html, request.url_root),
                        f"{event.slug}-room-signs-day{day}.pdf")


def _svg_body(svg: bytes) -> str:
    text = svg.decode()
    return text[text.index("<svg"):]


@bp.route("/admin/e/<slug>/my-sessions")
@event_role("facilitator")
def my_sessions(event):
    sessions = services.sessions_facilitated_by(event, current_user)
    rosters = {s.id: services.roster(s) for s in sessions}
    stats = services.attendance_stats(sessions)
    return render_template("breakouts/my_sessions.html", event=event, sessions=sessions,
                           rosters=rosters, stats=stats)


# --- attendees ------------------------------------------------------------------------------


def _poll_seconds() -> int:
    return int(current_app.config.get("BREAKOUTS_POLL_SECONDS", 5))


def _browse_context(event, attendee, tag):
    return {
        "event": event, "attendee": attendee, "tag": tag,
        "slots": services.browse(event, attendee, tag), "tags": services.all_tags(event),
        "notices": services.open_notices(attendee), "poll": _poll_seconds(),
        "etag": services.live_version(event, attendee),
        "held": {e.session.slot_id: e.session for e in services.my_enrollments(attendee).values()
                 if e.status == "enrolled" and e.session.slot_id is not None},
    }


def _clean_tag() -> str | None:
    tag = (request.args.get("tag") or "").strip()[:60]
    if not tag and request.method == "POST":
        tag = AttendeeActionForm().tag.data or ""
    return tag or None


@bp.route("/e/<slug>/breakouts")
@attendee_required
def browse(event, attendee):
    tag = _clean_tag()
    version = services.live_version(event, attendee)
    if request.if_none_match.contains(version):
        return _vary(Response(status=304, headers={"ETag": f'"{version}"',
                                                   "Cache-Control": "private, no-cache"}))
    context = _browse_context(event, attendee, tag)
    template = "breakouts/_browse_list.html" if is_htmx() else "breakouts/browse.html"
    response = Response(render_template(template, **context))
    response.set_etag(version)
    response.headers["Cache-Control"] = "private, no-cache"
    return _vary(response)


def _after_attendee_action(event, attendee, message: str | None, category="success"):
    tag = _clean_tag()
    if is_htmx():
        # The list (or agenda) plus the message out of band: the next poll replaces the list
        # but leaves the message where it is.
        flash_html = render_template("breakouts/_flash_oob.html",
                                     message=(message, category) if message else None)
        if AttendeeActionForm().from_agenda:
            return render_template("breakouts/_agenda.html",
                                   **_agenda_context(event, attendee)) + flash_html
        return render_template("breakouts/_browse_list.html",
                               **_browse_context(event, attendee, tag)) + flash_html
    if message:
        flash(message, category)
    if AttendeeActionForm().from_agenda:
        return redirect(url_for("breakouts.agenda", slug=event.slug))
    return redirect(url_for("breakouts.browse", slug=event.slug, tag=tag))


@bp.route("/e/<slug>/breakouts/<int:session_id>/join", methods=["POST"])
@attendee_required
def join(event, attendee, session_id: int):
    session = _get(BreakoutSession, event, session_id)
    try:
        result = services.sign_up(attendee, session)
    except services.BreakoutError as exc:
        db.session.rollback()
        return _after_attendee_action(event, attendee, translate(str(exc)), "error")
    db.session.commit()
    return _after_attendee_action(event, attendee, result.message,
                                  "warning" if result.action == "waitlist" else "success")


@bp.route("/e/<slug>/breakouts/<int:session_id>/leave", methods=["POST"])
@attendee_required
def leave(event, attendee, session_id: int):
    session = _get(BreakoutSession, event, session_id)
    services.leave(attendee, session)
    db.session.commit()
    return _after_attendee_action(event, attendee,
                                  gettext("You are no longer signed up for “%(title)s”.",
                                          title=session.title))


@bp.route("/e/<slug>/breakouts/notices/<int:notice_id>/dismiss", methods=["POST"])
@attendee_required
def dismiss(event, attendee, notice_id: int):
    if not services.dismiss_notice(attendee, notice_id):
        abort(404)  # another person's notice, or none
    db.session.commit()
    return _after_attendee_action(event, attendee, None)


def _agenda_context(event, attendee):
    homeroom, homeroom_day, homeroom_today = todays_homeroom(event, attendee.id)
    return {
        "event": event, "attendee": attendee,
        "items": services.agenda_for(event, attendee),
        "homeroom": homeroom, "homeroom_day": homeroom_day, "homeroom_today": homeroom_today,
        "notices": services.open_notices(attendee), "poll": _poll_seconds(),
        "etag": services.live_version(event, attendee),
    }


@bp.route("/e/<slug>/agenda")
@attendee_required
def agenda(event, attendee):
    version = services.live_version(event, attendee)
    if request.if_none_match.contains(version):
        return _vary(Response(status=304, headers={"ETag": f'"{version}"',
                                                   "Cache-Control": "private, no-cache"}))
    if is_htmx():
        body = render_template("breakouts/_agenda.html", **_agenda_context(event, attendee))
    else:
        secret = services.existing_calendar_secret(attendee)
        if secret is None:  # first visit: create the key, then read on without the write lock
            secret = services.calendar_secret(attendee)
            db.session.commit()
            g.pop("write_transaction", None)
        context = _agenda_context(event, attendee)
        base = current_app.config["BASE_URL"]
        body = render_template(
            "breakouts/agenda.html", **context,
            feed_url=base + url_for("breakouts.private_feed", slug=event.slug, secret=secret),
            public_feed_url=base + url_for("breakouts.public_feed", slug=event.slug))
    response = Response(body)
    response.set_etag(version)
    response.headers["Cache-Control"] = "private, no-cache"
    return _vary(response)


@bp.route("/e/<slug>/agenda/new-calendar-link", methods=["POST"])
@attendee_required
def renew_calendar(event, attendee):
    services.calendar_secret(attendee, renew=True)
    audit.record("breakouts.calendar_link_renewed", event_id=event.id, target=attendee)
    db.session.commit()
    flash(gettext("Your calendar has a new private address; the old one no longer works."),
          "success")
    return redirect(url_for("breakouts.agenda", slug=event.slug))


def agenda_panel(event, attendee):
    items = services.agenda_for(event, attendee)
    if not items and not services.slots_of(event):
        return None
    return render_template("breakouts/_agenda_panel.html", event=event, items=items,
                           notices=services.open_notices(attendee))


def breakouts_home_panel(event):
    sessions = services.sessions_of(event)
    if not sessions:
        return None
    counts = services.counts_for([s.id for s in sessions])
    return render_template(
        "breakouts/_home_panel.html", event=event, sessions=sessions,
        enrolled=sum(c[0] for c in counts.values()), waiting=sum(c[1] for c in counts.values()),
        conflicts=len(services.conflicts_for(event)),
        full=sum(1 for s in sessions
                 if rules.seat_label(s.effective_capacity, counts[s.id][0], s.mode) == "Full"))


# --- calendar feeds and the room page -------------------------------------------------------


def _ical_items(event, sessions, statuses=None):
    base = current_app.config["BASE_URL"]
    items = []
    for s in sessions:
        if s.slot is None:
            continue
        starts, ends = s.slot.local_bounds(event.start_date, event.tz)
        status = (statuses or {}).get(s.id, "CONFIRMED")
        title = s.title if status == "CONFIRMED" else f"{s.title} (waitlist)"
        description = s.description
        if s.facilitators:
            description = ("With " + ", ".join(s.facilitator_names) + "\n\n" + description
                           ).strip()
        items.append({"uid": f"{event.slug}-session-{s.id}", "title": title, "starts": starts,
                      "ends": ends, "location": services.describe_place(s)
                      + (f", {event.venue}" if event.venue else ""),
                      "description": description, "status": status,
                      "url": f"{base}/e/{event.slug}/breakouts"})
    return items


def _ics(event, name, items, private: bool) -> Response:
    body = ical.build_calendar(name=name, tz_name=event.timezone,
                               uid_domain=re.sub(r"^https?://", "",
                                                 current_app.config["BASE_URL"]).split("/")[0],
                               items=items)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="{event.slug}.ics"',
        "Cache-Control": "private, max-age=300" if private else "public, max-age=300"})


@bp.route("/e/<slug>/breakouts.ics")
@public
def public_feed(slug: str):
    event = load_event(slug)
    if not event.is_public:
        abort(404)
    sessions = [s for s in services.sessions_of(event) if s.slot is not None]
    return _ics(event, f"{event.name}: breakouts", _ical_items(event, sessions), False)


@bp.route("/e/<slug>/calendar/<secret:secret>.ics")
@public
def private_feed(slug: str, secret: str):
    event = load_event(slug)
    attendee = services.attendee_for_calendar(secret)
    if attendee is None or attendee.event_id != event.id or attendee.status == "cancelled":
        abort(404)
    items = services.agenda_for(event, attendee)
    statuses = {i.session.id: "CONFIRMED" if i.enrollment.status == "enrolled" else "TENTATIVE"
                for i in items}
    return _ics(event, f"{event.name}: my agenda",
                _ical_items(event, [i.session for i in items], statuses), True)


@bp.route("/e/<slug>/rooms/<int:room_id>")
@public
def room_page(slug: str, room_id: int):
    event = load_event(slug)
    room = _get(Room, event, room_id)
    # The door sign's QR code: a signed-in attendee's scan is handed to the capability that
    # records attendance (self check-in adds itself in its init_app).
    attendee = current_attendee(event)
    if attendee is not None and DOOR_SCAN_HANDLERS:
        return DOOR_SCAN_HANDLERS[0](event, room, attendee)
    sessions = [s for s in services.sessions_of(event)
                if s.room_id == room.id and s.slot is not None]
    sessions.sort(key=lambda s: s.slot.sort_key)
    counts = services.counts_for([s.id for s in sessions])
    return render_template("breakouts/room.html", event=event, room=room, sessions=sessions,
                           counts=counts)



