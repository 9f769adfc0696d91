"""Property tests: on random feasible rosters every hard rule holds and nobody is lost."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summit.homerooms.engine import Person, Problem, Table, solve
from summit.homerooms.report import hard_rule_violations


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    table_count = draw(st.integers(1, 8))
    capacities = [draw(st.integers(2, 9)) for _ in range(table_count)]
    accessible = [draw(st.booleans()) for _ in range(table_count)]
    accessible[0] = True
    seats = sum(capacities)
    people_count = draw(st.integers(0, max(0, seats - 2)))
    days = draw(st.integers(1, 4))
    accessible_seats = sum(c for c, a in zip(capacities, accessible, strict=True) if a)
    needing = draw(st.integers(0, min(people_count, accessible_seats // 2)))
    people = [
        Person(
            f"p{i}",
            f"D{draw(st.integers(0, 4))}",
            f"S{draw(st.integers(0, 2))}",
            draw(st.sampled_from(["teacher", "principal", "superintendent"])),
            needs_accessible=i < needing,
        )
        for i in range(people_count)
    ]
    ids = [p.id for p in people]
    facilitators: dict[int, str] = {}
    if ids and draw(st.booleans()):
        for t in range(table_count):
            candidate = f"p{needing + t}"
            if candidate in ids and draw(st.booleans()):
                facilitators[t] = candidate
    tables = [
        Table(f"T{j}", capacities[j], accessible[j], facilitators.get(j))
        for j in range(table_count)
    ]
    fixed = set(facilitators.values())
    free = [pid for pid in ids[needing:] if pid not in fixed]
    pins = {}
    load = {
        (t, d): (1 if t in facilitators else 0) for t in range(table_count) for d in range(1, 5)
    }
    for pid in free[: draw(st.integers(0, min(3, len(free))))]:
        day = draw(st.integers(1, days))
        t = draw(st.integers(0, table_count - 1))
        if load[(t, day)] < capacities[t] - 1:
            pins[(pid, day)] = f"T{t}"
            load[(t, day)] += 1
    pinned = {pid for pid, _ in pins}
    loose = [pid for pid in free if pid not in pinned]
    keep_together = []
    if len(loose) >= 2 and draw(st.booleans()):
        keep_together.append(set(loose[:2]))
    keep_apart = []
    # Two people kept apart need two tables: with one, the roster has no seating at all.
    if len(loose) >= 4 and table_count >= 2 and draw(st.booleans()):
        keep_apart.append((loose[2], loose[3]))
    return Problem(
        people, tables, days, pins, keep_together, keep_apart, seed=draw(st.integers(0, 9))
    )


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_hard_rules_hold_and_everyone_has_exactly_one_seat(problem: Problem) -> None:
    seating = solve(problem, anneal_iterations=3000)
    assert hard_rule_violations(problem, seating) == []
    for day in range(1, problem.days + 1):
        seated = [pid for members in seating[day].values() for pid in members]
        assert sorted(seated) == sorted(p.id for p in problem.people)
