"""Check-in's personal data: when and where each attendee checked in (found by
``summit.privacy``'s discovery of ``summit/<capability>/privacy.py``)."""

from __future__ import annotations

from sqlalchemy import delete, select

from summit.checkin.models import Checkin, CheckinList
from summit.extensions import db
from summit.privacy.api import ErasedCheckin, personal_data


@personal_data(order=900, name="checkins", title="Check-ins")
class Checkins:
    """Check-ins at the entrance and at sessions. The count stays in the statistics as an
    anonymous tally (list, minute of arrival, district), with no link to the person."""

    def export(attendee) -> dict:
        rows = db.session.execute(
            select(Checkin, CheckinList).join(CheckinList, Checkin.list_id == CheckinList.id)
            .where(Checkin.attendee_id == attendee.id).order_by(Checkin.at)).all()
        return {"checkins": [{"list": lst.name, "kind": lst.kind, "at": c.at,
                              "source": c.source} for c, lst in rows]}

    def erase(attendee) -> None:
        rows = db.session.execute(
            select(Checkin, CheckinList.event_id)
            .join(CheckinList, Checkin.list_id == CheckinList.id)
            .where(Checkin.attendee_id == attendee.id)).all()
        for checkin, event_id in rows:
            db.session.add(ErasedCheckin(
                event_id=event_id, list_id=checkin.list_id,
                at=checkin.at.replace(second=0, microsecond=0),
                organization_id=attendee.organization_id, source=checkin.source))
        db.session.execute(delete(Checkin).where(Checkin.attendee_id == attendee.id)
                           .execution_options(synchronize_session=False))
