"""Fixtures for check-in tests: an event with a desk volunteer and a few attendees."""

from __future__ import annotations

import pytest


@pytest.fixture
def desk(make_event, make_attendee, make_staff):
    event = make_event(capacity=100)
    volunteer = make_staff("checkin", event=event)
    amber = make_attendee(event, first_name="Amber", last_name="Okafor",
                          organization="Knox County Schools", state="TN",
                          accessibility="Needs a seat near the aisle")
    ben = make_attendee(event, first_name="Ben", last_name="Ruiz",
                        organization="Austin ISD", state="TX")
    gone = make_attendee(event, first_name="Cora", last_name="Gone", status="cancelled")
    waiting = make_attendee(event, first_name="Dev", last_name="Waiting", status="waitlisted")
    return {"event": event, "volunteer": volunteer, "amber": amber, "ben": ben,
            "cancelled": gone, "waitlisted": waiting}
