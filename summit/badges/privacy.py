"""Badges' personal data: desk corrections of the badge text, print records, and the batch PDFs
that carry the attendee's badge (see ``summit.privacy``)."""

from __future__ import annotations

from sqlalchemy import delete, select

from summit.badges.models import BadgeBatch, BadgeOverride, BadgePrint
from summit.extensions import db
from summit.privacy.api import personal_data


@personal_data(order=50, name="badges", title="Badges")
class Badges:
    """Corrections made to the attendee's badge text, when their badge was printed, and the
    stored batch PDFs that include their badge (those files are deleted; the batch record stays
    without them, so it can be printed again)."""

    def export(attendee) -> dict:
        override = db.session.scalar(select(BadgeOverride).where(
            BadgeOverride.attendee_id == attendee.id))
        prints = db.session.scalars(select(BadgePrint).where(
            BadgePrint.attendee_id == attendee.id).order_by(BadgePrint.at))
        return {
            "badge_text_corrections": override.as_dict() if override else None,
            "printed": [{"at": p.at, "stock": p.stock, "source": p.source} for p in prints],
        }

    def erase(attendee) -> None:
        db.session.execute(delete(BadgeOverride).where(BadgeOverride.attendee_id == attendee.id))
        db.session.execute(delete(BadgePrint).where(BadgePrint.attendee_id == attendee.id))
        for batch in db.session.scalars(select(BadgeBatch).where(
                BadgeBatch.event_id == attendee.event_id)):
            if attendee.id in (batch.attendee_ids or []):
                batch.attendee_ids = [i for i in batch.attendee_ids if i != attendee.id]
                batch.pdf = None
                batch.pdf_size = None
