"""Live rooms' personal data: the questions a person asked (with the name they chose to show,
or marked anonymous), their upvotes and their poll answers (see ``summit.privacy``)."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from summit.extensions import db
from summit.live.models import LivePoll, LivePollVote, LiveQuestion, LiveUpvote
from summit.privacy.api import personal_data


@personal_data(order=35, name="live", title="Live questions and polls")
class Live:
    """The questions you asked in live rooms (anonymous ones included, marked so; nobody else
    can see that they are yours), the questions you upvoted and your poll answers. Erasing
    deletes your questions and upvotes; your poll answers stay in the counts, linked to
    nobody."""

    def export(attendee) -> dict:
        questions = db.session.scalars(select(LiveQuestion).where(
            LiveQuestion.attendee_id == attendee.id).order_by(LiveQuestion.created_at))
        upvoted = db.session.scalars(select(LiveQuestion.text).join(
            LiveUpvote, LiveUpvote.question_id == LiveQuestion.id).where(
            LiveUpvote.attendee_id == attendee.id))
        votes = db.session.execute(select(LivePoll.question, LivePollVote).join(
            LivePollVote, LivePollVote.poll_id == LivePoll.id).where(
            LivePollVote.attendee_id == attendee.id)).all()
        return {
            "questions": [{"text": q.text, "anonymous": q.anonymous,
                           "name_shown": q.display_name, "status": q.status,
                           "asked_at": q.created_at} for q in questions],
            "upvoted": list(upvoted),
            "poll_answers": [{"poll": question, "options": v.option_ids, "value": v.value,
                              "text": v.text, "at": v.created_at} for question, v in votes],
        }

    def erase(attendee) -> None:
        db.session.execute(delete(LiveUpvote).where(LiveUpvote.attendee_id == attendee.id))
        db.session.execute(delete(LiveQuestion).where(LiveQuestion.attendee_id == attendee.id))
        db.session.execute(update(LivePollVote).where(LivePollVote.attendee_id == attendee.id)
                           .values(attendee_id=None))
