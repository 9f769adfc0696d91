"""What the community pages post, read through Flask-WTF classes (CSRF, types, defaults).

- ``SeriesForm``: the organizer's form that creates a series. The rules of a series (a rule
  that gives dates, a real time zone, a video link or a room) stay in
  ``services.check_series``, where every way in meets them.
- ``SeriesActionForm``, ``MeetingActionForm``, ``MemberActionForm``: the buttons and small
  forms of the series page, a meeting's page and the member's page. Each posts an ``action``
  and the fields that action reads; the services keep the rules (and their messages).
- ``MeetingTimeForm``: a meeting's day and times (adding or moving a meeting).

Fields that name rows of a series (``member``, ``meeting``, ``topic``, ``present``) are
``RowIds``: every value posted under the name, so that the views can refuse a form naming any
row outside the series as a whole (``views._refuse_foreign_rows``). The templates write their
own inputs, so the fields carry no labels. Messages are marked with ``N_`` and translated where
shown (``views._error_text``).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from summit.community.recurrence import N_
from summit.database import fits_integer
from summit.forms import WholeNumber, first_errors, single_line

DATE_WORDS = N_("Please give a date as YYYY-MM-DD.")
TIME_WORDS = N_("Please give times as HH:MM.")


class SeriesForm(FlaskForm):
    title = StringField(filters=[single_line], validators=[
        InputRequired(N_("Please give the series a title.")), Length(max=200)])
    description = TextAreaField(validators=[Length(max=5000)], default="")
    rrule = StringField(filters=[single_line], validators=[
        InputRequired(N_("Please write the repeat rule.")), Length(max=500)])
    first_date = DateField(validators=[InputRequired(DATE_WORDS)], format="%Y-%m-%d")
    timezone = StringField(filters=[single_line], validators=[
        InputRequired(N_("Choose a time zone such as America/Los_Angeles.")), Length(max=64)])
    starts = TimeField(validators=[InputRequired(TIME_WORDS)])
    ends = TimeField(validators=[InputRequired(TIME_WORDS)])
    video_url = StringField(validators=[Length(max=500)], default="")
    room = StringField(filters=[single_line], validators=[Length(max=200)], default="")
    group_size = IntegerField(validators=[Optional(), NumberRange(
        2, 20, N_("Small groups have 2 to 20 people."))], default=5)
    agenda_days_before = IntegerField(validators=[Optional(), NumberRange(0, 30)], default=3)

    # WTForms' own words for a value it cannot read ("Not a valid date value.") are replaced
    # by ours, which say what to write.
    UNREADABLE = {"first_date": DATE_WORDS, "starts": TIME_WORDS, "ends": TIME_WORDS,
                  "group_size": N_("Small groups have 2 to 20 people.")}

    def first_error(self) -> str:
        for name, errors in self.errors.items():
            if errors:
                return self.UNREADABLE.get(name) or str(errors[0])
        return ""


class MeetingTimeForm(FlaskForm):
    """A meeting's day and times, in the series' time zone (adding or moving a meeting)."""

    day = DateField(validators=[InputRequired(DATE_WORDS)], format="%Y-%m-%d",
                    invalid_value_message=DATE_WORDS)
    starts = TimeField(validators=[InputRequired(TIME_WORDS)], format=["%H:%M", "%H:%M:%S"],
                       invalid_value_message=TIME_WORDS)
    ends = TimeField(validators=[InputRequired(TIME_WORDS)], format=["%H:%M", "%H:%M:%S"],
                     invalid_value_message=TIME_WORDS)

    def first_error(self) -> str:
        """The first field's message (day, then the times), untranslated."""
        return next(iter(first_errors(self).values()), "")


class RowIds(WholeNumber):
    """Every value posted under the name, as whole numbers (the topics ticked, the members
    present, or the one meeting, topic or member a button names): ``data`` is the list. A value
    that is not a whole number the database can store makes the form a bad request (400, by
    ``posted_or_400``)."""

    unreadable = False

    def process_data(self, value):
        self.data = list(value or ())

    def process_formdata(self, valuelist):
        self.data, self.unreadable = [], False
        for raw in valuelist:
            text = str(raw).strip()
            number = int(text) if text.isdecimal() else None
            if number is None or not fits_integer(number):
                self.unreadable = True
            else:
                self.data.append(number)

    def pre_validate(self, form):
        if self.unreadable:
            raise ValidationError("Not a whole number.")  # never shown: a bad request

    @property
    def first(self) -> int | None:
        """The first value (a button names one row), or None."""
        return self.data[0] if self.data else None


class SeriesActionForm(FlaskForm):
    """The series page: invite a segment, renew or revoke the invitation link, decide on a
    member (approve, decline, co-lead, member), add a meeting (with ``MeetingTimeForm``),
    reach out to those who drifted away."""

    action = HiddenField(default="")
    segment = StringField(default="")
    member = RowIds()
    decision = StringField(default="")


class MeetingActionForm(FlaskForm):
    """A meeting's page: move it (with ``MeetingTimeForm``), cancel it, publish its agenda with
    the topics chosen, mark attendance, form small groups with a prompt."""

    action = HiddenField(default="")
    agenda = TextAreaField(default="")
    topic = RowIds()
    present = RowIds()
    prompt = StringField(default="")


class MemberActionForm(FlaskForm):
    """The member's page: accept, leave, show my name, submit a topic, vote, RSVP, "I am
    here", a progress note."""

    action = HiddenField(default="")
    show = StringField(default="")  # "1": show my name to my group
    kind = StringField(default="topic")
    title = StringField(default="")
    body = TextAreaField(default="")
    topic = RowIds()
    vote = HiddenField(default="1")  # "0": take the vote back
    meeting = RowIds()
    answer = StringField(default="")
    item = StringField(default="")
    status = StringField(default="")
    note = StringField(default="")
