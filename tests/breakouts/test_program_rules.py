"""The program's rules (pure): block times, room overlaps, embed origins, the day-by-day
program and its filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from summit.breakouts.program import rules
from summit.headers import frame_ancestors_for


@dataclass
class Room:
    name: str


@dataclass
class Block:
    day: int
    starts: time
    ends: time
    title: str
    kind: str = "plenary"
    room: Room | None = None


@dataclass
class Slot:
    id: int
    day: int
    starts: time
    ends: time
    label: str = ""


@dataclass
class Session:
    title: str
    slot: Slot | None
    room: Room | None = None
    tag_names: list[str] = field(default_factory=list)


def test_block_times_inside_the_event_and_ending_after_they_start():
    assert rules.block_time_problems(1, time(9), time(10), 3) == {}
    assert rules.block_time_problems(3, time(9), time(10), 3) == {}
    assert set(rules.block_time_problems(4, time(9), time(10), 3)) == {"day"}
    assert set(rules.block_time_problems(0, time(9), time(10), 3)) == {"day"}
    assert set(rules.block_time_problems(None, time(9), time(10), 3)) == {"day"}
    assert rules.block_time_problems(1, time(10), time(10), 1)["ends"] == (
        "The end time must be after the start time.")
    assert set(rules.block_time_problems(1, time(11), time(10), 1)) == {"ends"}
    assert set(rules.block_time_problems(1, None, None, 1)) == {"starts", "ends"}
    assert "one day" in rules.block_time_problems(2, time(9), time(10), 1)["day"]


def test_overlaps_share_time_but_touching_ends_do_not():
    assert rules.overlapping(time(9), time(10), time(9, 30), time(11))
    assert rules.overlapping(time(9), time(12), time(10), time(11))
    assert not rules.overlapping(time(9), time(10), time(10), time(11))
    assert not rules.overlapping(time(11), time(12), time(10), time(11))


@pytest.mark.parametrize(("typed", "origin"), [
    ("https://www.district.org", "https://www.district.org"),
    ("https://www.district.org/", "https://www.district.org"),
    ("https://WWW.District.org/events/summit?x", None),  # a query: refused
    ("https://www.District.org/events/summit", "https://www.district.org"),
    ("www.district.org", "https://www.district.org"),
    ("http://localhost:8000", "http://localhost:8000"),
    ("https://*.district.org", "https://*.district.org"),
    ("https://district.org:8443", "https://district.org:8443"),
])
def test_an_origin_is_kept_as_scheme_host_and_port(typed, origin):
    origins, problems = rules.parse_origins(typed)
    if origin is None:
        assert problems and not origins
    else:
        assert (origins, problems) == ([origin], [])


@pytest.mark.parametrize("typed", [
    "*", "'self'", "'none'", "https://*", "ftp://district.org", "javascript:alert(1)",
    "https://user:pw@district.org", "https://district.org:99999", "https://district.org:0",
    "https://district.org:abc", "https://distr ict.org", "https://district.org;script-src",
    "https://district.org#x", "https://dïstrict.org", "intranet", "https://-bad.org",
    "data:text/html,x", "https://[::1]", "https://" + ".".join(["a" * 60] * 5),
])
def test_anything_that_is_not_a_website_origin_is_refused(typed):
    origins, problems = rules.parse_origins(typed)
    assert problems, f"{typed!r} was accepted as {origins}"


def test_origins_are_split_deduplicated_and_limited():
    origins, problems = rules.parse_origins(
        "https://a.org\nhttps://b.org, https://a.org/  https://c.org")
    assert origins == ["https://a.org", "https://b.org", "https://c.org"] and not problems
    many = "\n".join(f"https://s{i}.example.org" for i in range(rules.MAX_ORIGINS + 1))
    assert rules.parse_origins(many)[1] == [f"List at most {rules.MAX_ORIGINS} websites."]
    assert rules.parse_origins("") == ([], [])


@settings(max_examples=300, deadline=None)
@example("https://" + ".".join(["a" * 63] * 4) + ".org")  # longer than a host name can be
@given(st.one_of(
    st.text(max_size=80),
    st.builds(lambda scheme, host, port: f"{scheme}{host}{port}",
              st.sampled_from(["https://", "http://", "", "HTTPS://", "https://*."]),
              st.from_regex(r"[a-zA-Z0-9.\-*]{1,300}", fullmatch=True),
              st.sampled_from(["", ":8080", ":0", ":65536", ":x", "/", "/a?b"]))))
def test_whatever_is_typed_an_accepted_origin_is_a_valid_frame_ancestor(typed):
    origins, _ = rules.parse_origins(typed)
    frame_ancestors_for(origins)  # raises on anything that is not an origin


def test_every_accepted_origin_is_a_valid_frame_ancestor_source():
    origins, _ = rules.parse_origins("https://a.org http://localhost:5000 https://*.b.org")
    assert frame_ancestors_for(origins) == (
        "'self' https://a.org http://localhost:5000 https://*.b.org")
    for bad in (["*"], ["https://a.org; script-src *"], ["'unsafe-inline'"], [""]):
        with pytest.raises(ValueError):
            frame_ancestors_for(bad)


def _summit():
    hall, ballroom, r101, r102 = Room("Hall B"), Room("Ballroom"), Room("Room 101"), Room(
        "Room 102")
    blocks = [
        Block(1, time(12), time(13), "Lunch", "meal", hall),
        Block(1, time(8, 30), time(9, 30), "Opening keynote", "plenary", ballroom),
        Block(2, time(9), time(10), "Homeroom time", "homeroom", hall),
        Block(4, time(9), time(10), "A day the event no longer has"),
    ]
    morning, late, day2 = (Slot(1, 1, time(10), time(11), "Round 1"),
                           Slot(2, 1, time(13), time(14)), Slot(3, 2, time(10), time(11)))
    sessions = [
        Session("Zeta policy", morning, r102, ["Policy"]),
        Session("Alpha privacy", morning, r101, ["Privacy", "policy"]),
        Session("No room yet", morning, None, ["Assessment"]),
        Session("Afternoon", late, r101, ["Assessment"]),
        Session("Day two", day2, r101, ["Policy"]),
        Session("Unscheduled", None, r101, ["Hidden tag"]),
        Session("Gone day", Slot(9, 5, time(9), time(10)), r101, ["Gone"]),
    ]
    return blocks, sessions


def _titles(day):
    return [e.block.title if e.block else [s.title for s in e.sessions] for e in day.entries]


def test_the_program_is_each_day_in_time_order_with_blocks_and_slots():
    blocks, sessions = _summit()
    program = rules.build_program(date(2027, 3, 1), 3, blocks, sessions)
    assert [d.number for d in program.days] == [1, 2, 3]
    assert program.days[1].date == date(2027, 3, 2)
    assert _titles(program.days[0]) == [
        "Opening keynote", ["Alpha privacy", "Zeta policy", "No room yet"], "Lunch",
        ["Afternoon"]]
    assert _titles(program.days[1]) == ["Homeroom time", ["Day two"]]
    assert program.days[2].entries == []
    # Tags of scheduled sessions on the event's days only, once whatever their case (as most
    # sessions spell them), in alphabetical order.
    assert program.tags == ["Assessment", "Policy", "Privacy"]
    assert program.published and not program.empty


def test_a_day_filter_shows_that_day_and_a_bad_day_shows_all():
    blocks, sessions = _summit()
    program = rules.build_program(date(2027, 3, 1), 3, blocks, sessions, day=2)
    assert [d.number for d in program.days] == [2] and program.day == 2
    assert [n for n, _ in program.all_days] == [1, 2, 3]
    for bad in (0, 4, -1):
        program = rules.build_program(date(2027, 3, 1), 3, blocks, sessions, day=bad)
        assert program.day is None and len(program.days) == 3


def test_a_tag_filter_keeps_only_sessions_with_it_in_any_case():
    blocks, sessions = _summit()
    program = rules.build_program(date(2027, 3, 1), 3, blocks, sessions, tag="POLICY")
    assert _titles(program.days[0]) == [["Alpha privacy", "Zeta policy"]]
    assert _titles(program.days[1]) == [["Day two"]]
    assert program.tag == "Policy"
    nothing = rules.build_program(date(2027, 3, 1), 3, blocks, sessions, tag="Knitting")
    assert nothing.empty and nothing.published and nothing.tag == "Knitting"
    both = rules.build_program(date(2027, 3, 1), 3, blocks, sessions, tag="assessment", day=1)
    assert _titles(both.days[0]) == [["No room yet"], ["Afternoon"]]


def test_an_event_with_nothing_scheduled_is_not_published():
    unscheduled = [Session("Later", None, None, ["X"])]
    program = rules.build_program(date(2027, 3, 1), 2, [], unscheduled)
    assert not program.published and program.empty and program.tags == []
