"""Messages' personal data: every email sent to the attendee (and its .eml file in the outbox),
their mail preferences and dismissed announcements (see ``summit.privacy``)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select

from summit.extensions import db
from summit.messages.models import AnnouncementDismissal, MailPreference, MessageRecipient
from summit.privacy.api import personal_data


@personal_data(order=60, name="messages", title="Emails")
class Messages:
    """Every email sent or queued to the attendee (subject, text, delivery status) and its copy
    in the outbox folder, their choice about optional mail, and the announcements they
    dismissed."""

    def export(attendee) -> dict:
        mails = db.session.scalars(select(MessageRecipient).where(
            MessageRecipient.attendee_id == attendee.id).order_by(MessageRecipient.created_at))
        preference = db.session.get(MailPreference, attendee.id)
        return {
            "emails": [{"subject": m.subject, "to": m.to_address, "status": m.status,
                        "created_at": m.created_at, "sent_at": m.sent_at,
                        "text": m.body_text} for m in mails],
            "optional_mail": preference.optional_mail if preference else True,
            "dismissed_announcements": list(db.session.scalars(
                select(AnnouncementDismissal.announcement_id)
                .where(AnnouncementDismissal.attendee_id == attendee.id))),
        }

    def erase(attendee) -> None:
        outbox = Path(current_app.config["OUTBOX_DIR"]).resolve()
        for name in db.session.scalars(select(MessageRecipient.outbox_file).where(
                MessageRecipient.attendee_id == attendee.id,
                MessageRecipient.outbox_file.is_not(None))):
            path = (outbox / Path(name).name).resolve()
            if path.parent == outbox and path.is_file():
                path.unlink()
        for model in (MessageRecipient, AnnouncementDismissal, MailPreference):
            db.session.execute(delete(model).where(model.attendee_id == attendee.id))
