"""Carry-over of unchosen topics, the agenda deadline, drift and progress without names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from summit.community import agenda, drift

T0 = datetime(2027, 1, 8, 17, tzinfo=UTC)


def topic(i, votes, carried=0, age=0):
    return agenda.TopicFacts(i, votes, carried, T0 + timedelta(minutes=age), f"Topic {i}")


def test_top_topics_then_the_rest_carry_over_with_their_votes():
    topics = [topic(1, 3), topic(2, 5), topic(3, 3, carried=1, age=5), topic(4, 0)]
    top = agenda.top_topics(topics, 2)
    assert [t.id for t in top] == [2, 3]  # a tie goes to the topic that waited longer
    assert agenda.carry_over(topics, [t.id for t in top]) == {1: 1, 4: 1}
    assert agenda.agenda_text(top) == "1. Topic 2\n2. Topic 3"


def test_agenda_deadline():
    start = T0 + timedelta(days=10)
    assert agenda.agenda_deadline(start, 3) == start - timedelta(days=3)
    assert agenda.agenda_late(start, 3, None, start - timedelta(days=2))
    assert not agenda.agenda_late(start, 3, None, start - timedelta(days=4))
    assert not agenda.agenda_late(start, 3, start - timedelta(days=5), start)


def members():
    # Ten members: three districts, two roles; id 10 joined late.
    return [drift.MemberFacts(i, "Knox" if i <= 3 else "Austin" if i <= 6 else "Denver",
                              "principal" if i % 2 else "coach",
                              T0 if i < 10 else T0 + timedelta(days=80))
            for i in range(1, 11)]


def held(month, present):
    return drift.HeldMeeting(T0 + timedelta(days=30 * month), frozenset(present))


def test_members_absent_from_the_last_three_meetings_drift():
    meetings = [held(0, range(1, 10)), held(1, [1, 2, 4, 5, 6]), held(2, [4, 5]),
                held(3, [4, 6])]
    report = drift.drift_report(members(), meetings)
    # 1 and 2 came in month 1, which is among the last three; 3, 7, 8, 9 did not come since
    # month 0; 10 joined after month 1 so is not judged yet.
    assert report.drifting == [3, 7, 8, 9]
    assert report.districts_stopped == ["Denver"]  # Knox still came (1, 2 in month 1)
    assert report.roles_stopped == []
    assert report.attendance[-1][1] == 2


def test_no_drift_before_three_meetings_and_small_groups_stay_hidden():
    assert drift.drifting_members(members(), [held(0, [1]), held(1, [1])]) == []
    few = [drift.MemberFacts(1, "Tiny", "coach", T0), drift.MemberFacts(2, "Tiny", "coach", T0)]
    meetings = [held(0, [1, 2]), held(1, []), held(2, []), held(3, [])]
    assert drift.stopped(few, meetings, "district") == []  # 2 people: never named
    assert drift.progress_counts(["done", "stuck"]) is None
    assert drift.progress_counts(["done", "stuck", "done"]) == {"done": 2, "in_progress": 0,
                                                                "stuck": 1}
