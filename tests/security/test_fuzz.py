"""Property-based fuzz over every POST route, the CSV imports and the JSON check-in API.

For every POST rule in ``app.url_map`` (found at run time: a route added later is fuzzed too)
the test signs in as the role its access declaration allows, learns its field names from the
view's source and WTForms classes and from the forms on the app's own GET pages, and sends
arbitrary values: unicode, control characters, NUL bytes, huge strings, numbers out of range,
missing fields, repeated (multi-valued) fields, unknown extra fields. Properties:

- never a 5xx answer;
- an answer that refuses the submission (4xx) leaves every table with the same number of rows
  (no partial write).
"""

from __future__ import annotations

import io
import json
import time

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from summit.extensions import db
from tests.security.fuzzing import (
    FormScraper,
    client_for,
    form_strategy,
    json_strategy,
    role_for,
    row_counts,
    source_fields,
)
from tests.security.world import build_world

EXAMPLES = 15  # per route, at most
MIN_EXAMPLES = 3
ROUTE_BUDGET = 0.8  # seconds per route, roughly
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

# Routes that end a session or delete the world's own objects run last, so the others are
# fuzzed against a complete world.
DESTRUCTIVE = ("delete", "remove", "withdraw", "revoke", "cancel", "sign-out", "logout",
               "exit", "kiosk", "leave")
# A refused sign-in records the failed attempt (that is the point of throttling): expected.
WRITES_ON_REFUSAL = {"auth.login": {"login_failures"}, "checkin.kiosk_exit": {"login_failures"}}


@pytest.fixture
def app_config():
    return {"HOMEROOMS_ANNEAL_ITERATIONS": 300}


@pytest.fixture
def fuzz_world(app):
    from summit.auth.models import StaffUser
    from summit.auth.services import create_user, issue_token
    from summit.events.models import Event
    from summit.messages.services import preferences_token
    from summit.registration.models import Attendee

    world = build_world(app)
    event = db.session.get(Event, world.event_id)
    users = {
        "organizer": db.session.scalar(db.select(StaffUser.id).where(
            StaffUser.email == world.organizer)),
        "checkin": db.session.scalar(db.select(StaffUser.id).where(
            StaffUser.email == world.checkin)),
        "global": create_user("global@hardening.test", "organizer", "correct horse battery",
                              event_id=None).id,
    }
    checkin_user = db.session.get(StaffUser, users["checkin"])
    token = issue_token(checkin_user, "fuzz")
    amber = db.session.get(Attendee, world.amber_id)
    prefs = preferences_token(amber)
    db.session.commit()
    ids = {
        "session_id": world.session_ids, "room_id": world.room_ids, "slot_id": world.slot_ids,
        "table_id": world.table_ids, "attendee_id": [world.amber_id, world.ben_id],
        "plan_id": [world.plan_id], "topic_id": [world.topic_id],
        "announcement_id": [world.announcement_id], "request_id": [world.request_id],
        "organization_id": [world.organization_id], "domain_id": [world.domain_id],
        "block_id": world.block_ids,
    }
    return {"world": world, "event": event, "users": users, "token": token, "ids": ids,
            "prefs": prefs}


def path_values(rule, fw) -> dict:
    world = fw["world"]
    values = {}
    for name in rule.arguments:
        if name == "slug":
            values[name] = world.slug
        elif name == "secret":
            values[name] = world.amber_secret
        elif name == "code":
            values[name] = world.amber_code
        elif name == "token":
            values[name] = fw["prefs"]
        elif name == "key":
            values[name] = "d1"
        elif name == "action":
            values[name] = "promote"
        elif name in fw["ids"]:
            values[name] = fw["ids"][name][-1]
        else:
            values[name] = 1
    return values


def discover(app, fw):
    """POST routes with their role, URL, field names (with offered values) and file fields."""
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint != "static"]
    # Forms on every GET page each role can open.
    scraped: dict[str, dict[str, list[str]]] = {}
    scraped_files: set[tuple[str, str]] = set()
    clients = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if any(x in rule.rule for x in (".pdf", ".csv", ".ics", ".svg", "/eml", "/live")):
            continue
        role = role_for(app.view_functions[rule.endpoint].access)
        if role == "api":
            continue
        if role not in clients:
            clients[role] = client_for(app, role, fw["world"], fw["users"])
        url = rule.build(path_values(rule, fw), append_unknown=False)[1]
        response = clients[role].get(url)
        if response.status_code != 200 or "html" not in (response.content_type or ""):
            continue
        parser = FormScraper(url)
        parser.feed(response.get_data(as_text=True))
        for target, fields in parser.forms.items():
            merged = scraped.setdefault(target, {})
            for name, offered in fields.items():
                merged.setdefault(name, []).extend(offered)
        scraped_files |= parser.files
    routes = []
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        role = role_for(view.access)
        url = rule.build(path_values(rule, fw), append_unknown=False)[1]
        names, files = source_fields(view)
        fields = {name: [] for name in names}
        for name, offered in scraped.get(url, {}).items():
            fields.setdefault(name, []).extend(offered)
        files |= {name for target, name in scraped_files if target == url}
        routes.append((rule, role, url, fields, files))
    routes.sort(key=lambda r: (any(d in r[0].rule for d in DESTRUCTIVE), r[0].rule))
    return routes


