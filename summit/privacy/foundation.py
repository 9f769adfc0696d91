"""The personal data every event has: the registration, the request to join a district team,
and the audit history (check-ins are check-in's: ``summit/checkin/privacy.py``). Privacy sits
above registration in the layers, so registration's providers live here.

Staff sign-ins are not attendee data (attendees have no password), and the district an
attendee belongs to is shared by a delegation, so only its name is exported.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from summit.audit import AuditLog
from summit.extensions import db
from summit.privacy.registry import personal_data
from summit.registration.api import Attendee, JoinRequest


@personal_data(order=950, name="history", title="Change history")
class History:
    """The audit log entries about this registration: the old and new values and the link to
    the person are removed; what happened and when stays (for example “attendee.updated”)."""

    def export(attendee) -> dict:
        entries = db.session.scalars(
            select(AuditLog).where(AuditLog.target_type == "attendee",
                                   AuditLog.target_id == attendee.id)
            .order_by(AuditLog.at, AuditLog.id))
        return {"entries": [{
            "at": e.at, "action": e.action,
            # Staff accounts are other people's data: say who acted, not which account.
            "by": "staff" if e.actor_user_id or "@" in (e.actor_label or "")
            else (e.actor_label or "system"),
            "before": e.before, "after": e.after} for e in entries]}

    def erase(attendee) -> None:
        db.session.execute(
            update(AuditLog).where(AuditLog.target_type == "attendee",
                                   AuditLog.target_id == attendee.id)
            .values(before=None, after=None, target_id=None)
            .execution_options(synchronize_session=False))


@personal_data(order=1000, name="registration", title="Registration")
class Registration:
    """Name, email, district, role, dietary and accessibility notes, contact sharing choice,
    status, personal link and check-in code. The district itself stays (it is shared)."""

    def export(attendee) -> dict:
        return {
            "first_name": attendee.first_name, "last_name": attendee.last_name,
            "email": attendee.email, "organization": attendee.organization_name,
            "state": attendee.state, "role": attendee.role, "dietary": attendee.dietary,
            "accessibility": attendee.accessibility,
            "share_contact_with_tablemates": attendee.share_contact,
            "status": attendee.status, "waitlist_position": attendee.waitlist_position,
            "source": attendee.source, "registered_at": attendee.registered_at,
            "cancelled_at": attendee.cancelled_at, "updated_at": attendee.updated_at,
            "email_confirmed_at": attendee.email_confirmed_at,
            "note": "Your personal link and check-in code are not included: they are keys, "
                    "not information about you. Open My summit to see them.",
        }

    def erase(attendee) -> None:
        db.session.execute(delete(Attendee).where(Attendee.id == attendee.id)
                           .execution_options(synchronize_session=False))


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
