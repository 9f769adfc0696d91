"""Uploads cannot be turned against the server.

- A file over ``MAX_CONTENT_LENGTH`` gets the friendly 413 page (over real HTTP too), and
  nothing is written.
- CSV bombs on both imports (registrations, breakout sessions): a 2 MB single line, 100,000
  columns, quotes nested a million deep, more rows than an import takes, a header-only file of
  junk, NUL bytes, not UTF-8. Each one is refused with a readable answer, quickly, and no row
  is written (imports are all or nothing).
- Hypothesis-generated CSV files with the real headers and arbitrary cells: never a 5xx, and a
  refused file writes nothing.
- A logo that is not an image: the badge capability's upload routes are tested when they exist
  (see ``test_a_logo_that_is_not_an_image_is_refused``).
"""

from __future__ import annotations

import io
import time

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summit.registration.csv_io import IMPORT_COLUMNS
from tests.security.fuzzing import client_for, row_counts, source_fields
from tests.security.world import PASSWORD, build_world

LIMIT = 512 * 1024  # a small MAX_CONTENT_LENGTH keeps these tests fast; production: 8 MB
SESSION_COLUMNS = ("title", "description", "day", "start", "end", "room", "capacity",
                   "facilitators", "tags")


@pytest.fixture
def app_config():
    return {"MAX_CONTENT_LENGTH": LIMIT, "HOMEROOMS_ANNEAL_ITERATIONS": 300}


@pytest.fixture
def world(app):
    from summit.auth.models import StaffUser
    from summit.extensions import db

    world = build_world(app)
    users = {"organizer": db.session.scalar(
        db.select(StaffUser.id).where(StaffUser.email == world.organizer))}
    return world, users


IMPORTS = {
    "registrations": "/admin/e/{slug}/import",
    "breakouts": "/admin/e/{slug}/breakouts/import",
}


