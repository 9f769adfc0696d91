"""Deterministic synthetic rosters for tests and benchmarks (skewed delegations, US + Canada)."""

from __future__ import annotations

import random

from .model import Person, Problem, Table

STATES = ["Tennessee", "Ohio", "Texas", "Georgia", "Ontario", "Alberta", "Quebec", "Oregon"]
ROLES = ["superintendent", "principal", "teacher leader", "board member", "coach", "director"]


def skewed_roster(
    people: int,
    host_size: int,
    *,
    seed: int = 0,
    host_name: str = "Knox County",
    tail_max: int = 40,
) -> list[Person]:
    """``people`` attendees: one host delegation of ``host_size``, then a long tail of small
    districts (1..``tail_max`` people) spread over several US states and Canadian provinces."""
    rng = random.Random(seed)
    roster = [Person(f"p{i:05d}", host_name, STATES[0], ROLES[i % 3]) for i in range(host_size)]
    district_no = 0
    while len(roster) < people:
        district_no += 1
        size = min(people - len(roster), max(1, int(rng.paretovariate(1.2))), tail_max)
        state = STATES[rng.randrange(len(STATES))]
        name = f"District {district_no:03d} ({state})"
        for _ in range(size):
            role = ROLES[min(int(rng.expovariate(0.6)), len(ROLES) - 1)]
            roster.append(Person(f"p{len(roster):05d}", name, state, role))
    return roster


def round_tables(count: int, capacity: int = 8, accessible_every: int = 0) -> list[Table]:
    """``count`` tables of ``capacity``; every ``accessible_every``-th one accessible."""
    return [
        Table(
            f"T{j + 1:03d}",
            capacity,
            accessible=bool(accessible_every) and j % accessible_every == 0,
        )
        for j in range(count)
    ]


def summit_problem(
    people: int = 3000,
    host_size: int = 450,
    tables: int = 375,
    days: int = 3,
    seed: int = 0,
) -> Problem:
    """The benchmark shape: a big host district and a long tail, ``tables`` tables of 8."""
    return Problem(
        skewed_roster(people, host_size, seed=seed), round_tables(tables), days, seed=seed
    )


def golfer_problem(groups: int, size: int, weeks: int, seed: int = 0) -> Problem:
    """Social golfer instance: everyone from a distinct district and state."""
    roster = [Person(f"g{i:03d}", f"D{i:03d}", f"S{i:03d}") for i in range(groups * size)]
    return Problem(roster, round_tables(groups, size), weeks, seed=seed)
