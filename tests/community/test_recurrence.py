"""Meetings from an RRULE: the second Friday for 18 months across both daylight-saving
changes, with one meeting moved and one cancelled, and bad rules refused in words."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from summit.community import ical, recurrence
from summit.community.recurrence import Override, RecurrenceError

SECOND_FRIDAY = "FREQ=MONTHLY;BYDAY=2FR"
PACIFIC = "America/Los_Angeles"


def _second_friday(year: int, month: int) -> date:
    first = date(year, month, 1)
    friday = first + timedelta(days=(4 - first.weekday()) % 7)
    return friday + timedelta(days=7)


def test_second_friday_for_18_months_across_daylight_saving():
    found = recurrence.occurrences(SECOND_FRIDAY, date(2027, 1, 1), PACIFIC, time(9), time(10, 30),
                                   date(2028, 6, 30))
    assert len(found) == 18
    for occurrence, (year, month) in zip(found, [(2027 + (m // 12), m % 12 + 1)
                                                   for m in range(18)], strict=True):
        assert occurrence.key == _second_friday(year, month)
        local = occurrence.starts_at.astimezone(recurrence.check_timezone(PACIFIC))
        assert (local.hour, local.minute) == (9, 0)
        assert occurrence.ends_at - occurrence.starts_at == timedelta(minutes=90)
    utc_hours = {o.starts_at.astimezone(UTC).hour for o in found}
    assert utc_hours == {16, 17}  # PDT (UTC-7) in summer, PST (UTC-8) in winter


def test_moved_and_cancelled_meetings_and_the_feed_parsed_by_icalendar():
    march = date(2027, 3, 12)  # the day before... the Friday before the spring change
    november = date(2027, 11, 12)
    moved_to = datetime(2027, 3, 19, 16, 0, tzinfo=UTC)  # 9:00 PDT the next Friday
    found = recurrence.occurrences(
        SECOND_FRIDAY, date(2027, 1, 1), PACIFIC, time(9), time(10, 30), date(2028, 6, 30),
        overrides={march: Override(starts_at=moved_to), november: Override(cancelled=True)},
        added=[(datetime(2027, 12, 3, 17, tzinfo=UTC), datetime(2027, 12, 3, 18, tzinfo=UTC))])
    assert len(found) == 19
    by_key = {o.key: o for o in found}
    assert by_key[march].moved and by_key[march].starts_at == moved_to
    assert by_key[march].ends_at == moved_to + timedelta(minutes=90)
    assert by_key[november].cancelled
    assert [o for o in found if o.key is None][0].starts_at.day == 3
    body = ical.feed("Roundtable", PACIFIC, "summit.test", [
        ical.FeedMeeting(uid=f"m{i}", title="Roundtable", starts_at=o.starts_at,
                         ends_at=o.ends_at, cancelled=o.cancelled, sequence=1 if o.moved else 0,
                         location="https://meet.example/x", url="https://meet.example/x",
                         agenda="1. AI policy" if i == 0 else "")
        for i, o in enumerate(found)])
    cal = Calendar.from_ical(body)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 19
    starts = {str(e["uid"]): e.decoded("dtstart") for e in events}
    for i, o in enumerate(found):
        assert starts[f"m{i}@summit.test"] == o.starts_at  # aware datetimes compare in UTC
        assert starts[f"m{i}@summit.test"].tzinfo is not None
    statuses = {str(e["uid"]): str(e["status"]) for e in events}
    cancelled_index = [i for i, o in enumerate(found) if o.cancelled][0]
    assert statuses[f"m{cancelled_index}@summit.test"] == "CANCELLED"
    assert list(statuses.values()).count("CANCELLED") == 1
    assert "1. AI policy" in str(events[0]["description"])
    assert b"TZID=America/Los_Angeles" in body


@pytest.mark.parametrize("rule", ["", "FREQ=SOMETIMES", "not a rule", "FREQ=SECONDLY",
                                  "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2",
                                  "FREQ=MONTHLY;COUNT=0"])
def test_rules_that_give_no_dates_are_refused_in_words(rule):
    with pytest.raises(RecurrenceError) as error:
        recurrence.rule_dates(rule, date(2027, 1, 1), date(2030, 1, 1))
    assert str(error.value)


def test_a_rule_with_later_dates_only_gives_an_empty_window():
    assert recurrence.rule_dates(SECOND_FRIDAY, date(2031, 1, 1), date(2030, 1, 1)) == []


def test_time_zone_and_moves_are_checked():
    with pytest.raises(RecurrenceError):
        recurrence.check_timezone("Pacific/Atlantis")
    now = datetime(2027, 5, 1, tzinfo=UTC)
    with pytest.raises(RecurrenceError, match="past"):
        recurrence.check_move(now - timedelta(hours=1), now, now)
    with pytest.raises(RecurrenceError, match="ends after"):
        recurrence.check_move(now + timedelta(hours=2), now + timedelta(hours=1), now)
    recurrence.check_move(now + timedelta(hours=1), now + timedelta(hours=2), now)


def test_rules_are_described_for_people():
    assert recurrence.describe_rule("RRULE:FREQ=MONTHLY;BYDAY=2FR") == \
        "the second Friday of every month"
    assert recurrence.describe_rule("FREQ=WEEKLY;BYDAY=TU") == "every Tuesday"
