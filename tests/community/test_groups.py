"""Small groups by the homeroom engine: 60 members, 6 meetings, groups of 5, no pair twice,
the summit's tablemates respected; repeats, when unavoidable, reported against their bound."""

from __future__ import annotations

import time
from itertools import combinations

from summit.community.groups import GroupMember, form_groups, met_pairs, repeat_lower_bound


def people(n, districts=12):
    return [GroupMember(i, f"District {i % districts}", ("principal", "coach", "teacher")[i % 3])
            for i in range(1, n + 1)]


def pairs_of(groups):
    return {frozenset(p) for g in groups for p in combinations(g, 2)}


def test_sixty_members_six_meetings_groups_of_five_never_repeat_a_pair():
    members = people(60)
    # The summit: a homeroom day at 6 tables of 10.
    summit = [[list(range(1 + 10 * t, 11 + 10 * t)) for t in range(6)]]
    history = list(summit)
    started = time.perf_counter()
    for meeting in range(6):
        plan = form_groups(members, 5, history, seed=meeting)
        assert sorted(i for g in plan.groups for i in g) == list(range(1, 61))
        assert [len(g) for g in plan.groups] == [5] * 12
        assert plan.repeat_bound == 0
        assert plan.repeats == 0, plan.summary
        assert not pairs_of(plan.groups) & met_pairs(history)
        if meeting == 0:  # 12 districts of 5: close to 0 (later, new pairs come first)
            assert plan.district_pairs <= 3
        history.append(plan.groups)
    assert time.perf_counter() - started < 30


def test_when_repeats_cannot_all_be_avoided_they_are_counted_and_bounded():
    """Two summit days at tables of 10 leave each person about 26 people they have not met;
    six meetings of 5 need 24 of them, in the order meetings happen: late meetings may repeat
    a pair. The plan counts them, never under its lower bound, and the summit pairs only
    repeat when the count says so."""
    members = people(60)
    history = [[list(range(1 + 10 * t, 11 + 10 * t)) for t in range(6)],
               [[1 + t + 6 * k for k in range(10)] for t in range(6)]]
    total = 0
    for meeting in range(6):
        plan = form_groups(members, 5, history, seed=meeting, iterations=10_000)
        assert plan.repeat_bound <= plan.repeats
        assert plan.repeats == len(pairs_of(plan.groups) & met_pairs(history))
        total += plan.repeats
        history.append(plan.groups)
    assert total <= 10


def test_absentees_and_newcomers():
    members = people(12, districts=4)
    first = form_groups(members[:8], 4)
    assert sorted(len(g) for g in first.groups) == [4, 4]
    second = form_groups(members, 4, [first.groups])
    assert sorted(i for g in second.groups for i in g) == list(range(1, 13))
    # 8 people from two groups of 4 into three groups: two pairs must meet again.
    assert second.repeats == 2
    assert second.repeat_bound <= 2


def test_unavoidable_repeats_are_reported_against_their_lower_bound():
    members = people(6, districts=6)
    history = [[[1, 2, 3], [4, 5, 6]], [[1, 4], [2, 5], [3, 6]], [[1, 5], [2, 6], [3, 4]],
               [[1, 6], [2, 4], [3, 5]]]
    plan = form_groups(members, 6, history)  # one group of six: everyone has met everyone
    assert plan.repeats == 15
    assert plan.repeat_bound == 15
    assert repeat_lower_bound([1, 2], 1, set()) == 0


def test_nobody_and_one_person():
    assert form_groups([], 5).groups == []
    assert form_groups(people(1), 5).groups == [[1]]
