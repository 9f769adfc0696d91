"""Fixtures for the badge pages: an event with attendees in two districts."""

from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def badge_world(app, make_event, make_attendee, make_staff):
    event = make_event("badge-summit", name="AI Leadership Summit 2027")
    knox = [make_attendee(event, first_name=f"Knox{i}", last_name=f"Alpha{i}",
                          organization="Knox County Schools", state="TN", role="Principal")
            for i in range(4)]
    shelby = [make_attendee(event, first_name=f"Shelby{i}", last_name=f"Beta{i}",
                            organization="Shelby County Schools", state="TN", role="Teacher")
              for i in range(3)]
    cancelled = make_attendee(event, first_name="Gone", last_name="Away", status="cancelled",
                              organization="Knox County Schools", state="TN")
    return SimpleNamespace(
        event=event, knox=knox, shelby=shelby, cancelled=cancelled,
        organizer=make_staff("organizer", event), checkin=make_staff("checkin", event),
    )


def url_of(attendee) -> str:
    return attendee.checkin_url("http://summit.test")
