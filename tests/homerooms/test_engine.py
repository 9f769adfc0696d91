"""Engine behaviour: hard rules, determinism, realistic roster, reports, rebalance."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from summit.homerooms.engine import (
    InfeasibleError,
    Person,
    Problem,
    Table,
    quality_report,
    rebalance,
    solve,
)
from summit.homerooms.report import hard_rule_violations
from summit.homerooms.roster import round_tables


def realistic_roster() -> list[Person]:
    """480 people: a 92-person host district, two more of 92, a long tail of small ones."""
    roster: list[Person] = []
    big = [
        ("Knox County", "Tennessee"),
        ("Metro Nashville", "Tennessee"),
        ("Toronto DSB", "Ontario"),
    ]
    for district, state in big:
        roster += [
            Person(f"{district[:4]}{i}", district, state, ["principal", "teacher"][i % 2])
            for i in range(92)
        ]
    states = ["Tennessee", "Ohio", "Georgia", "Ontario", "Alberta"]
    number = 0
    while len(roster) < 480:
        number += 1
        size = min(480 - len(roster), 1 + number % 12)
        for i in range(size):
            roster.append(
                Person(
                    f"d{number}-{i}",
                    f"District {number}",
                    states[number % len(states)],
                    ["superintendent", "principal", "teacher", "coach"][i % 4],
                )
            )
    return roster


def test_realistic_roster_reaches_bounds() -> None:
    problem = Problem(realistic_roster(), round_tables(60), days=3, seed=7)
    report = quality_report(problem, solve(problem))
    assert report.hard_violations == []
    assert report.repeated_pairs == 0
    assert [d.district_bound for d in report.days] == [96, 96, 96]
    assert [d.district_pairs for d in report.days] == [96, 96, 96]
    assert report.state_pairs == report.state_bound
    assert report.size_spread == 0
    reasons = {w.reason for w in report.days[0].warnings if w.kind == "district"}
    assert "2 from Knox County: 92-person delegation, 60 tables" in reasons
    assert all(w.forced for w in report.days[0].warnings if w.kind == "district")


def test_same_seed_same_seating_across_hash_seeds() -> None:
    script = (
        "from summit.homerooms.engine import solve;"
        "from summit.homerooms.roster import summit_problem;"
        "print(solve(summit_problem(200, 40, 30, 3, seed=3), anneal_iterations=5000))"
    )
    outputs = set()
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_infeasible_capacity_has_clear_message() -> None:
    people = [Person(f"p{i}", "D", "S") for i in range(10)]
    with pytest.raises(InfeasibleError, match="10 attendees but only 8 seats"):
        solve(Problem(people, [Table("A", 8)], days=1))


def test_infeasible_accessibility() -> None:
    people = [Person(f"p{i}", "D", "S", needs_accessible=True) for i in range(3)]
    with pytest.raises(InfeasibleError, match="accessible"):
        solve(Problem(people, [Table("A", 2, accessible=True), Table("B", 8)], days=1))


def test_infeasible_keep_apart_pinned_together() -> None:
    people = [Person("a", "D", "S"), Person("b", "E", "S")]
    problem = Problem(
        people,
        [Table("A", 4), Table("B", 4)],
        days=1,
        pins={("a", 1): "A", ("b", 1): "A"},
        keep_apart=[("a", "b")],
    )
    with pytest.raises(InfeasibleError, match="kept apart"):
        solve(problem)


def test_facilitators_pins_and_groups() -> None:
    people = [
        Person(f"p{i}", f"D{i % 5}", f"S{i % 3}", needs_accessible=i == 20) for i in range(30)
    ]
    tables = [Table(f"T{j}", 8, accessible=j == 0, facilitator_id=f"p{j}") for j in range(5)]
    problem = Problem(
        people,
        tables,
        days=3,
        pins={("p10", 2): "T4"},
        keep_together=[{"p11", "p12"}],
        keep_apart=[("p13", "p14")],
    )
    seating = solve(problem)
    assert hard_rule_violations(problem, seating) == []
    assert "p10" in seating[2]["T4"]


def seated_problem() -> tuple[Problem, dict]:
    people = [Person(f"p{i}", f"D{i % 9}", f"S{i % 4}", ["a", "b", "c"][i % 3]) for i in range(70)]
    problem = Problem(people, round_tables(10), days=2, pins={("p5", 1): "T003"}, seed=2)
    return problem, solve(problem)


def seat_map(seating: dict) -> dict:
    return {(p, d): t for d, tables in seating.items() for t, ms in tables.items() for p in ms}


def test_walk_in_moves_nobody_when_a_seat_is_free() -> None:
    problem, seating = seated_problem()
    walk_in = Person("new", "D0", "S0", "a")
    bigger = Problem([*problem.people, walk_in], problem.tables, problem.days, problem.pins)
    updated = rebalance(bigger, seating)
    assert hard_rule_violations(bigger, updated) == []
    before, after = seat_map(seating), seat_map(updated)
    assert all(after[key] == table for key, table in before.items())


def test_cancellation_moves_nobody() -> None:
    problem, seating = seated_problem()
    smaller = Problem(problem.people[1:], problem.tables, problem.days, problem.pins)
    updated = rebalance(smaller, seating)
    before, after = seat_map(seating), seat_map(updated)
    assert after == {k: t for k, t in before.items() if k[0] != "p0"}


def test_walk_in_into_full_room_moves_fewest_and_keeps_pins_and_locks() -> None:
    people = [Person(f"p{i}", f"D{i}", "S") for i in range(8)]
    tables = [Table("A", 4), Table("B", 4, accessible=True)]
    problem = Problem(people, tables, days=1, pins={("p0", 1): "B"})
    seating = solve(problem)
    # Free one seat at A by cancelling someone there, then a wheelchair user walks in.
    leaving = seating[1]["A"][0]
    roster = [p for p in people if p.id != leaving] + [
        Person("w", "DW", "S", needs_accessible=True)
    ]
    locked = next(p for p in seating[1]["B"] if p != "p0")
    updated = rebalance(
        Problem(roster, tables, days=1, pins=problem.pins), seating, locked_seats=[(locked, 1)]
    )
    after = seat_map(updated)
    assert after[("w", 1)] == "B" and after[("p0", 1)] == "B" and after[(locked, 1)] == "B"
    moved = [k for k, t in seat_map(seating).items() if k in after and after[k] != t]
    assert len(moved) == 1


def test_reseat_all_still_keeps_pins() -> None:
    problem, seating = seated_problem()
    updated = rebalance(problem, seating, reseat_all=True)
    assert "p5" in updated[1]["T003"]


def test_report_to_dict_and_reasons() -> None:
    people = [Person(f"p{i}", "Big District", "TN") for i in range(6)]
    problem = Problem(people, [Table("A", 3), Table("B", 3)], days=2)
    report = quality_report(problem, solve(problem))
    data = report.to_dict()
    assert data["days"][0]["district_bound"] == 6
    assert data["repeated_pairs"] == report.repeated_pairs > 0
    kinds = {w["kind"] for day in data["days"] for w in day["warnings"]}
    assert {"district", "repeat"} <= kinds
    assert any(
        w["reason"] == "3 from Big District: 6-person delegation, 2 tables"
        for w in data["days"][0]["warnings"]
    )
