"""Homeroom forms: the tables, and the seating board's buttons and small forms.

The board's buttons post hidden fields that the page writes (a day, an attendee id, a table
id); they go through ``summit.forms.posted_or_400``: a value that does not fit is a bad
request and nothing is saved.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from summit.forms import WholeNumber, stripped

from . import services

# NumberRange() with no bounds refuses only a missing or unreadable number.
A_NUMBER = NumberRange()


class BulkTablesForm(FlaskForm):
    count = IntegerField("How many tables", default=10,
                         validators=[DataRequired(), NumberRange(1, services.MAX_TABLES)])
    seats = IntegerField("Seats per table", default=8,
                         validators=[DataRequired(), NumberRange(2, services.MAX_SEATS)])
    location = StringField("Location (optional)", validators=[Length(max=200)],
                           description="For example Hall B. Shown to attendees with the table.")
    accessible_every = IntegerField(
        "Wheelchair-accessible", default=0,
        validators=[Optional(), NumberRange(0, 100)],
        description="Every n-th table: 0 for none, 1 for all, 5 for tables 1, 6, 11, …")


class TableForm(FlaskForm):
    number = IntegerField("Number", validators=[DataRequired(), NumberRange(1, 100_000)])
    name = StringField("Name (optional)", validators=[Length(max=100)],
                       description="Shown instead of “Table 12”, for example “Blue table”.")
    seats = IntegerField("Seats", validators=[DataRequired(), NumberRange(2, services.MAX_SEATS)])
    location = StringField("Location", validators=[Length(max=200)])
    accessible = BooleanField("Wheelchair-accessible (step-free, space for a wheelchair)")
    facilitator_user_id = SelectField("Facilitator (staff)", coerce=str)
    facilitator_email = StringField(
        "Facilitator (an attendee's email)", validators=[Length(max=254)],
        description="An attendee who leads this table sits at it every day.")


class DayForm(FlaskForm):
    """A day of the event (1 when none is sent); construct with ``days=event.days``."""

    day = WholeNumber(default=1)

    def __init__(self, *args, days: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.days = max(days, 1)

    def validate_day(self, field):
        if field.data is None or not 1 <= field.data <= self.days:
            raise ValidationError("Not a day of this event.")


class SeatForm(DayForm):
    attendee_id = WholeNumber(validators=[A_NUMBER])


class MoveForm(SeatForm):
    table_id = WholeNumber(validators=[Optional(), A_NUMBER])  # empty: unseat


class RulesForm(DayForm):
    keep_together = StringField("Keep together")
    keep_apart = StringField("Keep apart")


class PromptForm(DayForm):
    prompt = StringField("Prompt", validators=[Length(max=2000)])


class AccessibilityForm(DayForm):
    """Find the person by email (typed) or by id (a button on their row)."""

    email = StringField("Email", filters=[stripped, lambda v: v.lower() if v else v])
    attendee_id = WholeNumber(validators=[Optional(), A_NUMBER])
    needs = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        # Here, not in validate_attendee_id: Optional() ends that field's checks when empty.
        if not super().validate(extra_validators):
            return False
        if not self.email.data and self.attendee_id.data is None:
            self.attendee_id.errors.append("An email or an attendee is needed.")
            return False
        return True


class AssignForm(FlaskForm):
    only_day = WholeNumber(validators=[Optional(), A_NUMBER])
    seed = WholeNumber(validators=[Optional(), A_NUMBER])


class RebalanceForm(FlaskForm):
    from_day = WholeNumber(validators=[Optional(), A_NUMBER])
    no_shows = BooleanField()
