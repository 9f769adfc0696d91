"""The desk's walk-in form (register someone at the door, then print their badge), the batch
form (which badges to print), and the desk's small forms (print, correct, stocks)."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import EmailField, Field, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from summit.database import fits_integer
from summit.forms import ValidEmail, WholeNumber, cut, single_line, stripped
from summit.registration.api import ROLES


class WalkInForm(FlaskForm):
    first_name = StringField("First name", filters=[single_line],
                             validators=[DataRequired("Enter the first name."), Length(max=100)],
                             render_kw={"autocomplete": "off"})
    last_name = StringField("Last name", filters=[single_line],
                            validators=[DataRequired("Enter the last name."), Length(max=100)],
                            render_kw={"autocomplete": "off"})
    email = EmailField("Email", validators=[DataRequired("Enter an email address: the personal "
                                                         "link is sent there."),
                                            Length(max=254), ValidEmail()],
                       render_kw={"autocomplete": "off", "inputmode": "email"})
    organization = StringField("District or organization", filters=[single_line],
                               validators=[DataRequired("Enter the district."), Length(max=200)],
                               render_kw={"list": "known-organizations", "autocomplete": "off"})
    state = StringField("State or province", filters=[single_line],
                        validators=[DataRequired("Enter the state or province."),
                                    Length(max=64)])
    role = SelectField("Role", choices=[("", "Choose a role…")] + [(r, r) for r in ROLES],
                       validators=[DataRequired("Choose a role.")])


MAX_PICKED = 5_000  # more than any summit; a batch that large is made by filter
NOT_IN_LIST = "The people picked are not in the list."


class IdList(Field):
    """Every value of a repeated field (the ticked people), as typed."""

    def process_formdata(self, valuelist):
        self.data = list(valuelist)

    def _value(self):
        return ""


class BatchForm(FlaskForm):
    """Which badges a batch prints. Read from the query string for the preview, so construct
    it with ``formdata=request.args, meta={"csrf": False}`` there."""

    stock = StringField()
    organization_id = WholeNumber(validators=[Optional(), NumberRange(
        min=1, message="Choose a district from the list.")])
    role = StringField(filters=[cut(100)])
    registered_since = StringField(filters=[stripped])
    only_unprinted = StringField()
    attendee_id = IdList(default=())
    picked = HiddenField()  # "1": the organizer ticked people (and must have ticked some)

    def validate_registered_since(self, field):
        self.since = None
        if field.data:
            try:
                self.since = date.fromisoformat(field.data)
            except ValueError:
                raise ValidationError("Enter the date as YYYY-MM-DD.") from None

    def validate_attendee_id(self, field):
        try:
            self.picked_ids = tuple(int(raw) for raw in field.data or ())
        except ValueError:
            raise ValidationError(NOT_IN_LIST) from None
        if len(self.picked_ids) > MAX_PICKED or not all(
                i > 0 and fits_integer(i) for i in self.picked_ids):
            raise ValidationError(NOT_IN_LIST)

    def validate_picked(self, field):
        if field.data == "1" and not getattr(self, "picked_ids", ()):
            raise ValidationError("Tick the people whose badges you want, then print.")

    @property
    def unprinted_only(self) -> bool:
        return self.only_unprinted.data in ("1", "on", "y")


class StocksForm(FlaskForm):
    desk_stock = StringField()  # a stock that is not known is left as it was
    batch_stock = StringField()


class PrintForm(FlaskForm):
    stock = StringField()
    next = HiddenField()  # where to go back to (a path on this site only)


class CorrectForm(FlaskForm):
    """Badge text corrections: only the fields posted change (``posted`` lists them)."""

    first_name = StringField()
    last_name = StringField()
    organization = StringField()
    ribbon = StringField()
    next = HiddenField()

    def posted(self, names) -> dict[str, str]:
        return {name: self[name].data or "" for name in names if self[name].raw_data}
