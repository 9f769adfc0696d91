"""Which day of the event it is: ``Event.current_day`` and ``Event.current_day_or_none``."""

from datetime import UTC, date, datetime

import pytest

from summit.access import ApiEvent
from summit.events.models import Event

# Chicago is UTC-6 in early March 2027: its days start at 06:00 UTC.
CASES = [
    (datetime(2027, 2, 20, 12, 0, tzinfo=UTC), 1, None),
    (datetime(2027, 3, 1, 5, 59, tzinfo=UTC), 1, None),  # still 28 February in Chicago
    (datetime(2027, 3, 1, 6, 0, tzinfo=UTC), 1, 1),
    (datetime(2027, 3, 3, 5, 59, tzinfo=UTC), 2, 2),
    (datetime(2027, 3, 4, 5, 59, tzinfo=UTC), 3, 3),
    (datetime(2027, 3, 4, 6, 0, tzinfo=UTC), 3, None),  # the day after, in Chicago
    (datetime(2027, 4, 1, 12, 0, tzinfo=UTC), 3, None),
]


@pytest.mark.parametrize(("now", "clamped", "during"), CASES)
def test_day_numbers_follow_the_event_time_zone(now, clamped, during):
    event = Event(timezone="America/Chicago", start_date=date(2027, 3, 1), days=3)
    assert event.current_day(now) == clamped
    assert event.current_day_or_none(now) == during
    snapshot = ApiEvent(1, "s", "Summit", "America/Chicago", date(2027, 3, 1), 3)
    assert snapshot.current_day(now) == clamped


def test_an_event_without_days_counts_as_one_day():
    event = Event(timezone="UTC", start_date=date(2027, 3, 1), days=0)
    assert event.current_day(datetime(2027, 3, 5, tzinfo=UTC)) == 1
    assert event.current_day_or_none(datetime(2027, 3, 1, 12, tzinfo=UTC)) == 1
    assert event.current_day_or_none(datetime(2027, 3, 2, tzinfo=UTC)) is None
