"""What phones and moderators post in a live room: a question, a poll answer, the room's
moderation setting, a moderator's button on a question or a poll, and a new poll.

The rules (lengths, kinds, which answers a poll takes) stay in ``rules`` and ``services``,
which raise a readable ``LiveError``; these forms read the posted values, with their
defaults. The templates write their own inputs (static/js/live.js posts the same names
from its offline queue), so the fields carry no labels.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, IntegerField, StringField, TextAreaField

from summit.database import fits_integer
from summit.forms import WholeNumber


class WholeNumbers(IntegerField):
    """Every value of a repeated field of ids (the ticked answers of a poll): each a whole
    number the database can store, or None for one that is not (the rules refuse it with
    their own message)."""

    def process_data(self, value):
        self.data = list(value or ())

    def process_formdata(self, valuelist):
        self.data = [_whole(raw) for raw in valuelist]

    def _value(self):
        return ""


def _whole(raw) -> int | None:
    try:
        number = int(str(raw).strip())
    except ValueError:
        return None
    return number if fits_integer(number) else None


class AskForm(FlaskForm):
    """A question: its text, whether it is anonymous ("1") and the name shown otherwise, and
    the key the phone's offline queue gives it (a retried question is saved once)."""

    text = TextAreaField(default="")  # checked (and its length) by rules.clean_question
    anonymous = HiddenField(default="")  # "1": anonymous
    name = StringField(default="")
    client_key = HiddenField(default="")


class VoteAnswer(Form):
    """An answer to a poll: the options chosen (choice polls), a number (scale polls) or a word
    or two (word clouds); rules.parse_vote checks it against the poll. A plain form, which
    the vote fast path (``live.fastpath``) reads without Flask."""

    option = WholeNumbers(default=())
    value = WholeNumber()
    text = StringField()


class VoteForm(FlaskForm, VoteAnswer):
    """``VoteAnswer`` posted to the view, with its CSRF token."""


class ModerationForm(FlaskForm):
    moderation = HiddenField(default="")  # "immediate" or "approval"


class QuestionActionForm(FlaskForm):
    action = HiddenField(default="")  # approve, hide, answer, pin...: services.moderate


class PollActionForm(FlaskForm):
    action = HiddenField(default="")  # open, close or delete


class PollForm(FlaskForm):
    question = StringField(default="")
    kind = StringField(default="")
    results = StringField(default="voted")
    options = TextAreaField(default="")  # one answer a line (choice polls)

    @property
    def option_lines(self) -> list[str]:
        return (self.options.data or "").splitlines()
