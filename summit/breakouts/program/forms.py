"""The organizer's forms: a plenary block, and the websites that may embed the program."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from summit.breakouts.program import rules
from summit.forms import single_line


def _optional_int(value):
    """A select's value: ``None`` for the empty choice, else an int (``ValueError`` if not)."""
    if value in (None, "", "None"):
        return None
    return int(value)


class BlockForm(FlaskForm):
    title = StringField("Title", filters=[single_line],
                        validators=[InputRequired("Give the block a title, like “Opening "
                                                  "keynote”."),
                                    Length(max=rules.TITLE_MAX, message=f"A title can have at "
                                           f"most {rules.TITLE_MAX} characters.")])
    kind = SelectField("Kind", choices=[SelectChoice(k, label) for k, label in rules.KINDS.items()],
                       default="plenary",
                       invalid_choice_message="Choose what kind of block this is.")
    day = SelectField("Day", coerce=_optional_int,
                      invalid_choice_message="Choose one of the event's days.",
                      invalid_value_message="Choose one of the event's days.")
    starts = TimeField("Starts", validators=[InputRequired("Enter a start time like 09:00.")])
    ends = TimeField("Ends", validators=[InputRequired("Enter an end time like 10:00.")])
    room_id = SelectField("Room", coerce=_optional_int,
                          invalid_choice_message="Choose one of this event's rooms, or no room.",
                          invalid_value_message="Choose one of this event's rooms, or no room.",
                          description="Rooms are set up on the Breakouts page.")
    description = TextAreaField("Description", validators=[
        Optional(), Length(max=rules.DESCRIPTION_MAX, message=f"A description can have at most "
                                                              f"{rules.DESCRIPTION_MAX:,} "
                                                              "characters.")],
                                description="Shown on the public program.")

    def __init__(self, event, rooms, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.day.choices = [SelectChoice(n, f"Day {n} · {d:%a %b %-d}")
                            for n, d in enumerate(event.day_dates(), start=1)]
        self.room_id.choices = ([SelectChoice("", "No room")]
                                + [SelectChoice(r.id, r.name) for r in rooms])


class EmbedForm(FlaskForm):
    origins = TextAreaField(
        "Websites that may show the program",
        validators=[Optional(), Length(max=5000, message="Keep the list under 5,000 "
                                                         "characters.")],
        description="One address per line, like https://www.district.org. Only these "
                    "websites (and this one) can show the program in a frame.")
