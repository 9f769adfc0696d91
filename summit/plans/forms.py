"""What attendees and organizers post on the plans pages: autosaved answers, the plan
template editor, after-action feedback, topics and votes, and the moderation buttons.

The domain rules (lengths, kinds, ratings) stay in the services, which raise a readable
error; these forms read the posted values, with their defaults. The templates write their
own inputs, so the fields carry no labels.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from summit.forms import WholeNumber

from .feedback import QUESTIONS


class AnswerForm(FlaskForm):
    """One autosaved field: which question, which part of it, the text, the version read."""

    question = WholeNumber()
    field = StringField(default="")
    value = TextAreaField(default="")  # kept exactly as typed
    base = WholeNumber()


class CompleteForm(FlaskForm):
    completed = HiddenField()  # "1": complete


class ShareForm(FlaskForm):
    shared = HiddenField()  # "1": shared with the district team


class SectionForm(FlaskForm):
    title = StringField(default="")
    intro = TextAreaField(default="")
    action = HiddenField(default="save")  # up, down, remove or save


class QuestionForm(FlaskForm):
    prompt = StringField(default="")
    kind = StringField(default="text")
    help = TextAreaField(default="")
    options = TextAreaField(default="")
    action = HiddenField(default="save")  # up, down, remove or save

    @property
    def option_lines(self) -> list[str]:
        return (self.options.data or "").splitlines()


class FeedbackForm(FlaskForm):
    """The four after-action questions (one field each, from ``feedback.QUESTIONS``), a
    rating and whether to give it anonymously."""

    rating = WholeNumber()
    anonymous = HiddenField()  # "1": anonymous

    @property
    def answers(self) -> dict[str, str]:
        return {key: self[key].data or "" for key, _ in QUESTIONS}


for _key, _prompt in QUESTIONS:
    setattr(FeedbackForm, _key, TextAreaField(default=""))


class TopicForm(FlaskForm):
    kind = StringField(default="topic")
    title = StringField(default="")
    body = TextAreaField(default="")


class VoteForm(FlaskForm):
    vote = HiddenField(default="1")  # "0": take the vote back


class ModerateTopicForm(FlaskForm):
    action = HiddenField(default="")  # hide, show, merge, prompt or breakout
    into = WholeNumber()  # merge: the topic it joins
    day = WholeNumber()  # prompt: for which day (1 when empty)
    text = TextAreaField()  # prompt: its text (the topic's title when empty)


class PromptForm(FlaskForm):
    day = WholeNumber()
    text = TextAreaField(default="")
