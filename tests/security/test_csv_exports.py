"""Every CSV export defuses formulas in every cell, now and later.

The exports are discovered, not listed: every GET route of the URL map is requested as the
organizer and kept if it answers ``text/csv``; every link on the organizer's pages to such a
route adds its variants (``?kind=progress``); every command-line command whose help says it
writes CSV is run. The event holds a hostile text (``=HYPERLINK(...)``, and ``+ - @``, tab and
carriage-return prefixes) in every field a person types, so every text column of every export
carries one; no cell may start as a formula. A static check keeps every CSV writer in
``summit/csv_tools.py`` (and every CSV download in ``summit/responses.py``).
"""

from __future__ import annotations

import ast
import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import click
import pytest
from sqlalchemy import select

from summit.csv_tools import FORMULA_STARTS, defuse, write_csv
from summit.extensions import db

ROOT = Path(__file__).resolve().parents[2]
PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MARK = "evil"  # in every hostile text, so its cells can be found
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# Cells Summit writes itself (numbers, dates, links, status words): never typed by a person.
# Generated cells: empty, numbers, dates, addresses, words, times of day (09:00) and
# certificate codes (20 characters of summit.codes' alphabet).
_GENERATED = re.compile(r"^$|^-?\d+(\.\d+)?$|^\d{4}-\d\d-\d\d[T \d:+.-]*$|^https?://\S+$"
                        r"|^[a-z][a-z ]*$|^\d\d:\d\d$|^[a-hj-km-np-z2-9]{20}$")


def hostile(n: int, what: str) -> str:
    prefix = PREFIXES[n % len(PREFIXES)]
    return f'{prefix}HYPERLINK("https://{MARK}.test/{what}?{n}","{what}")'


@pytest.fixture
def hostile_event(app, make_event, make_attendee, make_staff):
    """An event whose every typed field starts like a formula: attendees (names, email,
    district, state, role, notes), tables, plan questions and every kind of plan answer."""
    from summit.homerooms import services as homerooms
    from summit.homerooms.models import HomeroomTable
    from summit.plans import services as plans

    event = make_event("csv-hostile", days=2)
    attendees = []
    for n in range(len(PREFIXES) * 2):
        attendees.append(make_attendee(
            event, first_name=hostile(n, "first")[:100], last_name=hostile(n, "last")[:100],
            email=f"{PREFIXES[n % len(PREFIXES)]}{MARK}{n}@example.org",
            organization=hostile(n, "district"), state=f"{PREFIXES[n % len(PREFIXES)]}{MARK}{n}",
            role=hostile(n, "role")[:100], dietary=hostile(n, "dietary"),
            accessibility=hostile(n, "access")))
    homerooms.create_tables(event, 3, 6)
    for n, table in enumerate(db.session.scalars(
            select(HomeroomTable).where(HomeroomTable.event_id == event.id))):
        table.name = hostile(n, "table")[:100]
    db.session.commit()
    homerooms.assign(event, seed=1)
    template = plans.template_for(event)
    questions = [q for s in plans.live_sections(template) for q in s.live_questions]
    for n, question in enumerate(questions):
        question.prompt = hostile(n, "prompt") + ": " + question.prompt
        if question.kind == "priorities":
            question.options = [hostile(n + i, "priority") for i in range(len(question.options))]
    db.session.commit()
    for n, attendee in enumerate(attendees):
        plan = plans.plan_for(attendee)
        for question in questions:
            for field, value in _fields(question, hostile(n, "answer")):
                plans.save_answer(plan, question, field, value, 0, by="test")
        db.session.commit()
    from summit.plans import feedback

    day_one = feedback.find_target(event, 1, None)
    for n, attendee in enumerate(attendees):  # after-action feedback, named and anonymous
        feedback.submit(app.config["SECRET_KEY"], event, attendee, day_one,
                        {key: hostile(n, key) for key, _ in feedback.QUESTIONS}, 1 + n % 5,
                        anonymous=n % 2 == 1)
    db.session.commit()
    # Learning credit: an activity with a hostile title, granted to everyone.
    from datetime import time

    from summit.breakouts.api import save_program_block
    from summit.credits import services as credits

    block = save_program_block(event, title=hostile(0, "activity")[:200], day=1,
                               starts=time(9), ends=time(10))
    for attendee in attendees:
        credits.correct(event, attendee, f"b{block.id}", granted=True, reason="Seen there")
    db.session.commit()
    return event, make_staff("organizer", event)


def _fields(question, text):
    from summit.plans.services import ACTION_FIELDS

    if question.kind == "readiness":
        return [("score", "2"), ("note", text)]
    if question.kind == "priorities":
        return [(f"rank:{option}", str(i)) for i, option in enumerate(question.options, 1)]
    if question.kind == "actions":
        return [(f"a1.{name}", text) for name, _label in ACTION_FIELDS]
    return [("", text)]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = set()

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/"):
            self.hrefs.add(href)


