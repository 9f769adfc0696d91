"""Breakouts' personal data: sign-ups and waitlist places, change notices, the private calendar
feed and facilitator entries (see ``summit.privacy``)."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from summit.breakouts.models import (
    BreakoutSession,
    CalendarKey,
    Enrollment,
    SessionChangeNotice,
    SessionFacilitator,
)
from summit.extensions import db
from summit.privacy.api import personal_data


@personal_data(order=30, name="breakouts", title="Breakout sessions")
class Breakouts:
    """The sessions the attendee signed up for or waits for (their seats go to the next person
    waiting), the change notices shown to them, their private calendar feed, and their name as a
    facilitator (the session stays, without it)."""

    def export(attendee) -> dict:
        rows = db.session.execute(
            select(Enrollment, BreakoutSession.title).join(BreakoutSession)
            .where(Enrollment.attendee_id == attendee.id).order_by(Enrollment.created_at)).all()
        notices = db.session.scalars(select(SessionChangeNotice).where(
            SessionChangeNotice.attendee_id == attendee.id))
        return {
            "sessions": [{"title": title, "status": e.status,
                          "waitlist_position": e.waitlist_position,
                          "signed_up_at": e.created_at} for e, title in rows],
            "notices": [{"message": n.message, "at": n.created_at} for n in notices],
            "facilitates": list(db.session.scalars(
                select(BreakoutSession.title).join(SessionFacilitator)
                .where(SessionFacilitator.attendee_id == attendee.id))),
        }

    def erase(attendee) -> None:
        from summit.breakouts.services import release_all_for

        release_all_for(attendee)  # promotes the next people waiting
        db.session.flush()
        for model in (Enrollment, SessionChangeNotice, CalendarKey):
            db.session.execute(delete(model).where(model.attendee_id == attendee.id))
        db.session.execute(update(SessionFacilitator)
                           .where(SessionFacilitator.attendee_id == attendee.id)
                           .values(attendee_id=None, email="", name="(erased)"))
