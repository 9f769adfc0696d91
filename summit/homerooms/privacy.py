"""Homerooms' personal data: table seats for every day, the accessible-table flag, being a
table's facilitator and keep-together / keep-apart rules naming the attendee."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from summit.extensions import db
from summit.homerooms.models import AccessibilityNeed, HomeroomRules, HomeroomTable, Seat
from summit.privacy.api import personal_data
from summit.registration.api import Attendee


@personal_data(order=20, name="homerooms", title="Homeroom tables")
class Homerooms:
    """The attendee's table for each day, whether they need an accessible table, the table they
    facilitate, and the seating rules that name their email (they are removed from them)."""

    def export(attendee) -> dict:
        seats = db.session.execute(
            select(Seat.day, HomeroomTable.number, HomeroomTable.location)
            .join(HomeroomTable, HomeroomTable.id == Seat.table_id)
            .where(Seat.attendee_id == attendee.id).order_by(Seat.day)).all()
        need = db.session.scalar(select(AccessibilityNeed).where(
            AccessibilityNeed.attendee_id == attendee.id))
        return {
            "tables": [{"day": d, "table": n, "location": loc} for d, n, loc in seats],
            "needs_accessible_table": need.needs_accessible_table if need else None,
            "facilitates_tables": list(db.session.scalars(select(HomeroomTable.number).where(
                HomeroomTable.facilitator_attendee_id == attendee.id))),
        }

    def erase(attendee) -> None:
        db.session.execute(delete(Seat).where(Seat.attendee_id == attendee.id))
        db.session.execute(delete(AccessibilityNeed)
                           .where(AccessibilityNeed.attendee_id == attendee.id))
        db.session.execute(update(HomeroomTable)
                           .where(HomeroomTable.facilitator_attendee_id == attendee.id)
                           .values(facilitator_attendee_id=None))
        email = attendee.email.lower()
        if db.session.scalar(select(Attendee.id).where(
                Attendee.event_id == attendee.event_id, Attendee.id != attendee.id,
                func.lower(Attendee.email) == email, Attendee.status != "cancelled")):
            return  # the address registered again since: the rules are about that person now
        for rules in db.session.scalars(select(HomeroomRules).where(
                HomeroomRules.event_id == attendee.event_id)):
            rules.keep_together = [[e for e in group if e.lower() != email]
                                   for group in rules.keep_together or []]
            rules.keep_together = [g for g in rules.keep_together if len(g) >= 2]
            rules.keep_apart = [pair for pair in rules.keep_apart or []
                                if email not in (p.lower() for p in pair)]
