"""Homerooms' part of a check-in answer: the attendee's table today ("Table 12 (Hall B)").

Check-in does not import homerooms. At start-up ``install()`` hands check-in a ``ScanDetail``
that outer-joins the seat and its table into check-in's one SELECT, so the volunteer at the
door (and the kiosk, and a scanner app) can send the person to their table at no extra query.
"""

from __future__ import annotations

from sqlalchemy import bindparam

from summit.checkin.api import ScanDetail, add_scan_detail
from summit.homerooms.models import HomeroomTable, Seat, table_full_label


def _join(joined, attendees):
    seats, tables = Seat.__table__, HomeroomTable.__table__
    joined = (joined
              .outerjoin(seats, (seats.c.attendee_id == attendees.c.id)
                         & (seats.c.day == bindparam("day"))
                         & (seats.c.event_id == attendees.c.event_id))
              .outerjoin(tables, tables.c.id == seats.c.table_id))
    return joined, (tables.c.number, tables.c.name, tables.c.location)


def _label(number, name, location) -> str | None:
    return table_full_label(number, name, location) if number is not None else None


HOMEROOM = ScanDetail("homeroom", _join, _label)


def install() -> None:
    add_scan_detail(HOMEROOM)
