"""Form pieces every capability's forms use: email validation, single-line text, cutting
long values, and ``posted_or_400`` for forms of hidden fields and buttons.

``normalize_email`` is plain Python (the CSV imports use it too); the rest is WTForms.
Views read what was posted through a form class, never ``request.form`` itself
(tests/architecture/test_forms_only.py keeps it so).
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import abort
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import ValidationError

from summit.database import fits_integer


def normalize_email(raw: str) -> str:
    """Validate and normalize an address (raises ``ValueError`` with a readable reason)."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    return result.normalized.lower()


class ValidEmail:
    """Validate with email-validator and keep the normalized address in ``field.data``."""

    def __call__(self, form, field):
        try:
            field.data = normalize_email(field.data or "")
        except ValueError as exc:
            raise ValidationError(_l("Please enter a valid email address (%(reason)s).",
                                     reason=exc)) from exc


def single_line(value):
    """Filter: collapse runs of white space (line breaks included) to one space."""
    return " ".join(value.split()) if isinstance(value, str) else value


def stripped(value):
    """Filter: no white space at either end."""
    return value.strip() if isinstance(value, str) else value


def cut(length: int, *, strip: bool = True):
    """Filter: strip (unless told not to), then keep at most ``length`` characters (a search
    box or a code read from a scanner is cut, as it always was, rather than refused)."""

    def _cut(value):
        if not isinstance(value, str):
            return value
        return (value.strip() if strip else value)[:length]

    return _cut


def posted_or_400(form_class, **kwargs):
    """Validate a form of hidden fields and buttons, which a page sends and no one types: a
    value that does not fit is a bad request (400), never a half-done action."""
    form = form_class(**kwargs)
    if not form.validate():
        abort(400)
    return form


class WholeNumber(IntegerField):
    """A whole number that the database can store. Anything else leaves ``data`` at None with
    no message of its own, so the field's validators say what is wanted: ``NumberRange``
    with a message for a number someone types, ``Optional`` for an id that may be empty."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            number = int(str(valuelist[0]).strip())
        except ValueError:
            number = None
        self.data = number if number is not None and fits_integer(number) else None


def typed(form) -> dict[str, str]:
    """What was typed in each field, as typed: to show the form again after a refusal."""
    return {name: _raw(field) for name, field in form._fields.items() if name != "csrf_token"}


def _raw(field) -> str:
    raw = getattr(field, "raw_data", None)  # None until the field reads posted data
    return raw[0] if raw and isinstance(raw[0], str) else ""


def first_errors(form) -> dict[str, str]:
    """Each field's first message (``{"title": "Please give the session a title."}``)."""
    return {name: str(errors[0]) for name, errors in form.errors.items() if errors}
