"""``flask --app summit homerooms tables|assign|export``."""

from __future__ import annotations

import csv
import io
import re

from summit.homerooms import services


def test_tables_assign_export(app, runner, summit_world, make_event):
    event, people, _ = summit_world(tables=1, seats=2)
    result = runner.invoke(args=["homerooms", "tables", event.slug, "--count", "6",
                                 "--seats", "5"])
    assert result.exit_code == 0, result.output
    assert "Added tables 2-7 (5 seats each). 7 tables, 32 seats in all." in result.output
    assert len(services.tables_of(event)) == 7

    result = runner.invoke(args=["homerooms", "assign", event.slug, "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Seated 3 day\(s\) in \d+\.\d\d s\.", result.output)
    for day in (1, 2, 3):
        assert re.search(rf"Day {day}: district pairs \d+ \(bound \d+\), state pairs \d+ "
                         rf"\(bound \d+\), repeats \d+, table sizes \d+-\d+ \(spread \d+\)",
                         result.output), result.output

    result = runner.invoke(args=["homerooms", "export", event.slug])
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["day", "table", "email", "first_name", "last_name", "organization",
                       "state", "role"]
    body = rows[1:]
    assert len(body) == 3 * len(people)
    assert {r[0] for r in body} == {"1", "2", "3"}
    first = next(r for r in body if r[2] == people[0].email)
    assert first[3:] == ["Ana00", "Ruiz00", "Knox County Schools", "TN", "Principal"]
    assert first[1].startswith("Table ")

    # Same seed, same seating.
    runner.invoke(args=["homerooms", "assign", event.slug, "--seed", "4"])
    again = runner.invoke(args=["homerooms", "export", event.slug])
    assert again.output == result.output


def test_assign_some_days_and_errors(app, runner, summit_world, make_event):
    event, people, _ = summit_world()
    result = runner.invoke(args=["homerooms", "assign", event.slug, "--days", "2"])
    assert result.exit_code == 0, result.output
    assert "Day 2:" in result.output and "Day 3:" not in result.output
    result = runner.invoke(args=["homerooms", "assign", event.slug, "--days", "5"])
    assert result.exit_code != 0 and "This event has 3 day(s)" in result.output
    result = runner.invoke(args=["homerooms", "assign", "no-such-event"])
    assert result.exit_code != 0 and "No event" in result.output
    empty = make_event("no-tables")
    result = runner.invoke(args=["homerooms", "assign", empty.slug])
    assert result.exit_code != 0 and "create tables first" in result.output
    result = runner.invoke(args=["homerooms", "tables", event.slug, "--count", "0"])
    assert result.exit_code != 0


def test_rebalance_command_seats_a_walk_in(app, runner, summit_world, make_attendee):
    event, people, _ = summit_world()
    runner.invoke(args=["homerooms", "assign", event.slug])
    walk_in = make_attendee(event, email="walkin@example.org")
    result = runner.invoke(args=["homerooms", "rebalance", event.slug, "--from-day", "2"])
    assert result.exit_code == 0, result.output
    assert "2 seat changes" in result.output
    labels = services.table_labels_for(event, [walk_in.id], 2)
    assert labels[walk_in.id].startswith("Table ")
