"""Action plans' personal data: the attendee's own plan, team plan contributions, named
feedback, topics they proposed and their votes (see ``summit.privacy``)."""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import delete, select, update

from summit.extensions import db
from summit.plans import feedback as feedback_service
from summit.plans.models import (
    ActionPlan,
    Feedback,
    PlanAnswer,
    PlanQuestion,
    PlanTeamMember,
    Topic,
    TopicVote,
)
from summit.plans.topics import _recount as recount_votes
from summit.privacy.api import personal_data


def _answers(plan_id: int, written_by: str | None = None) -> list[dict]:
    stmt = (select(PlanAnswer, PlanQuestion).join(PlanQuestion)
            .where(PlanAnswer.plan_id == plan_id).order_by(PlanQuestion.id, PlanAnswer.field))
    if written_by is not None:
        stmt = stmt.where(PlanAnswer.updated_by == written_by)
    return [{"question": q.prompt, "field": a.field, "value": a.value, "version": a.version,
             "updated_at": a.updated_at} for a, q in db.session.execute(stmt).all()]


def _team_plan(attendee) -> ActionPlan | None:
    if attendee.organization_id is None:
        return None
    return db.session.scalar(select(ActionPlan).where(
        ActionPlan.event_id == attendee.event_id,
        ActionPlan.organization_id == attendee.organization_id))


@personal_data(order=40, name="plans", title="Action plans")
class Plans:
    """The attendee's own action plan and every answer in it, their membership of the district
    team plan (the answers they wrote there stay with the team, without their name), feedback
    they gave with their name, their votes on topics, and their name on topics they proposed
    (the topics stay, unsigned). Anonymous feedback stays and can no longer be linked to them."""

    def export(attendee) -> dict:
        own = db.session.scalar(select(ActionPlan).where(
            ActionPlan.event_id == attendee.event_id, ActionPlan.attendee_id == attendee.id))
        team = _team_plan(attendee)
        member = team is not None and db.session.scalar(select(PlanTeamMember).where(
            PlanTeamMember.plan_id == team.id, PlanTeamMember.attendee_id == attendee.id))
        named = db.session.scalars(select(Feedback).where(
            Feedback.attendee_id == attendee.id).order_by(Feedback.created_at))
        topics = db.session.scalars(select(Topic).where(
            Topic.attendee_id == attendee.id).order_by(Topic.created_at))
        votes = db.session.execute(
            select(TopicVote.at, Topic.title).join(Topic, Topic.id == TopicVote.topic_id)
            .where(TopicVote.attendee_id == attendee.id).order_by(TopicVote.at)).all()
        return {
            "my_plan": None if own is None else {
                "status": own.status, "shared_with_team": own.shared_with_team,
                "started_at": own.started_at, "completed_at": own.completed_at,
                "answers": _answers(own.id)},
            "team_plan": None if not member else {
                "district": attendee.organization_name, "joined_at": member.joined_at,
                "answers_last_written_by_me": _answers(team.id, attendee.full_name)},
            "feedback": [{"about": f.label, "rating": f.rating, "supposed": f.supposed,
                          "actual": f.actual, "learned": f.learned, "adjust": f.adjust,
                          "at": f.created_at} for f in named],
            "topics": [{"kind": t.kind, "title": t.title, "body": t.body, "status": t.status,
                        "votes": t.vote_count, "at": t.created_at} for t in topics],
            "votes": [{"topic": title, "at": at} for at, title in votes],
        }

    def erase(attendee) -> None:
        sync = {"synchronize_session": False}
        # Anonymous feedback stays, but its submitter token is a keyed hash of the attendee
        # id: replace it so a later registration can never be matched to it.
        tokens = [feedback_service.submitter_token(current_app.config["SECRET_KEY"],
                                                   attendee.event, attendee, t)
                  for t in feedback_service.targets(attendee.event)]
        own_plans = select(ActionPlan.id).where(ActionPlan.attendee_id == attendee.id)
        db.session.execute(delete(PlanAnswer).where(PlanAnswer.plan_id.in_(own_plans))
                           .execution_options(**sync))
        db.session.execute(delete(ActionPlan).where(ActionPlan.attendee_id == attendee.id)
                           .execution_options(**sync))
        team = _team_plan(attendee)
        if team is not None:
            db.session.execute(
                update(PlanAnswer).where(PlanAnswer.plan_id == team.id,
                                         PlanAnswer.updated_by == attendee.full_name)
                .values(updated_by="").execution_options(**sync))
        db.session.execute(delete(PlanTeamMember).where(PlanTeamMember.attendee_id == attendee.id)
                           .execution_options(**sync))
        db.session.execute(delete(Feedback).where(Feedback.attendee_id == attendee.id)
                           .execution_options(**sync))
        for row in db.session.scalars(select(Feedback).where(
                Feedback.event_id == attendee.event_id, Feedback.submitter_token.in_(tokens))):
            row.submitter_token = secrets.token_hex(32)
        voted = list(db.session.scalars(select(TopicVote.topic_id).where(
            TopicVote.attendee_id == attendee.id)))
        db.session.execute(delete(TopicVote).where(TopicVote.attendee_id == attendee.id)
                           .execution_options(**sync))
        for topic_id in voted:
            recount_votes(topic_id)
        db.session.execute(update(Topic).where(Topic.attendee_id == attendee.id)
                           .values(attendee_id=None).execution_options(**sync))

