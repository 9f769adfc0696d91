"""Participant-led topics: submit, upvote (one vote per attendee, race-safe), moderate, and
turn top topics into homeroom discussion prompts or breakout sessions."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from summit.breakouts.api import BreakoutError, SessionSummary, create_session
from summit.database import lock_for_update
from summit.events.models import Event
from summit.extensions import db
from summit.plans.models import N_, TOPIC_KINDS, DiscussionPrompt, Topic, TopicVote
from summit.registration.api import Attendee


class TopicError(ValueError):
    pass


def submit(event: Event, attendee: Attendee, kind: str, title: str, body: str = "") -> Topic:
    title = " ".join(title.split())
    if not title:
        raise TopicError(N_("Please write your topic in a few words."))
    if kind not in TOPIC_KINDS:
        raise TopicError(N_("Please choose topic, question or practice problem."))
    topic = Topic(event_id=event.id, attendee_id=attendee.id, kind=kind, title=title[:200],
                  body=body.strip()[:2000])
    db.session.add(topic)
    db.session.flush()
    event.bump()
    return topic


def _recount(topic_id: int) -> None:
    db.session.execute(update(Topic).where(Topic.id == topic_id).values(
        vote_count=select(func.count(TopicVote.id)).where(TopicVote.topic_id == topic_id)
        .scalar_subquery()))


def vote(event: Event, topic: Topic, attendee: Attendee) -> bool:
    """Add the attendee's vote; ``False`` when they had already voted (nothing changes).

    Nobody votes for their own topic: posting it says they want it already."""
    # One voter at a time per topic, so the recount below sees every committed vote.
    topic = lock_for_update(db.session, Topic, topic.id)
    if topic.status != "visible":
        raise TopicError(N_("This topic is no longer open for votes."))
    if topic.attendee_id == attendee.id:
        raise TopicError(N_("This is your own topic: the votes are for the others to give."))
    try:
        with db.session.begin_nested():
            db.session.add(TopicVote(topic_id=topic.id, attendee_id=attendee.id))
            db.session.flush()
    except IntegrityError:
        return False
    _recount(topic.id)
    event.bump()
    return True


def unvote(event: Event, topic: Topic, attendee: Attendee) -> bool:
    lock_for_update(db.session, Topic, topic.id)
    removed = db.session.execute(delete(TopicVote).where(
        TopicVote.topic_id == topic.id, TopicVote.attendee_id == attendee.id)).rowcount
    if removed:
        _recount(topic.id)
        event.bump()
    return bool(removed)


def visible_topics(event: Event, order: str = "top") -> list[Topic]:
    query = select(Topic).where(Topic.event_id == event.id, Topic.status == "visible")
    if order == "new":
        query = query.order_by(Topic.created_at.desc(), Topic.id.desc())
    else:
        query = query.order_by(Topic.vote_count.desc(), Topic.created_at, Topic.id)
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


def all_topics(event: Event) -> list[Topic]:
    return list(db.session.scalars(
        select(Topic).where(Topic.event_id == event.id)
        .order_by(Topic.status != "visible", Topic.vote_count.desc(), Topic.id)))


def voted_ids(attendee: Attendee, topic_ids: list[int]) -> set[int]:
    if not topic_ids:
        return set()
    return set(db.session.scalars(select(TopicVote.topic_id).where(
        TopicVote.attendee_id == attendee.id, TopicVote.topic_id.in_(topic_ids))))


def hide(event: Event, topic: Topic, hidden: bool = True) -> None:
    topic.status = "hidden" if hidden else "visible"
    event.bump()


def merge(event: Event, duplicate: Topic, into: Topic) -> None:
    """Fold ``duplicate`` into ``into``: its voters now vote for ``into`` (once each; the
    author of ``into`` does not vote for their own topic)."""
    if duplicate.id == into.id or duplicate.event_id != into.event_id:
        raise TopicError("Choose two different topics of this event.")
    if into.status != "visible":
        raise TopicError("Merge into a topic that is shown.")
    lock_for_update(db.session, Topic, into.id)
    already = select(TopicVote.attendee_id).where(TopicVote.topic_id == into.id)
    moving = TopicVote.attendee_id.not_in(already)
    if into.attendee_id is not None:
        moving = moving & (TopicVote.attendee_id != into.attendee_id)
    db.session.execute(update(TopicVote).where(TopicVote.topic_id == duplicate.id, moving)
                       .values(topic_id=into.id))
    db.session.execute(delete(TopicVote).where(TopicVote.topic_id == duplicate.id))
    duplicate.status = "merged"
    duplicate.merged_into_id = into.id
    if duplicate.body and duplicate.body not in into.body:
        into.body = (into.body + "\n\n" if into.body else "") + duplicate.body
    _recount(into.id)
    _recount(duplicate.id)
    event.bump()


def make_prompt(event: Event, day: int, text: str, topic: Topic | None = None
                ) -> DiscussionPrompt:
    text = text.strip()
    if not text:
        raise TopicError("Please write the prompt.")
    if not 1 <= day <= max(event.days, 1):
        raise TopicError("Choose a day of the event.")
    prompt = DiscussionPrompt(event_id=event.id, day=day, text=text[:2000],
                              topic_id=topic.id if topic else None)
    db.session.add(prompt)
    db.session.flush()
    event.bump()
    return prompt


def prompt_for_day(event: Event, day: int) -> DiscussionPrompt | None:
    """Today's prompt for homeroom tables: the newest prompt of ``day``."""
    return db.session.scalar(
        select(DiscussionPrompt).where(DiscussionPrompt.event_id == event.id,
                                       DiscussionPrompt.day == day)
        .order_by(DiscussionPrompt.created_at.desc(), DiscussionPrompt.id.desc()).limit(1))


def prompt_text_for_day(event: Event, day: int) -> str:
    """The text of the day's newest prompt, or "" (homerooms asks this; see plans.init_app)."""
    prompt = prompt_for_day(event, day)
    return prompt.text if prompt is not None else ""


def prompts(event: Event) -> list[DiscussionPrompt]:
    return list(db.session.scalars(
        select(DiscussionPrompt).where(DiscussionPrompt.event_id == event.id)
        .order_by(DiscussionPrompt.day, DiscussionPrompt.created_at.desc())))


def make_breakout(event: Event, topic: Topic) -> SessionSummary:
    """A breakout session made from a topic, through the breakouts rules (and their audit
    record); the organizer then gives it a room and a time."""
    try:
        return create_session(event, topic.title, topic.body)
    except BreakoutError as exc:
        raise TopicError(str(exc)) from exc
