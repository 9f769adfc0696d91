"""What attendees and organizers post on the learning-credit pages: an attendee's correction
request, and the organizer's page (settings, a block's credit, an activities import,
corrections, answers to requests, a revocation).

The rules (ranges, lengths, known activities) stay in ``services`` and ``rules``, which
raise ``CreditError`` with a readable message; these forms read the posted values, with their
defaults. The templates write their own inputs, so the fields carry no labels.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField

from summit.forms import WholeNumber, cut

KEY_LENGTH = 16  # an activity's key ("b12", "s40"): longer is no key


class CorrectionRequestForm(FlaskForm):
    """An attendee's *I was there: ask for a correction* for one activity of their ledger."""

    activity = HiddenField(filters=[cut(KEY_LENGTH, strip=False)])
    message = TextAreaField(default="")


class CreditActionForm(FlaskForm):
    """Which of the organizer page's forms was sent, and the rows it names. Each row sent is
    checked against the page's event before any action (``views._named_rows``), whatever the
    action: a post naming another event's row is refused as a whole."""

    action = HiddenField(default="")
    attendee_id = WholeNumber()  # grant, remove
    request_id = WholeNumber()  # answer_grant, answer_decline
    certificate_id = WholeNumber()  # revoke
    block_id = WholeNumber()  # block


class CreditSettingsForm(FlaskForm):
    credit_name = StringField(filters=[cut(200, strip=False)])
    provider_name = StringField(filters=[cut(200, strip=False)])
    activity_number = StringField(filters=[cut(200, strip=False)])
    signer_name = StringField(filters=[cut(200, strip=False)])
    signer_title = StringField(filters=[cut(200, strip=False)])
    arrival_window = WholeNumber()  # minutes after the start
    exit_min_share = WholeNumber()  # per cent
    retention_years = WholeNumber()
    rounding = StringField(default="")
    exit_scan = HiddenField()  # a checkbox: "1" when ticked
    feedback_required = HiddenField()  # a checkbox: "1" when ticked
    signature = FileField()  # an image, optional

    @property
    def values(self) -> dict:
        """What ``services.save_settings`` takes."""
        return {
            **{name: self[name].data or "" for name in (
                "credit_name", "provider_name", "activity_number", "signer_name",
                "signer_title")},
            "arrival_window": self.arrival_window.data,
            "exit_min_share": self.exit_min_share.data,
            "retention_years": self.retention_years.data,
            "rounding": self.rounding.data or "",
            "exit_scan": self.exit_scan.data == "1",
            "feedback_required": self.feedback_required.data == "1",
        }


class BlockCreditForm(FlaskForm):
    """One plenary block's credit (the block itself is ``CreditActionForm.block_id``)."""

    credit_minutes = WholeNumber()
    evidence = StringField(default="")


class ImportActivitiesForm(FlaskForm):
    file = FileField()  # CSV: title,day,start,end,credit_minutes,evidence,room


class CorrectionForm(FlaskForm):
    """Grant or remove one activity for one person (``CreditActionForm.attendee_id``)."""

    activity = StringField(filters=[cut(KEY_LENGTH, strip=False)])
    reason = StringField(default="")


class AnswerRequestForm(FlaskForm):
    """Grant or decline a correction request (``CreditActionForm.request_id``)."""

    answer = StringField(default="")


class RevokeForm(FlaskForm):
    """Revoke a certificate (``CreditActionForm.certificate_id``)."""

    reason = StringField(default="")
