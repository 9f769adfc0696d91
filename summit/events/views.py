"""Public pages: the list of open events and each event's home page."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request
from sqlalchemy import select

from summit import panels
from summit.access import current_attendee, load_event, public
from summit.events.models import Event
from summit.extensions import db
from summit.responses import is_htmx

bp = Blueprint("events", __name__)


@bp.route("/")
@public
def index():
    events = db.session.scalars(
        select(Event).where(Event.is_public.is_(True)).order_by(Event.start_date)
    ).all()
    return render_template("events/index.html", events=events)


@bp.route("/e/<slug>/")
@public
def event_page(slug: str):
    event = load_event(slug)
    # A filter of a section (the program's days and topics) asked by htmx: that section alone.
    target = request.headers.get("HX-Target") if is_htmx() else None
    section = panels.event_page_section(target, event, request.args) if target else None
    body = section if section is not None else render_template(
        "events/event.html", event=event, attendee=current_attendee(event),
        state=event.registration_state(),
        sections=panels.event_page_sections(event, request.args))
    response = make_response(body)
    if not request.headers.get("HX-Request"):  # htmx's answers get it in create_app
        response.vary.add("HX-Request")
    return response
