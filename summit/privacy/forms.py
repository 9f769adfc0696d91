"""The organizer's confirmation before erasing someone's data."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf


class EraseForm(FlaskForm):
    confirm = StringField(validators=[AnyOf(("erase",), "Tick the box to confirm the erasure.")])
