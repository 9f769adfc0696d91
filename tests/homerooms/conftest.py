"""Fixtures for the homeroom web, service and CLI tests: a small multi-district summit."""

from __future__ import annotations

import pytest

from summit.extensions import db

DISTRICTS = [
    ("Knox County Schools", "TN"), ("Shelby County Schools", "TN"), ("Austin ISD", "TX"),
    ("Dallas ISD", "TX"), ("Denver Public Schools", "CO"), ("Boulder Valley", "CO"),
]
ROLES = ["Principal", "Teacher", "Instructional coach", "District leader"]


@pytest.fixture
def app_config():
    # A small search budget keeps these tests fast; the engine's own tests cover quality.
    return {"HOMEROOMS_ANNEAL_ITERATIONS": 3000}


@pytest.fixture
def summit_world(app, make_event, make_attendee, make_staff):
    """A 3-day event, 24 attendees from 6 districts in 3 states, and 6 tables of 5."""
    from summit.homerooms import services

    def build(slug="hr-summit", people=24, tables=6, seats=5, days=3):
        event = make_event(slug, days=days)
        attendees = []
        for i in range(people):
            org, state = DISTRICTS[i % len(DISTRICTS)]
            attendees.append(make_attendee(
                event, organization=org, state=state, role=ROLES[i % len(ROLES)],
                first_name=f"Ana{i:02d}", last_name=f"Ruiz{i:02d}",
                email=f"ana{i:02d}@example.org", share_contact=i % 2 == 0))
        services.create_tables(event, tables, seats)
        db.session.commit()
        organizer = make_staff("organizer", event)
        return event, attendees, organizer

    return build
