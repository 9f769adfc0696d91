"""Form pieces every capability's forms use: email validation and single-line text.

``normalize_email`` is plain Python (the CSV imports use it too); the rest is WTForms.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError


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
