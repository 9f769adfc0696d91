"""A summit where one attendee (Ada) has something in every capability that holds data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask import current_app
from sqlalchemy import select

from summit.checkin.api import entrance_list
from summit.checkin.models import Checkin
from summit.extensions import db
from summit.plans import feedback as feedback_service
from summit.plans import services as plan_services
from summit.plans import topics as topic_service
from summit.plans.models import PlanQuestion
from summit.registration import services as registration_services


@dataclass
class World:
    event: object
    ada: object
    grace: object
    alan: object
    ada_topic: object
    grace_topic: object


def _question(event, key):
    template = plan_services.template_for(event)
    db.session.flush()
    return db.session.scalar(select(PlanQuestion).join(PlanQuestion.section).where(
        PlanQuestion.key == key, PlanQuestion.section.has(template_id=template.id)))


def checkin(event, attendee, at: datetime, source="desk"):
    db.session.add(Checkin(list_id=entrance_list(event).id, attendee_id=attendee.id, at=at,
                           source=source))


@pytest.fixture
def world(app, make_event, make_attendee, make_member):
    event = make_event("privacy-summit")
    ada = make_attendee(event, first_name="Ada", last_name="Lovelace",
                        email="ada@example.org", organization="Knox County Schools")
    grace = make_attendee(event, first_name="Grace", last_name="Hopper",
                          email="grace@example.org", organization="Knox County Schools")
    alan = make_attendee(event, first_name="Alan", last_name="Turing",
                         email="alan@example.org", organization="Surrey SD", state="BC")
    registration_services.update_attendee(
        ada, {"role": "Principal", "dietary": "Vegan", "accessibility": "Step-free seat"})

    take_back = _question(event, "take_back")
    who_else = _question(event, "who_else")
    plan_services.save_answer(plan_services.plan_for(ada), take_back, "",
                              "Bring the AI guidance to our board", 0, by=ada.full_name)
    plan_services.save_answer(plan_services.plan_for(grace), take_back, "",
                              "Grace's own plan", 0, by=grace.full_name)
    make_member(ada, grace)
    team = plan_services.join_team(ada)
    plan_services.join_team(grace)
    plan_services.save_answer(team, take_back, "", "Team text Ada wrote", 0, by=ada.full_name)
    plan_services.save_answer(team, who_else, "", "Team text Grace wrote", 0,
                              by=grace.full_name)

    key = current_app.config["SECRET_KEY"]
    day1, day2 = feedback_service.targets(event)[:2]
    answers = {"supposed": "Ada's named feedback", "actual": "", "learned": "", "adjust": ""}
    feedback_service.submit(key, event, ada, day1, answers, 5, anonymous=False)
    feedback_service.submit(key, event, ada, day2, {"learned": "Anonymous note"}, 3,
                            anonymous=True)

    ada_topic = topic_service.submit(event, ada, "topic", "AI and grading")
    grace_topic = topic_service.submit(event, grace, "question", "Who owns the data?")
    topic_service.vote(event, ada_topic, grace)
    topic_service.vote(event, grace_topic, ada)
    topic_service.vote(event, grace_topic, alan)

    checkin(event, ada, datetime(2027, 3, 1, 14, 7, 31, tzinfo=UTC))
    checkin(event, grace, datetime(2027, 3, 1, 14, 9, 2, tzinfo=UTC))
    checkin(event, alan, datetime(2027, 3, 1, 14, 31, 0, tzinfo=UTC), source="api")
    db.session.commit()
    return World(event, ada, grace, alan, ada_topic, grace_topic)
