"""What the organizer should do next about homerooms, for the event overview: tables for
everyone registered, then seats for everyone, then facilitators."""

from __future__ import annotations

import math

from sqlalchemy import func, select

from summit.events.models import Event
from summit.extensions import db
from summit.homerooms.models import HomeroomTable, Seat
from summit.panels import NextStep, days_to_start, event_over
from summit.registration.api import Attendee

SEATS_PER_TABLE = 8  # what "Add tables" proposes when there are no tables to copy


def tables_needed(registered: int, seats: int, seats_per_table: int) -> int:
    """How many more tables of ``seats_per_table`` seat everyone registered."""
    missing = registered - seats
    return math.ceil(missing / seats_per_table) if missing > 0 else 0


def homeroom_steps(*, registered: int, tables: int, seats: int, seated: int, day: int,
                   without_facilitator: int, days_ahead: int) -> list[NextStep]:
    """The steps, from counts: ``seated`` is how many registered people have a seat on
    ``day``; ``days_ahead`` is :func:`summit.panels.days_to_start`."""
    if registered == 0:
        return []
    if tables == 0:
        return [NextStep(f"{registered} registered, no tables yet", "add tables",
                         "homerooms.tables", "now", 20)]
    if seats < registered:
        return [NextStep(f"Seats for {seats} of {registered}", "add tables",
                         "homerooms.tables", "now", 20)]
    steps = []
    if seated == 0:
        steps.append(NextStep(f"{tables} tables, {seats} seats, nobody seated yet",
                              "assign seats", "homerooms.board", "now", 21))
    elif seated < registered:
        missing = registered - seated
        person = "person has" if missing == 1 else "people have"
        steps.append(NextStep(f"{missing} registered {person} no seat on day {day}",
                              "seat them", "homerooms.board", "now", 21))
    else:
        steps.append(NextStep(f"Everyone registered has a homeroom seat on day {day}",
                              urgency="done", order=21))
    if without_facilitator and days_ahead <= 14:
        table = "table has" if without_facilitator == 1 else "tables have"
        steps.append(NextStep(f"{without_facilitator} {table} no facilitator",
                              "assign facilitators", "homerooms.tables", "soon", 22))
    return steps


def steps(event: Event) -> list[NextStep]:
    if event_over(event):
        return []
    day = event.current_day()
    registered = db.session.scalar(select(func.count(Attendee.id)).where(
        Attendee.event_id == event.id, Attendee.status == "registered")) or 0
    tables, seats, unled = db.session.execute(
        select(func.count(HomeroomTable.id), func.coalesce(func.sum(HomeroomTable.seats), 0),
               func.count(HomeroomTable.id).filter(
                   HomeroomTable.facilitator_user_id.is_(None),
                   HomeroomTable.facilitator_attendee_id.is_(None)))
        .where(HomeroomTable.event_id == event.id)).one()
    seated = db.session.scalar(
        select(func.count(Seat.id)).join(Attendee, Attendee.id == Seat.attendee_id)
        .where(Seat.event_id == event.id, Seat.day == day,
               Attendee.status == "registered")) or 0
    return homeroom_steps(registered=registered, tables=tables, seats=int(seats),
                          seated=seated, day=day, without_facilitator=unled,
                          days_ahead=days_to_start(event))
