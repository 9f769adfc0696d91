"""The organizer's form that creates a series (Flask-WTF: CSRF and types). The rules of a
series (a rule that gives dates, a real time zone, a video link or a room) stay in
``services.check_series``, where every way in meets them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from summit.community.recurrence import N_
from summit.forms import single_line


class SeriesForm(FlaskForm):
    title = StringField(filters=[single_line], validators=[
        InputRequired(N_("Please give the series a title.")), Length(max=200)])
    description = TextAreaField(validators=[Length(max=5000)], default="")
    rrule = StringField(filters=[single_line], validators=[
        InputRequired(N_("Please write the repeat rule.")), Length(max=500)])
    first_date = DateField(validators=[InputRequired(N_("Please give a date as YYYY-MM-DD."))],
                           format="%Y-%m-%d")
    timezone = StringField(filters=[single_line], validators=[
        InputRequired(N_("Choose a time zone such as America/Los_Angeles.")), Length(max=64)])
    starts = TimeField(validators=[InputRequired(N_("Please give times as HH:MM."))])
    ends = TimeField(validators=[InputRequired(N_("Please give times as HH:MM."))])
    video_url = StringField(validators=[Length(max=500)], default="")
    room = StringField(filters=[single_line], validators=[Length(max=200)], default="")
    group_size = IntegerField(validators=[Optional(), NumberRange(
        2, 20, N_("Small groups have 2 to 20 people."))], default=5)
    agenda_days_before = IntegerField(validators=[Optional(), NumberRange(0, 30)], default=3)

    # WTForms' own words for a value it cannot read ("Not a valid date value.") are replaced
    # by ours, which say what to write.
    UNREADABLE = {"first_date": N_("Please give a date as YYYY-MM-DD."),
                  "starts": N_("Please give times as HH:MM."),
                  "ends": N_("Please give times as HH:MM."),
                  "group_size": N_("Small groups have 2 to 20 people.")}

    def first_error(self) -> str:
        for name, errors in self.errors.items():
            if errors:
                return self.UNREADABLE.get(name) or str(errors[0])
        return ""
