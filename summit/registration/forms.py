"""The public registration form and the "send my link again" form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length

from summit.forms import ValidEmail, cut, single_line
from summit.personal_fields import FIELDS, SHARE_WITH_TABLEMATES
from summit.registration.models import ROLES

STATES_AND_PROVINCES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON",
    "PE", "QC", "SK", "YT",
)


class RegistrationForm(FlaskForm):
    first_name = StringField(_l("First name"), filters=[single_line],
                             validators=[DataRequired(_l("Please enter your first name.")),
                                         Length(max=100)],
                             render_kw={"autocomplete": "given-name"})
    last_name = StringField(_l("Last name"), filters=[single_line],
                            validators=[DataRequired(_l("Please enter your last name.")),
                                        Length(max=100)],
                            render_kw={"autocomplete": "family-name"})
    email = EmailField(_l("Email"),
                       validators=[DataRequired(_l("Please enter your email address.")),
                                   Length(max=254), ValidEmail()],
                       render_kw={"autocomplete": "email", "inputmode": "email"})
    organization = StringField(_l("District or organization"), filters=[single_line],
                               validators=[DataRequired(_l("Please enter your district.")),
                                           Length(max=200)],
                               render_kw={"autocomplete": "organization",
                                          "list": "known-organizations"})
    state = StringField(_l("State or province"), filters=[single_line],
                        validators=[DataRequired(_l("Please enter your state or province.")),
                                    Length(max=64)],
                        render_kw={"list": "states-provinces", "autocomplete": "address-level1"})
    role = SelectField(_l("Role"),
                       choices=[("", _l("Choose your role…"))] + [(r, _l(r)) for r in ROLES],
                       validators=[DataRequired(_l("Please choose your role."))])
    # Who sees what is declared in summit/personal_fields.py; the form shows its promises.
    dietary = TextAreaField(_l("Dietary needs"), validators=[Length(max=1000)],
                            description=_l(FIELDS["dietary"].form_note))
    accessibility = TextAreaField(_l("Accessibility needs"), validators=[Length(max=1000)],
                                  description=_l(FIELDS["accessibility"].form_note))
    share_contact = BooleanField(_l(SHARE_WITH_TABLEMATES))


class ResendLinkForm(FlaskForm):
    email = EmailField(_l("Email"),
                       validators=[DataRequired(_l("Please enter your email address.")),
                                   Length(max=254), ValidEmail()],
                       render_kw={"autocomplete": "email", "inputmode": "email"})


class DecisionForm(FlaskForm):
    """Approve or decline a request to join a team (buttons: see ``posted_or_400``)."""

    decision = HiddenField(validators=[AnyOf(("approve", "decline"))])
    back = HiddenField()  # "districts": go back to the list of districts

    @property
    def approve(self) -> bool:
        return self.decision.data == "approve"


class DomainForm(FlaskForm):
    """An organizer confirms an address domain that proves membership of a district."""

    domain = StringField(filters=[cut(300)],
                         validators=[DataRequired(_l("Please type an address domain, for "
                                                     "example knoxschools.org."))])
