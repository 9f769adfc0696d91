"""No secret in any log, for every route, now or later.

The URL map is walked: every free-text part of a route's path must be either declared a secret
(``<secret:name>``, which ``summit.logsafe`` then redacts) or listed below as harmless, with the
reason. Each declared secret is then put through every log line Summit writes: the app's JSON
request line (a real request), gunicorn's access line (the format of ``gunicorn.conf.py``) and
werkzeug's development-server line. Query strings never reach a log either.
"""

from __future__ import annotations

import json
import logging
import re
import runpy
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.routing import IntegerConverter, PathConverter
from werkzeug.routing.converters import NumberConverter

from summit.logsafe import RedactFilter, SecretConverter, redact

ROOT = Path(__file__).resolve().parents[2]

# Free-text path parts that carry no secret, and why. Anything else must be <secret:...>.
HARMLESS = {
    ("admin.attendee_action", "action"): "the name of a button (promote, cancel...)",
    ("badges.calibration", "stock"): "a label stock's public name",
    ("plans.give_feedback", "key"): "a session or day number (s12, d2), behind the sign-in",
    **{(f"live.{name}", "room_key"): "a session or plenary block number (s12, b3), the same "
       "for everyone in the room (it is in the projector's QR code)"
       for name in ("room", "room_live", "ask", "upvote", "vote", "moderate_page",
                    "moderate_live", "settings", "moderate_question", "new_poll",
                    "poll_action", "screen", "screen_live", "export")},
}


@pytest.fixture
def app_config():
    return {"LOG_FORMAT": "json"}


pytestmark = pytest.mark.usefixtures("restore_logging")


def _secret() -> str:
    return "Sx" + secrets.token_hex(16)


def _secret_routes(app):
    """(rule, URL with fresh secrets, the secrets) for every route that declares one."""
    routes = []
    for rule in app.url_map.iter_rules():
        names = [n for n, c in rule._converters.items() if isinstance(c, SecretConverter)]
        if not names:
            continue
        values = {name: _secret() for name in names}
        for name, converter in rule._converters.items():
            if name not in values:
                values[name] = 7 if isinstance(converter, IntegerConverter) else "summit-2027"
        routes.append((rule, rule.build(values, append_unknown=False)[1],
                       [values[n] for n in names]))
    return routes


