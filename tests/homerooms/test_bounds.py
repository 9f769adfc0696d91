"""Lower-bound formulas for same-group pairs."""

from summit.homerooms.bounds import (
    capacity_aware_bound,
    capacity_aware_group_bound,
    group_pair_bound,
    pair_lower_bound,
    pairs,
)


def test_pairs() -> None:
    assert [pairs(k) for k in range(5)] == [0, 0, 1, 3, 6]


def test_group_bound_examples() -> None:
    assert group_pair_bound(92, 60) == 32  # 32 tables with 2, 28 with 1
    assert group_pair_bound(60, 60) == 0
    assert group_pair_bound(130, 60) == 10 * 3 + 50 * 1
    assert group_pair_bound(5, 1) == 10


def test_day_bound_sums_groups() -> None:
    assert pair_lower_bound([92, 92, 92, 10], 60) == 96


def test_capacity_aware_matches_simple_when_seats_are_plenty() -> None:
    assert capacity_aware_group_bound(92, [8] * 60) == group_pair_bound(92, 60)


def test_capacity_aware_respects_small_tables() -> None:
    # 6 people over a table of 2 and a table of 10: the simple bound says 3+3=6 pairs,
    # but the small table holds only 2, so the best is 1 + C(4,2) = 7.
    assert group_pair_bound(6, 2) == 6
    assert capacity_aware_group_bound(6, [2, 10]) == 7
    assert capacity_aware_bound([6, 1], [2, 10]) == 7
