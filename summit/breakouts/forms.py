"""The organizer's breakout forms (rooms, time slots, sessions) and the attendee's buttons.

The templates write their own inputs, so the fields carry no labels. The services keep
the rules about lengths and clashes (with their messages); these forms
check what a form can: something typed, a number in range, a time, valid addresses.

The templates write their own inputs (a grid of small inline forms); these classes read and
validate what they post, and ``summit.forms.typed`` gives back what was typed on a refusal.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from summit.breakouts import csv_io
from summit.breakouts.models import MODE_LABELS
from summit.forms import WholeNumber, cut, stripped, typed

MAX_CAPACITY = 10_000


class RoomForm(FlaskForm):
    name = StringField(filters=[stripped],
                       validators=[DataRequired(_l("A room needs a name."))])
    capacity = WholeNumber(validators=[NumberRange(
        1, MAX_CAPACITY, _l("A room needs a capacity from 1 to 10,000."))])
    accessible = BooleanField()


def _time(form, field):
    try:
        field.time = csv_io.parse_time(field.data or "")
    except ValueError:
        field.time = None
        raise ValidationError(_l("Please type a time like 09:00.")) from None


class SlotForm(FlaskForm):
    """Set ``days`` (the event's number of days) before validating."""

    days = 1
    day = WholeNumber()
    starts = StringField(filters=[stripped], validators=[_time])
    ends = StringField(filters=[stripped], validators=[_time])
    label = StringField(filters=[stripped])

    def validate_day(self, field):
        if field.data is None or not 1 <= field.data <= self.days:
            raise ValidationError(_l("Please choose a day of the event."))


class SessionForm(FlaskForm):
    title = StringField(filters=[stripped],
                        validators=[DataRequired(_l("Please give the session a title."))])
    description = TextAreaField(filters=[stripped])
    room_id = WholeNumber(validators=[Optional()])
    slot_id = WholeNumber(validators=[Optional()])
    capacity = WholeNumber(validators=[Optional(), NumberRange(
        1, MAX_CAPACITY, _l("A number from 1 to 10,000, or empty for the room's capacity."))])
    mode = StringField(filters=[stripped])
    tags = StringField(filters=[stripped])
    facilitators = StringField(filters=[stripped])

    def validate_facilitators(self, field):
        try:
            self.facilitator_list = csv_io.parse_facilitators(
                (field.data or "").replace("\n", ";").replace(",", ";"))
        except ValueError as exc:
            raise ValidationError(_l("An email address is not valid: %(reason)s",
                                     reason=exc)) from None

    @property
    def mode_value(self) -> str:
        return self.mode.data if self.mode.data in MODE_LABELS else "signup"

    @property
    def tag_list(self) -> list[str]:
        return csv_io.split_list((self.tags.data or "").replace(",", ";"))

    def editor_values(self) -> dict:
        """The editor's values: text as typed (stripped), ids as numbers."""
        values = {name: text.strip() for name, text in typed(self).items()}
        values.update(room_id=self.room_id.data, slot_id=self.slot_id.data,
                      mode=self.mode_value)
        return values


class MoveForm(FlaskForm):
    """Drag and drop on the grid: an empty or unknown id leaves the session without it."""

    room_id = WholeNumber(validators=[Optional()])
    slot_id = WholeNumber(validators=[Optional()])


class AttendeeActionForm(FlaskForm):
    """Join, leave, waitlist buttons: the tag the list was filtered by, and which page sent
    them (``from=agenda`` answers with the agenda)."""

    tag = HiddenField(filters=[cut(60)])
    page = HiddenField(name="from")

    @property
    def from_agenda(self) -> bool:
        return self.page.data == "agenda"
