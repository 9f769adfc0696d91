"""Fixtures for action plans: an attendee signed in on the test client, and save helpers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from summit.extensions import db
from summit.plans.models import PlanQuestion


@pytest.fixture
def question(app):
    """Look up a question of the event's template by its machine key."""

    def find(event, key: str) -> PlanQuestion:
        from summit.plans.services import template_for

        template_for(event)
        db.session.commit()
        return db.session.scalar(
            select(PlanQuestion).join(PlanQuestion.section)
            .where(PlanQuestion.key == key,
                   PlanQuestion.section.has(template_id=template_for(event).id)))

    return find


@pytest.fixture
def save(client):
    def post(event, plan_id, question, value, base=0, field=""):
        return client.post(f"/e/{event.slug}/plan/{plan_id}/save", data={
            "question": question.id, "field": field, "value": value, "base": base})

    return post
