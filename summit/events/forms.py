"""The organizer's event form."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
COMMON_TIMEZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Halifax",
    "America/St_Johns", "America/Toronto", "America/Winnipeg", "America/Regina",
    "America/Edmonton", "America/Vancouver", "UTC",
)


def validate_slug(form, field):
    if not SLUG_RE.match(field.data or ""):
        raise ValidationError("Use lower-case letters, digits and dashes, like nashville-2027.")


def validate_timezone(form, field):
    if field.data not in available_timezones():
        raise ValidationError("Choose a time zone such as America/Chicago.")


class EventForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    slug = StringField("Web address", validators=[DataRequired(), Length(max=64), validate_slug],
                       description="Lower-case letters, digits and dashes: /e/<this>/register")
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    timezone = StringField("Time zone", default="America/Chicago",
                           validators=[DataRequired(), validate_timezone],
                           render_kw={"list": "timezones"})
    start_date = DateField("First day", validators=[DataRequired("Enter the first day.")])
    days = IntegerField("Number of days", default=1,
                        validators=[DataRequired(), NumberRange(min=1, max=14)])
    capacity = IntegerField("Registration capacity", validators=[Optional(), NumberRange(min=1,
                            max=100_000)], description="Leave empty for no limit.")
    registration_opens_at = DateTimeLocalField("Registration opens", format="%Y-%m-%dT%H:%M",
                                               validators=[Optional()],
                                               description="In the event's time zone.")
    registration_closes_at = DateTimeLocalField("Registration closes", format="%Y-%m-%dT%H:%M",
                                                validators=[Optional()])
    retention_days = IntegerField("Keep personal data for (days after the event)", default=365,
                                  validators=[DataRequired(), NumberRange(min=1, max=3650)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])

    def validate_registration_closes_at(self, field):
        opens = self.registration_opens_at.data
        if field.data and opens and field.data <= opens:
            raise ValidationError("Registration must close after it opens.")
