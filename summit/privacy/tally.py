"""Check-in statistics that survive erasure.

Stats queries over ``checkins`` must add the anonymous tallies left by erased attendees:

- ``erased_checkin_counts(event)``: ``{list_id: n}`` to add to per-list check-in counts;
- ``erased_entrance_count(event)``: the same for the event's entrance list(s), one number;
- ``erased_checkin_times(event, list_id=None)``: arrival minutes, for arrival histograms;
- ``erased_checkins_by_organization(event, list_id=None)``: ``{organization_id: n}``;
- ``arrivals(event, minutes=15)``: entrance arrivals per bucket, live and erased together.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select

from summit.checkin.models import Checkin, CheckinList
from summit.extensions import db
from summit.privacy.models import ErasedCheckin


def erased_checkin_counts(event) -> dict[int, int]:
    return dict(db.session.execute(
        select(ErasedCheckin.list_id, func.count()).where(ErasedCheckin.event_id == event.id)
        .group_by(ErasedCheckin.list_id)).all())


def _entrance_lists(event):
    return select(CheckinList.id).where(CheckinList.event_id == event.id,
                                        CheckinList.kind == "entrance")


def erased_entrance_count(event) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ErasedCheckin)
        .where(ErasedCheckin.event_id == event.id,
               ErasedCheckin.list_id.in_(_entrance_lists(event)))) or 0


def erased_checkin_times(event, list_id: int | None = None) -> list[datetime]:
    stmt = select(ErasedCheckin.at).where(ErasedCheckin.event_id == event.id)
    if list_id is None:
        stmt = stmt.where(ErasedCheckin.list_id.in_(_entrance_lists(event)))
    else:
        stmt = stmt.where(ErasedCheckin.list_id == list_id)
    return list(db.session.scalars(stmt.order_by(ErasedCheckin.at)))


def erased_checkins_by_organization(event, list_id: int | None = None) -> dict[int | None, int]:
    stmt = select(ErasedCheckin.organization_id, func.count()).where(
        ErasedCheckin.event_id == event.id)
    if list_id is None:
        stmt = stmt.where(ErasedCheckin.list_id.in_(_entrance_lists(event)))
    else:
        stmt = stmt.where(ErasedCheckin.list_id == list_id)
    return dict(db.session.execute(stmt.group_by(ErasedCheckin.organization_id)).all())


def bucket(moment: datetime, minutes: int) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % minutes, second=0,
                          microsecond=0)


def arrivals(event, minutes: int = 15) -> dict[datetime, int]:
    """Entrance check-ins per ``minutes`` bucket (UTC), erased attendees included."""
    live = db.session.scalars(
        select(Checkin.at).where(Checkin.list_id.in_(_entrance_lists(event))))
    counts = Counter(bucket(at, minutes) for at in live)
    counts.update(bucket(at, minutes) for at in erased_checkin_times(event))
    return dict(sorted(counts.items()))
