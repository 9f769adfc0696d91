"""Every credit rule, with plain values (summit.credits.rules: no Flask, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from summit.credits import rules
from summit.credits.rules import Activity, ActivityInput, Evidence, Rules

TZ = ZoneInfo("America/Los_Angeles")
DAY1 = date(2027, 3, 4)


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(DAY1 + timedelta(days=day - 1), time(hh, mm), tzinfo=TZ)


def activity(key="b1", day=1, start=(9, 0), end=(10, 30), minutes=90, evidence="entrance",
             session_id=None) -> Activity:
    return Activity(key, key, day, at(day, *start), at(day, *end), minutes, evidence,
                    session_id)


# --- rounding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "rounding", "expected"), [
    (285, "half", 270),       # 4.75 hours -> 4.5 (Washington)
    (270, "half", 270),
    (29, "half", 0),
    (285, "quarter", 285),
    (290, "quarter", 285),
    (290, "none", 290),
    (-5, "half", 0),
])
def test_rounding_goes_down(minutes, rounding, expected):
    assert rules.round_minutes(minutes, rounding) == expected


def test_hours_are_written_without_useless_zeros():
    assert [rules.format_hours(m) for m in (270, 285, 240, 0, 20)] == ["4.5", "4.75", "4", "0",
                                                                        "0.33"]


# --- meals -------------------------------------------------------------------------------------


def test_meals_and_breaks_earn_nothing_whatever_the_organizer_typed():
    assert rules.credit_minutes_for("meal", 60, 60) == 0
    assert rules.credit_minutes_for("break", 15, None) == 0
    assert rules.credit_minutes_for("plenary", 90, None) == 90
    assert rules.credit_minutes_for("workshop", 90, 60) == 60


def test_an_activity_worth_nothing_credits_nothing_even_with_a_scan():
    lunch = activity(minutes=0)
    line = rules.credit_line(lunch, Evidence(entrance={1: at(1, 8)}), Rules())
    assert line.minutes == 0 and line.problem is None


# --- the arrival window ------------------------------------------------------------------------


@pytest.mark.parametrize(("scan", "counted"), [
    (at(1, 7, 30), True),            # early is fine
    (at(1, 9, 15), True),            # the last minute of the window
    (at(1, 9, 16), False),           # late
    (at(1, 9, 0) - timedelta(days=1), False),   # another day
])
def test_the_arrival_window(scan, counted):
    line = rules.credit_line(activity(), Evidence(entrance={1: scan}), Rules())
    assert (line.minutes == 90) is counted
    assert line.problem == (None if counted else "late")


def test_the_arrival_window_is_the_events_choice():
    scan = Evidence(entrance={1: at(1, 9, 25)})
    assert rules.credit_line(activity(), scan, Rules(arrival_window=30)).minutes == 90
    assert rules.credit_line(activity(), scan, Rules(arrival_window=0)).problem == "late"


def test_each_evidence_reads_its_own_scan():
    evidence = Evidence(entrance={1: at(1, 8)}, table={2: at(2, 8)}, rooms={7: at(1, 13)})
    assert rules.credit_line(activity(evidence="entrance"), evidence, Rules()).minutes == 90
    assert rules.credit_line(activity(evidence="table"), evidence, Rules()).problem == "no_scan"
    assert rules.credit_line(activity(day=2, evidence="table"), evidence, Rules()).minutes == 90
    room = activity("s7", start=(13, 0), end=(14, 0), minutes=60, evidence="room", session_id=7)
    assert rules.credit_line(room, evidence, Rules()).evidence == "room"
    other_room = activity("s8", start=(13, 0), end=(14, 0), minutes=60, evidence="room",
                          session_id=8)
    assert rules.credit_line(other_room, evidence, Rules()).problem == "no_scan"


# --- the exit scan -----------------------------------------------------------------------------


def test_the_exit_scan_must_prove_the_minimum_share():
    session = activity("s7", start=(13, 0), end=(14, 0), minutes=60, evidence="room",
                       session_id=7)
    exit_rule = Rules(exit_scan=True, exit_min_share=75)
    arrived = {7: at(1, 12, 55)}
    assert rules.credit_line(session, Evidence(rooms=arrived), exit_rule).problem == "no_exit"
    stayed = Evidence(rooms=arrived, exits={7: at(1, 13, 45)})      # 45 of 60 minutes: 75 %
    assert rules.credit_line(session, stayed, exit_rule).minutes == 60
    left = Evidence(rooms=arrived, exits={7: at(1, 13, 44)})
    assert rules.credit_line(session, left, exit_rule).problem == "left_early"
    # Without the exit rule, the arrival alone counts.
    assert rules.credit_line(session, Evidence(rooms=arrived), Rules()).minutes == 60


def test_the_exit_share_counts_only_time_inside_the_activity():
    session = activity(start=(13, 0), end=(14, 0))
    assert rules.exit_share(at(1, 12), at(1, 15), session) == 1.0
    assert rules.exit_share(at(1, 13, 10), at(1, 13, 40), session) == 0.5
    assert rules.exit_share(at(1, 13, 40), at(1, 13, 10), session) == 0.0


def test_the_exit_rule_does_not_apply_to_entrance_or_table_evidence():
    line = rules.credit_line(activity(), Evidence(entrance={1: at(1, 8)}),
                             Rules(exit_scan=True))
    assert line.minutes == 90


# --- one place at a time -----------------------------------------------------------------------


def test_two_parallel_sessions_credit_once():
    a = activity("s1", start=(13, 0), end=(14, 0), minutes=60, evidence="room", session_id=1)
    b = activity("s2", start=(13, 0), end=(14, 30), minutes=75, evidence="room", session_id=2)
    book = rules.ledger([a, b], Evidence(rooms={1: at(1, 13), 2: at(1, 13, 5)}), Rules())
    assert [(line.activity.key, line.minutes, line.problem) for line in book.lines] == [
        ("s1", 0, "overlap"), ("s2", 75, None)]
    assert book.earned_minutes == 75


# --- totals, rounding and feedback --------------------------------------------------------------


def two_days():
    return [activity("b1", day=1, start=(9, 0), end=(10, 30), minutes=90),
            activity("b2", day=1, start=(11, 0), end=(12, 15), minutes=75),
            activity("b3", day=2, start=(9, 0), end=(12, 0), minutes=180)]


def test_the_total_is_rounded_down():
    present = Evidence(entrance={1: at(1, 8), 2: at(2, 8)})
    book = rules.ledger(two_days(), present, Rules())
    assert book.earned_minutes == 345            # 5.75 hours
    assert book.total_minutes == 330              # 5.5 hours
    assert book.requirements_met
    assert rules.ledger(two_days(), present, Rules(rounding="quarter")).total_minutes == 345


def test_feedback_locks_the_days_without_it():
    present = Evidence(entrance={1: at(1, 8), 2: at(2, 8)}, feedback_days=frozenset({1}))
    book = rules.ledger(two_days(), present, Rules(feedback_required=True))
    assert book.locked_by_day == {2: 180}
    assert book.unlocked_minutes == 165 and book.total_minutes == 150
    assert not book.requirements_met
    assert [line.locked for line in book.lines] == [False, False, True]
    given = Evidence(entrance=present.entrance, feedback_days=frozenset({1, 2}))
    assert rules.ledger(two_days(), given, Rules(feedback_required=True)).requirements_met


def test_feedback_is_not_asked_by_default():
    present = Evidence(entrance={1: at(1, 8), 2: at(2, 8)})
    assert rules.ledger(two_days(), present, Rules()).locked_by_day == {}


def test_nobody_meets_the_requirements_with_no_credit():
    assert not rules.ledger(two_days(), Evidence(), Rules()).requirements_met


# --- corrections -------------------------------------------------------------------------------


def test_a_grant_credits_in_full_and_a_removal_credits_nothing():
    forgot = Evidence(entrance={2: at(2, 8)}, corrections={"b1": True, "b3": False})
    book = rules.ledger(two_days(), forgot, Rules(rounding="none"))
    assert [(line.activity.key, line.minutes, line.evidence) for line in book.lines] == [
        ("b1", 90, "granted"), ("b2", 0, None), ("b3", 0, "removed")]
    assert book.total_minutes == 90


# --- checking activities -----------------------------------------------------------------------


def typed(**changes) -> ActivityInput:
    values = {"title": "Keynote", "day": 1, "starts": time(9), "ends": time(10),
              "credit_minutes": 60, "evidence": "entrance", "room": ""}
    values.update(changes)
    return ActivityInput(**values)


def test_a_good_activity_has_no_problem():
    assert rules.activity_problems(typed(), 2) == {}


@pytest.mark.parametrize(("changes", "field"), [
    ({"day": 3}, "day"),
    ({"day": 0}, "day"),
    ({"day": None}, "day"),
    ({"ends": time(9)}, "end"),
    ({"credit_minutes": 0}, "credit_minutes"),
    ({"credit_minutes": -30}, "credit_minutes"),
    ({"credit_minutes": 61}, "credit_minutes"),
    ({"credit_minutes": 100000}, "credit_minutes"),
    ({"credit_minutes": None}, "credit_minutes"),
    ({"evidence": "badge"}, "evidence"),
    ({"evidence": "room", "room": ""}, "room"),
    ({"title": " "}, "title"),
])
def test_bad_activities_are_refused_with_a_message(changes, field):
    problems = rules.activity_problems(typed(**changes), 2)
    assert field in problems and problems[field]


def test_overlapping_activities_are_found():
    items = [(1, time(9), time(10), "Keynote"), (1, time(9, 30), time(11), "Workshop"),
             (1, time(10), time(11), "Touching"), (2, time(9), time(10), "Day two")]
    assert rules.overlapping_pairs(items) == [("Keynote", "Workshop"), ("Workshop", "Touching")]


# --- scan times ----------------------------------------------------------------------------------

NOW = datetime(2027, 3, 5, 20, 0, tzinfo=UTC)


def parse(value):
    return rules.parse_scanned_at(value, now=NOW, first_day=DAY1,
                                  last_day=DAY1 + timedelta(days=1), tz=TZ)


def test_a_scan_time_with_an_offset_is_read_in_utc():
    assert parse("2027-03-04T09:12:00-08:00") == datetime(2027, 3, 4, 17, 12, tzinfo=UTC)
    assert parse("2027-03-05T17:00:00Z") == datetime(2027, 3, 5, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(("value", "says"), [
    ("2027-03-05T21:00:00Z", "future"),
    ("2028-03-04T09:00:00-08:00", "future"),
    ("2026-03-04T09:00:00-08:00", "not one of the event's days"),
    ("2027-03-03T23:00:00-08:00", "not one of the event's days"),
    ("2027-03-04T09:12:00", "offset"),
    ("yesterday", "ISO 8601"),
    (1234, "ISO 8601"),
    ("", "ISO 8601"),
])
def test_bad_scan_times_are_refused_with_a_reason(value, says):
    with pytest.raises(rules.ScanTimeError, match=says):
        parse(value)


def test_settings_are_checked():
    assert rules.settings_problems(arrival_window=15, exit_min_share=75, rounding="half") == {}
    assert set(rules.settings_problems(arrival_window=-1, exit_min_share=0,
                                       rounding="up")) == {"arrival_window", "exit_min_share",
                                                           "rounding"}
