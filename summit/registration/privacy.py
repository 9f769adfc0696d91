"""Registration's personal data beyond the registration itself (``summit.privacy.foundation``
exports that): the request to join a district team and the decisions taken on colleagues'
requests (see ``summit.privacy``)."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from summit.extensions import db
from summit.privacy import personal_data
from summit.registration.models import JoinRequest


@personal_data(order=45, name="district_team", title="District team")
class DistrictTeam:
    """The attendee's request to join their district's team and the decision on it, and how
    many colleagues' requests they decided (those decisions stay, without their name)."""

    def export(attendee) -> dict:
        request = db.session.scalar(select(JoinRequest).where(
            JoinRequest.attendee_id == attendee.id))
        return {
            "request": None if request is None else {
                "district": request.organization.name, "status": request.status,
                "requested_at": request.requested_at, "decided_at": request.decided_at,
                "decided_by": "organizer" if request.decided_by_staff
                else "team member" if request.decided_at else ""},
            "requests_i_decided": db.session.scalar(
                select(func.count()).select_from(JoinRequest)
                .where(JoinRequest.decided_by_attendee_id == attendee.id)) or 0,
        }

    def erase(attendee) -> None:
        sync = {"synchronize_session": False}
        db.session.execute(delete(JoinRequest).where(JoinRequest.attendee_id == attendee.id)
                           .execution_options(**sync))
        db.session.execute(update(JoinRequest)
                           .where(JoinRequest.decided_by_attendee_id == attendee.id)
                           .values(decided_by_attendee_id=None).execution_options(**sync))
