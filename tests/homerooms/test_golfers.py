"""Social golfer reference instances: all attendees from distinct districts, zero repeats wanted.

Good Enough Golfers leaves 7 repeats on 5-3-7 and 16 on 8-4-9; the engine leaves none.
"""

from __future__ import annotations

import pytest

from summit.homerooms.engine import quality_report, solve
from summit.homerooms.roster import golfer_problem

GOOD_ENOUGH_GOLFERS = {(5, 3, 7): 7, (8, 4, 9): 16}


@pytest.mark.parametrize("groups,size,weeks", [(5, 3, 7), (6, 4, 7), (7, 4, 9), (8, 4, 9)])
def test_golfers_zero_repeats(groups: int, size: int, weeks: int) -> None:
    problem = golfer_problem(groups, size, weeks, seed=0)
    seating = solve(problem)
    report = quality_report(problem, seating)
    assert report.hard_violations == []
    assert report.repeated_pairs == 0
    assert report.size_spread == 0
    assert sorted(p for day in seating.values() for t in day.values() for p in t) == sorted(
        p.id for p in problem.people for _ in range(weeks)
    )


def test_golfers_same_seed_same_seating() -> None:
    problem = golfer_problem(8, 4, 9, seed=0)
    assert solve(problem) == solve(problem)
