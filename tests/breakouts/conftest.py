"""Fixtures for breakouts: a small schedule (two rooms, two slots on day 1, three sessions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pytest

from summit.extensions import db


@dataclass
class Schedule:
    event: object
    big: object  # room, 30 seats, step-free
    small: object  # room, 2 seats, not step-free
    morning: object  # slot 9:00-10:00
    late: object  # slot 10:30-11:30
    policy: object  # session in small room, morning, capacity 2
    privacy: object  # session in big room, morning
    assessment: object  # session in big room, late


@pytest.fixture
def make_schedule(app, make_event):
    from summit.breakouts import services

    def factory(**event_kw) -> Schedule:
        event = make_event(**event_kw)
        big = services.save_room(event, "Ballroom A", 30, True)
        small = services.save_room(event, "Room 101", 2, False)
        morning = services.save_slot(event, 1, time(9), time(10))
        late = services.save_slot(event, 1, time(10, 30), time(11, 30))
        policy = services.save_session(event, services.SessionData(
            title="Drafting a district AI policy", room_id=small.id, slot_id=morning.id,
            tags=["Policy"], facilitators=[("Dana Ruiz", "dana@example.org")]))
        privacy = services.save_session(event, services.SessionData(
            title="Data privacy for staff", room_id=big.id, slot_id=morning.id,
            tags=["Privacy", "Policy"]))
        assessment = services.save_session(event, services.SessionData(
            title="Assessment redesign", room_id=big.id, slot_id=late.id, tags=["Assessment"],
            description="Rethinking homework and exams."))
        db.session.commit()
        return Schedule(event, big, small, morning, late, policy, privacy, assessment)

    return factory


@pytest.fixture
def schedule(make_schedule):
    return make_schedule()
