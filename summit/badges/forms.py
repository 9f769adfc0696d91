"""The desk's walk-in form (register someone at the door, then print their badge)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from summit.forms import ValidEmail, single_line
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