def upload(app, world, which: str, content: bytes, filename: str = "people.csv"):
    w, users = world
    client = client_for(app, "organizer", w, users)
    return client.post(IMPORTS[which].format(slug=w.slug),
                       data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def registration_csv(rows: int, extra: str = "") -> bytes:
    lines = [",".join(IMPORT_COLUMNS) + extra]
    lines += [f"A{i},B,a{i}@example.org,Knox County Schools,TN,Teacher" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def bombs(which: str) -> dict[str, bytes]:
    header = ",".join(IMPORT_COLUMNS if which == "registrations" else SESSION_COLUMNS)
    return {
        "a 400 KB single line": (header + "\n" + "x" * 400_000 + "\n").encode(),
        "a 400 KB quoted field": (header + '\n"' + "y" * 400_000 + '"\n').encode(),
        "100,000 columns": (header + "," + ",".join(f"c{i}" for i in range(100_000))
                            + "\n").encode()[:LIMIT - 2048],
        "100,000 empty columns in a row": (header + "\n" + "," * 100_000 + "\n").encode(),
        "quotes nested deep": (header + "\n" + '"' * 200_000 + "\n").encode(),
        "an unclosed quote": (header + '\n"' + "z\n" * 100_000).encode()[:LIMIT - 2048],
        "quote-heavy sample for the sniffer": ('"a""b",' * 600 + "\n").encode() * 20,
        "NUL bytes": header.encode() + b"\n\x00\x00\x00\n",
        "not UTF-8": header.encode() + b"\n\xff\xfe\xfa\n",
        "only a header of junk": b";;;;\t\t\t,,,\n",
        "empty": b"",
        "many short blank lines": b"\n" * 200_000,
    }


@pytest.mark.parametrize("which", sorted(IMPORTS))
def test_csv_bombs_are_refused_quickly_and_write_nothing(app, world, which):
    problems = []
    for name, content in bombs(which).items():
        before = row_counts()
        started = time.perf_counter()
        response = upload(app, world, which, content)
        took = time.perf_counter() - started
        after = row_counts()
        if response.status_code >= 500:
            problems.append(f"{name}: {response.status_code}")
        if response.status_code < 400:
            problems.append(f"{name}: accepted ({response.status_code})")
        if 400 <= response.status_code < 500 and before != after:
            problems.append(f"{name}: refused but wrote rows")
        if took > 10:
            problems.append(f"{name}: took {took:.1f} s")
    assert not problems, "\n".join(problems)


def test_more_rows_than_an_import_takes(app, world):
    from summit.registration.csv_io import MAX_ROWS

    before = row_counts()
    # 20,001 rows in ~470 KB (short lines): refused as a whole, with a clear reason.
    lines = [",".join(IMPORT_COLUMNS)] + [f"a,b,x{i}@e.co,O,S,R" for i in range(MAX_ROWS + 1)]
    content = ("\n".join(lines) + "\n").encode()
    assert len(content) < LIMIT
    response = upload(app, world, "registrations", content)
    assert response.status_code == 422
    assert b"Too many rows" in response.data
    assert row_counts() == before


@pytest.mark.parametrize("which", sorted(IMPORTS))
def test_a_file_over_the_limit_gets_the_friendly_413_page(app, world, which):
    before = row_counts()
    response = upload(app, world, which, registration_csv(20_000)[:LIMIT] + b"x" * LIMIT)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "File too large" in html and "Please upload a smaller file." in html
    assert 'href="/"' in html  # the page keeps the site's layout, with a way on
    assert row_counts() == before


def test_the_real_server_answers_413_before_reading_a_huge_body(live_server):
    """Over HTTP with CSRF on: a 12 MB upload against the default 8 MB limit."""
    import re

    app = live_server.app
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024
    world = build_world(app)
    session = requests.Session()
    login = session.get(f"{live_server.url}/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login.text) or \
        re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    session.post(f"{live_server.url}/login", data={
        "csrf_token": token.group(1), "email": world.organizer, "password": PASSWORD})
    page = session.get(f"{live_server.url}/admin/e/{world.slug}/import")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    with app.app_context():
        before = row_counts()
    try:
        response = session.post(
            f"{live_server.url}/admin/e/{world.slug}/import",
            data={"csrf_token": token.group(1)},
            files={"file": ("huge.csv", b"a," * (6 * 1024 * 1024), "text/csv")}, timeout=30)
    except requests.ConnectionError:
        pytest.fail("the server dropped the connection instead of answering 413")
    assert response.status_code == 413
    assert "File too large" in response.text
    with app.app_context():
        assert row_counts() == before


cell = st.one_of(st.text(max_size=40), st.sampled_from(
    ["", "=cmd|' /C calc'!A0", "@SUM(1)", "x" * 300, '"', '""', "\r", "\n", "9:00", "25:61",
     "1", "0", "-3", "99999999999", "2027-03-01", "a@example.org", "Ballroom A"]))


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(which=st.sampled_from(sorted(IMPORTS)),
       rows=st.lists(st.lists(cell, min_size=0, max_size=11), max_size=6),
       delimiter=st.sampled_from([",", ";", "\t"]),
       bom=st.booleans())
def test_generated_csv_files_never_give_a_500_or_a_partial_import(app, world, which, rows,
                                                                  delimiter, bom):
    import csv

    header = IMPORT_COLUMNS if which == "registrations" else SESSION_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    content = (("\ufeff" if bom else "") + out.getvalue()).encode()
    before = row_counts()
    response = upload(app, world, which, content)
    after = row_counts()
    assert response.status_code < 500
    if response.status_code >= 400:
        assert after == before


# --- the badge capability's logo upload -------------------------------------------------------

NOT_IMAGES = {
    "logo.png": b"<?php system($_GET['c']); ?>",
    "logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "logo.html": b"<html><script>alert(1)</script></html>",
    "logo.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 64,  # a JPEG header and nothing else
    "logo.gif": b"GIF89a" + b"<script>alert(1)</script>",
}


def png_bomb() -> bytes:
    """A valid PNG of 30,000 x 30,000 pixels in a few hundred KB: it must not be decoded."""
    import struct
    import zlib

    width = height = 30_000
    raw = zlib.compress(b"".join(b"\x00" + b"\x00" * (width // 8) for _ in range(height)), 9)

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0,
                                                              0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def test_a_logo_that_is_not_an_image_is_refused(app, world):
    """Skipped until the badge capability with logo uploads is merged; then it runs by itself.

    It finds every POST route of the ``badges`` blueprint that reads a file, and sends files
    that are not images (PHP, an SVG with a script, HTML, a truncated JPEG, a GIF header with a
    script) and a decompression bomb. Each must be refused with a 4xx and write no row.
    """
    w, users = world
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("badges.") or "POST" not in rule.methods:
            continue
        names, files = source_fields(app.view_functions[rule.endpoint])
        if files:
            url = rule.build({"slug": w.slug, **{a: 1 for a in rule.arguments if a != "slug"}},
                             append_unknown=False)[1]
            routes.append((url, sorted(files)))
    assert routes, "no badge upload route found: the logo upload moved or lost its file field"
    payloads = {**NOT_IMAGES, "bomb.png": png_bomb()}
    problems = []
    for url, fields in routes:
        for filename, content in payloads.items():
            client = client_for(app, "organizer", w, users)
            before = row_counts()
            response = client.post(url, data={f: (io.BytesIO(content), filename)
                                              for f in fields},
                                   content_type="multipart/form-data")
            if not 400 <= response.status_code < 500:
                problems.append(f"{url} {filename}: {response.status_code}")
            if row_counts() != before:
                problems.append(f"{url} {filename}: wrote rows")
    assert not problems, "\n".join(problems)
