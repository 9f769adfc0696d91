"""Organizer forms: editing an attendee, importing a spreadsheet, giving staff a role."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from summit.auth.models import STAFF_ROLE_LABELS, STAFF_ROLES
from summit.forms import ValidEmail, cut, single_line


class AttendeeForm(FlaskForm):
    first_name = StringField("First name", filters=[single_line],
                             validators=[DataRequired(), Length(max=100)])
    last_name = StringField("Last name", filters=[single_line],
                            validators=[DataRequired(), Length(max=100)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), ValidEmail()])
    organization = StringField("District or organization", filters=[single_line],
                               validators=[DataRequired(), Length(max=200)])
    state = StringField("State or province", filters=[single_line],
                        validators=[DataRequired(), Length(max=64)])
    role = StringField("Role", filters=[single_line], validators=[Length(max=100)])
    dietary = TextAreaField("Dietary needs", validators=[Length(max=1000)])
    accessibility = TextAreaField("Accessibility needs", validators=[Length(max=1000)])
    share_contact = BooleanField("Shares contact details with tablemates")


class ImportForm(FlaskForm):
    file = FileField("Spreadsheet (CSV)", validators=[FileRequired("Choose a CSV file.")])


class StaffRoleForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), ValidEmail()])
    name = StringField("Name", filters=[single_line], validators=[Length(max=200)])
    role = SelectField("Role", choices=[(r, STAFF_ROLE_LABELS[r]) for r in STAFF_ROLES])


class AttendeeSearchForm(FlaskForm):
    """The attendee search, posted so the names and emails typed never land in an address.
    Nothing in it is refused: long text is cut, an unknown status or page is ignored
    (``AttendeeFilters.from_args`` reads ``data`` as it reads the query string)."""

    q = StringField("Search", filters=[cut(100)])
    organization = StringField("District", filters=[cut(200)])
    state = StringField("State", filters=[cut(64)])
    role = StringField("Role", filters=[cut(100)])
    status = StringField("Status", filters=[cut(20)])
    checked_in = StringField("Checked in", filters=[cut(3)])
    page = IntegerField("Page", default=1, validators=[Optional()])  # from_args clamps it

    @property
    def filters_data(self) -> dict:
        data = {k: v for k, v in self.data.items() if k != "csrf_token"}
        if self.page.errors or not data["page"]:
            data["page"] = 1
        return data
