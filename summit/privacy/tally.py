"""Check-in statistics that survive erasure: the anonymous tallies left by erased attendees.

Stats over check-ins must add these (``summit.checkin`` does, in its live counts and arrival
curve). Privacy knows nothing of check-in lists: callers say which lists they count
(``list_ids``: ids, or a SELECT of them, e.g. ``checkin.api.entrance_list_ids(event_id)``).

- ``erased_checkin_counts(event)``: ``{list_id: n}`` to add to per-list check-in counts;
- ``erased_count(event, list_ids)``: the same for some lists, one number;
- ``erased_checkin_times(event, list_ids)``: arrival minutes, for arrival histograms;
- ``erased_checkins_by_organization(event, list_ids)``: ``{organization_id: n}``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from summit.extensions import db
from summit.privacy.models import ErasedCheckin


def erased_checkin_counts(event) -> dict[int, int]:
    return dict(db.session.execute(
        select(ErasedCheckin.list_id, func.count()).where(ErasedCheckin.event_id == event.id)
        .group_by(ErasedCheckin.list_id)).all())


def erased_count(event, list_ids) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ErasedCheckin)
        .where(ErasedCheckin.event_id == event.id, ErasedCheckin.list_id.in_(list_ids))) or 0


def erased_checkin_times(event, list_ids) -> list[datetime]:
    return list(db.session.scalars(
        select(ErasedCheckin.at).where(ErasedCheckin.event_id == event.id,
                                       ErasedCheckin.list_id.in_(list_ids))
        .order_by(ErasedCheckin.at)))


def erased_checkins_by_organization(event, list_ids) -> dict[int | None, int]:
    return dict(db.session.execute(
        select(ErasedCheckin.organization_id, func.count())
        .where(ErasedCheckin.event_id == event.id, ErasedCheckin.list_id.in_(list_ids))
        .group_by(ErasedCheckin.organization_id)).all())
