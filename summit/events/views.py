"""Public pages: the list of open events and each event's home page."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from summit.access import current_attendee, load_event, public
from summit.events.models import Event
from summit.extensions import db

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
    return render_template("events/event.html", event=event,
                           attendee=current_attendee(event),
                           state=event.registration_state())