def _web_exports(app, client, event) -> dict[str, str]:
    """{url: CSV text} for every CSV the organizer can download."""
    adapter = app.url_map.bind("summit.test")
    exports, pages = {}, []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {name: event.slug if name == "slug" else 1 for name in rule.arguments}
        url = rule.build(values, append_unknown=False)[1]
        response = client.get(url)
        if response.mimetype == "text/csv":
            exports[url] = response.get_data(as_text=True)
        elif response.mimetype == "text/html" and response.status_code == 200:
            pages.append(response.get_data(as_text=True))
    csv_endpoints = {adapter.match(urlsplit(url).path)[0] for url in exports}
    for page in pages:  # variants linked from the pages (?kind=progress)
        links = _Links()
        links.feed(page)
        for href in links.hrefs - exports.keys():
            try:
                endpoint = adapter.match(urlsplit(href).path)[0]
            except Exception:  # noqa: BLE001 - not a route of ours (or not a GET)
                continue
            if endpoint in csv_endpoints:
                response = client.get(href)
                assert response.mimetype == "text/csv", href
                exports[href] = response.get_data(as_text=True)
    return exports


def _cli_exports(app, event) -> dict[str, str]:
    """{command: CSV text} for every command whose help says it writes CSV."""
    def walk(command, path):
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])
        else:
            yield " ".join(path), command

    runner = app.test_cli_runner()
    exports = {}
    for name, command in walk(app.cli, []):
        if re.search(r"\bas CSV\b", command.help or ""):
            result = runner.invoke(args=[*name.split(), event.slug])
            assert result.exit_code == 0, (name, result.output)
            exports[name] = result.stdout
    return exports


def _undefused(text: str) -> tuple[list[list[str]], list[str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    bad = [cell for row in rows for cell in row
           if cell.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(cell)]
    return rows, bad


def test_every_export_defuses_a_hostile_text_in_every_column(app, client, auth, hostile_event):
    event, organizer = hostile_event
    auth.login(organizer)
    exports = {**_web_exports(app, client, event), **_cli_exports(app, event)}
    assert any("kind=progress" in name for name in exports)  # the discovery found the variants
    assert {"registrations export", "homerooms export"} <= exports.keys()
    assert len(exports) >= 6
    for name, text in exports.items():
        rows, bad = _undefused(text)
        assert not bad, f"{name} writes formulas: {bad[:3]}"
        header, body = rows[0], rows[1:]
        assert body, f"{name} exported no rows"
        for column, title in enumerate(header):
            cells = [row[column] for row in body if column < len(row)]
            typed = [c for c in cells if MARK in c]
            assert typed or all(_GENERATED.match(c) for c in cells), (
                f"{name}: column {title!r} has text without a hostile example: {cells[:3]}")
            # The hostile text reached this column as typed (stores may trim a tab or CR).
            assert not typed or any(c[:1] == "'" and c[1:2] in PREFIXES for c in typed), (
                name, title, typed[:3])


def test_every_csv_is_written_by_the_one_writer():
    """No module but summit/csv_tools.py makes a csv writer; only summit/responses.py answers
    text/csv (with that writer)."""
    offenders = []
    for path in sorted((ROOT / "summit").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(), relative)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter")
                    and isinstance(node.value, ast.Name) and node.value.id == "csv"
                    and relative != "summit/csv_tools.py"):
                offenders.append(f"{relative}:{node.lineno} csv.{node.attr}")
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and "text/csv" in node.value and relative != "summit/responses.py"):
                offenders.append(f"{relative}:{node.lineno} answers text/csv itself")
    assert not offenders, offenders


@pytest.mark.parametrize("text", [*(p + "1+2" for p in PREFIXES), "＝1+2", "＋1", "＠SUM(1)",
                                  "\n=1+2", "-1+2", "+33 1 23 45 67 89"])
def test_defuse_quotes_anything_a_spreadsheet_would_run(text):
    assert defuse(text) == "'" + text


@pytest.mark.parametrize("text", ["O'Brien-Ñúñez", "-3", "12.5", "", "Knox = County", "a@b.org"])
def test_defuse_keeps_plain_text_and_numbers_exact(text):
    assert defuse(text) == text


def test_write_csv_quotes_and_defuses_headers_and_cells():
    text = write_csv([{"a": "=1,2", "b": None, "c": 3}, {"a": 'say "hi"\nthere'}],
                     ["a", "b", "=c"])
    assert text.splitlines()[0] == "a,b,'=c"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["a", "b", "'=c"], ["'=1,2", "", ""], ['say "hi"\nthere', "", ""]]
