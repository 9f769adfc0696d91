"""Organizer forms: a message to a segment, an announcement."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from summit.forms import WholeNumber
from summit.messages.live import MAX_TEXT
from summit.messages.placeholders import PLACEHOLDERS, unknown_placeholders


def _known_placeholders(form, field):
    unknown = unknown_placeholders(field.data)
    if unknown:
        known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        raise ValidationError(f"{', '.join(unknown)} is not something Summit can fill in: use "
                              f"{known} (write {{{{ or }}}} for a brace).")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MessageForm(FlaskForm):
    subject = StringField("Subject", filters=[_strip],
                          validators=[DataRequired("Please write a subject."), Length(max=200),
                                      _known_placeholders])
    body = TextAreaField("Message", validators=[DataRequired("Please write the message."),
                                                Length(max=20_000), _known_placeholders],
                         description="Plain text. Leave an empty line between paragraphs. "
                                     "Each email starts with “Hello <first name>,” and ends "
                                     "with the attendee's personal link. {first_name}, "
                                     "{last_name} and {organization} are filled in for each "
                                     "person.")
    segment = StringField("Send to", validators=[DataRequired("Choose who gets it.")])
    # The button pressed: "send", or anything else for a preview. Not a HiddenField, which
    # hidden_tag() would write into the page ahead of the buttons.
    action = StringField()


class AnnouncementForm(FlaskForm):
    text = TextAreaField("Announcement", filters=[_strip],
                         validators=[DataRequired("Write the announcement first."),
                                     Length(max=MAX_TEXT)],
                         description=f"Short: at most {MAX_TEXT} characters. "
                                     "It appears within seconds on open pages.")
    link = StringField("Link (optional)", filters=[_strip], validators=[Length(max=500)],
                       description="For example a map or the updated agenda.")
    level = SelectField("Level", choices=[("info", "Info"), ("urgent", "Urgent")],
                        default="info")
    target = StringField("Who sees it", default="everyone")


class RetryForm(FlaskForm):
    message_id = WholeNumber()  # empty: every failed email of the event


class PreferencesForm(FlaskForm):
    """The attendee's mail preference, and RFC 8058's one-click unsubscribe, which a mail
    client posts with no CSRF token: the signed token in the address is the credential
    (the view is exempt from CSRF, and so is this form)."""

    class Meta:
        csrf = False

    optional_mail = StringField()  # "yes": send optional mail
    one_click = HiddenField(name="List-Unsubscribe")

    @property
    def wanted(self) -> bool:
        return self.one_click.data != "One-Click" and self.optional_mail.data == "yes"