def _leaks(text: str, secret_values) -> list[str]:
    """The secrets (or their first half) found in ``text``."""
    return [s for s in secret_values if s[: len(s) // 2].lower() in text.lower()]


def test_every_free_text_path_part_is_declared_secret_or_harmless(app):
    undecided = []
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if isinstance(converter, SecretConverter | IntegerConverter | NumberConverter):
                continue
            if name == "slug" or (rule.endpoint == "static" and isinstance(converter,
                                                                          PathConverter)):
                continue  # an event's public name; a file of static/
            if (rule.endpoint, name) not in HARMLESS:
                undecided.append(f"{rule.rule} ({rule.endpoint}): <{name}>")
    assert not undecided, (
        "Declare each as <secret:name> if it is a secret, else add it to HARMLESS with the "
        "reason:\n" + "\n".join(undecided))


def test_the_routes_known_to_carry_secrets_declare_them(app):
    declared = {rule.endpoint for rule, _url, _secrets in _secret_routes(app)}
    assert {"registration.personal_link", "checkin.code_link", "selfcheckin.arrive",
            "selfcheckin.entrance_scan", "breakouts.private_feed",
            "messages.preferences"} <= declared


def test_the_app_request_line_never_logs_a_secret_or_a_query(app, client, capsys):
    routes = _secret_routes(app)
    query = _secret()
    capsys.readouterr()
    for rule, url, _values in routes:
        for method in sorted(rule.methods & {"GET", "POST"}):
            client.open(f"{url}?t={query}", method=method)
            client.open(url.upper(), method=method)  # another spelling of the same secret
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    paths = [line["path"] for line in lines if line["logger"] == "summit.request"]
    assert len(paths) >= 2 * len(routes)  # every request was logged
    assert _leaks(err, [query] + [s for *_, values in routes for s in values]) == []
    assert any(path.endswith("/arrive/[redacted]") for path in paths)


class _Response:
    status, sent, headers = "200 OK", 12, [("X-Request-ID", "r1")]


def test_werkzeug_and_gunicorn_access_lines_never_log_a_secret_or_a_query(app, monkeypatch):
    from gunicorn.glogging import Logger, SafeAtoms

    monkeypatch.setenv("LOG_FORMAT", "json")  # what gunicorn.conf.py would set
    access_format = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["access_log_format"]
    gunicorn = Logger.__new__(Logger)  # only its atoms() is used: no handlers installed
    query = _secret()
    for _rule, url, values in _secret_routes(app):
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"{url}?t={query}", "PATH_INFO": url,
                   "QUERY_STRING": f"t={query}", "SERVER_PROTOCOL": "HTTP/1.1",
                   "HTTP_REFERER": f"https://summit.test{url}?t={query}"}
        atoms = SafeAtoms(gunicorn.atoms(_Response, {}, environ, timedelta(milliseconds=3)))
        records = [
            logging.LogRecord("gunicorn.access", logging.INFO, "", 0, access_format, (atoms,),
                              None),
            logging.LogRecord("werkzeug", logging.INFO, "", 0, '%s - - [%s] "%s" %s -',
                              ("127.0.0.1", "now", f"GET {url}?t={query} HTTP/1.1", "200"),
                              None),
        ]
        for record in records:
            RedactFilter().filter(record)
            line = record.getMessage()
            assert _leaks(line, [query, *values]) == [], line
            assert "[redacted]" in line


def test_an_error_logged_on_a_secret_route_is_redacted(app, client, capsys):
    """Flask logs "Exception on <path> [GET]": redacted in the JSON lines, and by the filter
    create_app puts on Flask's own handler (used when LOG_FORMAT=text)."""
    from flask import request
    from flask.logging import default_handler

    secret = _secret()

    @app.before_request
    def fail():
        if "/arrive/" in request.path:
            raise RuntimeError("broken")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    capsys.readouterr()
    assert client.get(f"/e/summit/arrive/{secret}").status_code == 500
    err = capsys.readouterr().err
    assert "Exception on /e/summit/arrive/[redacted] [GET]" in err
    assert _leaks(err, [secret]) == []

    record = logging.LogRecord("summit", logging.ERROR, "", 0, "Exception on %s [%s]",
                               (f"/e/summit/arrive/{secret}", "GET"), None)
    assert default_handler.filter(record)
    assert _leaks(default_handler.format(record), [secret]) == []


def test_redaction_covers_every_way_a_secret_path_is_written(app):
    for _rule, url, values in _secret_routes(app):
        head, _sep, last = url.rpartition("/")
        half = last[: len(last) // 2]
        for text in (url, f"https://summit.test{url}", f'"GET {url} HTTP/1.1"',
                     f'{{"path": "{url}"}}', f"see <{url}>", f"[{url}]",
                     f"{head}/{half}", url.upper(), url.replace("/", "%2F"),
                     f"/login?next={url}"):
            assert _leaks(redact(text), values) == [], text
    assert redact("/e/summit/?q=someone@example.org") == "/e/summit/?[redacted]"
    assert redact('File "/srv/summit/summit/app.py", line 3') == \
        'File "/srv/summit/summit/app.py", line 3'  # paths that are not URLs stay readable


def _nginx_log_map() -> list[tuple[re.Pattern[str], str]]:
    """The regex entries of the ``map $uri $summit_log_path`` block in docs/operations.md."""
    text = (ROOT / "docs" / "operations.md").read_text()
    block = text.split("map $uri $summit_log_path {", 1)[1].split("}", 1)[0]
    entries = []
    for line in block.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].startswith("~"):
            flags = re.IGNORECASE if parts[0].startswith("~*") else 0
            pattern = parts[0].lstrip("~*").replace("(?<", "(?P<")
            entries.append((re.compile(pattern, flags), parts[1].rstrip(";")))
    return entries


def test_the_documented_nginx_log_map_redacts_every_secret_route(app):
    entries = _nginx_log_map()
    assert entries
    for _rule, url, values in _secret_routes(app):
        logged = url  # nginx's "default $uri"
        for pattern, replacement in entries:
            match = pattern.match(url)
            if match:
                logged = re.sub(r"\$(\w+)", lambda m, match=match: match.group(m.group(1)),
                                replacement)
                break
        assert _leaks(logged, values) == [], f"nginx would log {logged}"
