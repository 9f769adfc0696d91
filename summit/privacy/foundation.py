"""The foundation's personal data: the registration, check-ins and the audit history.

Staff sign-ins are not attendee data (attendees have no password), and the district an
attendee belongs to is shared by a delegation, so only its name is exported.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update

from summit.audit import AuditLog
from summit.checkin.models import Checkin, CheckinList
from summit.extensions import db
from summit.privacy.models import ErasedCheckin
from summit.privacy.registry import personal_data


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
        from summit.registration.api import Attendee

        db.session.execute(delete(Attendee).where(Attendee.id == attendee.id)
                           .execution_options(synchronize_session=False))