def encode(body: dict, files: set[str]) -> dict:
    data = {}
    for name, value in body.items():
        if name in files and isinstance(value, bytes):
            data[name] = (io.BytesIO(value), "upload.csv")
        else:
            data[name] = value
    return data


def check(response, before, after, allowed_tables=frozenset()) -> str | None:
    if response.status_code >= 500:
        return f"answered {response.status_code}"
    if 400 <= response.status_code < 500:
        changed = {t: (before[t], after[t]) for t in before
                   if before[t] != after[t] and t not in allowed_tables}
        if changed:
            return f"refused with {response.status_code} but changed rows: {changed}"
    return None


def restore(fw) -> None:
    """Undo what an accepted submission may have done to the signed-in people."""
    from summit.registration.models import Attendee

    amber = db.session.get(Attendee, fw["world"].amber_id)
    db.session.refresh(amber)
    if amber.status != "registered":
        amber.status = "registered"
    db.session.commit()


def route_fuzzer(app, fw, rule, role, url, fields, files, known):
    def submit(body, htmx):
        restore(fw)
        client = client_for(app, role, fw["world"], fw["users"])
        headers = {"HX-Request": "true"} if htmx else {}
        before = row_counts()
        response = client.post(url, data=encode(body, files), headers=headers)
        after = row_counts()
        problem = check(response, before, after,
                        WRITES_ON_REFUSAL.get(rule.endpoint, frozenset()))
        assert problem is None, f"{problem}; body={body!r:.600}"

    # The first submission (no fields at all) also measures the route, so that slow routes
    # (a PDF attached to an email, the seating engine) get fewer examples within the budget.
    started = time.perf_counter()
    submit({}, False)
    elapsed = time.perf_counter() - started
    examples = max(MIN_EXAMPLES, min(EXAMPLES, int(ROUTE_BUDGET / max(elapsed, 1e-3))))

    @settings(FUZZ, max_examples=examples)
    @given(body=form_strategy(fields, files, known), htmx=st.booleans())
    def fuzz_route(body, htmx):
        submit(body, htmx)

    return fuzz_route


def test_every_form_survives_arbitrary_input(app, fuzz_world):
    fw = fuzz_world
    routes = discover(app, fw)
    assert len(routes) > 50, "the URL map should have many POST routes"
    with_fields = [r for r in routes if r[3]]
    assert len(with_fields) > 30, [r[0].rule for r in routes if not r[3]]
    failures: list[str] = []
    for rule, role, url, fields, files in routes:
        if role == "api":
            continue  # the JSON API has its own test below
        known = [str(v) for values in fw["ids"].values() for v in values]

        try:
            route_fuzzer(app, fw, rule, role, url, fields, files, known)()
        except Exception as exc:  # noqa: BLE001 - collect every route's failure, then report
            note = "\n    ".join(line for line in str(exc).splitlines()[:12])
            failures.append(f"POST {url} as {role}: {type(exc).__name__}: {note[:1500]}")
    assert not failures, "\n".join(failures)


@FUZZ
@given(body=st.one_of(json_strategy().map(json.dumps), st.binary(max_size=500)),
       content_type=st.sampled_from(["application/json", "text/plain", "",
                                     "application/x-www-form-urlencoded"]))
def test_checkin_api_survives_arbitrary_json(app, fuzz_world, body, content_type):
    world = fuzz_world["world"]
    client = app.test_client()
    before = row_counts()
    response = client.post(f"/api/v1/events/{world.slug}/checkins", data=body,
                           content_type=content_type or None,
                           headers={"Authorization": f"Bearer {fuzz_world['token']}"})
    after = row_counts()
    problem = check(response, before, after)
    assert problem is None, problem
    assert response.is_json, response.data[:200]


@FUZZ
@given(code=st.one_of(st.text(max_size=300), st.sampled_from(["", "\x00", "x" * 5000])),
       nonce=st.one_of(st.none(), st.text(max_size=200), st.integers(), st.lists(st.integers())))
def test_checkin_api_codes_and_nonces(app, fuzz_world, code, nonce):
    world = fuzz_world["world"]
    before = row_counts()
    response = app.test_client().post(
        f"/api/v1/events/{world.slug}/checkins", json={"code": code, "nonce": nonce},
        headers={"Authorization": f"Bearer {fuzz_world['token']}"})
    after = row_counts()
    assert check(response, before, after) is None, (response.status_code, response.data[:300])
