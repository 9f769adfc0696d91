"""The check-in fast path (summit/api/fastpath.py): a warm scanner's check-ins are answered
before Flask runs, exactly as the Flask view answers them, on the same rate-limit counters;
everything else (a cold cache, a body it will not read, a limit reached) goes to the view."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from summit.audit import AuditLog
from summit.auth.services import issue_token
from summit.checkin.models import Checkin
from summit.extensions import db

# Headers whose values differ from one answer to the next (or that only Flask's cookie session
# adds: "Vary: Cookie" on an answer that never sets one).
VARYING = {"X-Request-ID", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After",
           "Date", "Vary"}


@pytest.fixture
def app_config(request):
    """Rate limits on; a test may lower some (``small_limits``)."""
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMITS": getattr(request, "param", {})}


def small_limits(**limits):
    return pytest.mark.parametrize("app_config", [limits], indirect=True, ids=["small-limits"])


@pytest.fixture
def lane(app, client, desk, make_attendee):
    """A scanner's token, and pairs of attendees who differ only in their check-in code."""
    event = desk["event"]
    token = issue_token(desk["volunteer"], "Lane 1")

    def twins(**fields):
        return [make_attendee(event, first_name="Tess", last_name="Twin",
                              organization="Shelby County Schools", state="TN",
                              accessibility="Large print", **fields) for _ in range(2)]

    people = {"green": twins(), "nonce": twins(), "cancelled": twins(status="cancelled"),
              "waitlisted": twins(status="waitlisted")}
    db.session.commit()
    url = f"/api/v1/events/{event.slug}/checkins"

    def post(body, *, fast: bool = True, token: str = token, raw: bytes | None = None,
             environ: dict | None = None):
        app.config["API_FAST_PATH"] = fast
        try:
            return client.post(url, data=raw if raw is not None else json.dumps(body),
                               headers={"Authorization": f"Bearer {token}",
                                        "Content-Type": "application/json"},
                               environ_base=environ or {})
        finally:
            app.config["API_FAST_PATH"] = True

    post.token = token
    post.people = people
    post.url = url
    return post


def _comparable(response) -> tuple:
    body = response.get_json()
    body.pop("checked_in_at", None)
    headers = {k: v for k, v in response.headers.items() if k not in VARYING}
    return response.status_code, body, headers


def test_a_warm_scanner_is_served_before_flask_and_answered_as_the_view_would(
        lane, desk, flask_saw):
    # The first check-in goes through Flask: it checks the token and caches what it learnt.
    assert lane({"code": desk["ben"].checkin_code}).status_code == 201
    assert len(flask_saw) == 1
    people = lane.people
    cases = [
        ("green", {"code": people["green"][0].checkin_code},
         {"code": people["green"][1].checkin_code}),
        ("amber", {"code": people["green"][0].checkin_code},
         {"code": people["green"][1].checkin_code}),
        ("offline upload", {"code": people["nonce"][0].checkin_code, "nonce": "n-fast"},
         {"code": people["nonce"][1].checkin_code, "nonce": "n-view"}),
        ("replayed upload", {"code": people["nonce"][0].checkin_code, "nonce": "n-fast"},
         {"code": people["nonce"][1].checkin_code, "nonce": "n-view"}),
        ("cancelled", {"code": people["cancelled"][0].checkin_code},
         {"code": people["cancelled"][1].checkin_code}),
        ("waitlisted", {"code": people["waitlisted"][0].checkin_code},
         {"code": people["waitlisted"][1].checkin_code}),
        ("unknown", {"code": "ZZZZZZZZZZZZZZZZZZZZZZZZZZ"}, {"code": "ZZZZZZZZZZZZZZZZZZZZZZZZZZ"}),
    ]
    statuses = []
    for name, fast_body, view_body in cases:
        before = len(flask_saw)
        fast = lane(fast_body)
        assert len(flask_saw) == before, f"{name}: the fast path handed it to Flask"
        view = lane(view_body, fast=False)
        assert len(flask_saw) == before + 1, f"{name}: the view did not answer"
        assert _comparable(fast) == _comparable(view), name
        assert fast.get_data().endswith(b"}\n") and b": " not in fast.get_data()  # as jsonify
        statuses.append(fast.status_code)
    assert statuses == [201, 200, 201, 201, 409, 409, 404]  # a replay: its first answer
    assert lane({"code": people["green"][0].checkin_code}).headers["Content-Security-Policy"] \
        .startswith("default-src 'none'")

    # Both ways wrote the same records: one check-in and one audit entry per green answer.
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 5
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "checkin.created")
                                 .order_by(AuditLog.id)).all()
    assert len(entries) == 5
    assert {(e.actor_user_id, e.after["source"]) for e in entries} == {
        (desk["volunteer"].id, "api")}
    fast_row = db.session.scalar(select(Checkin).where(
        Checkin.attendee_id == people["nonce"][0].id))
    assert fast_row.nonce == "n-fast" and fast_row.at.tzinfo is not None


@small_limits(api_token="5 per minute")
def test_both_ways_count_on_the_same_rate_limit(lane, desk, flask_saw):
    answers = [lane({"code": desk["ben"].checkin_code}, fast=fast)
               for fast in (True, True, False, True, True)]
    assert [a.status_code for a in answers] == [201, 200, 200, 200, 200]
    remaining = [int(a.headers["X-RateLimit-Remaining"]) for a in answers]
    assert remaining == [4, 3, 2, 1, 0]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"5"}
    refused = lane({"code": desk["amber"].checkin_code})
    assert refused.status_code == 429 and refused.is_json
    assert "Retry-After" in refused.headers
    assert flask_saw.count(lane.url) == 3  # the first, the view's, and the refusal
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 1


@small_limits(api_bad_token="3 per minute")
def test_bad_tokens_at_the_venue_never_stop_a_valid_one_on_either_path(lane, desk, flask_saw):
    """One scanner with a wrong token is refused (429 past its network's budget); the other
    lanes on the same address keep checking people in, on the fast path and through Flask."""
    assert lane({"code": desk["ben"].checkin_code}).status_code == 201  # now warm
    venue = {"REMOTE_ADDR": "10.9.9.9"}
    for n in range(3):
        assert lane({"code": desk["amber"].checkin_code}, token=f"smt_wrong{n}",
                    environ=venue).status_code == 401
    refused = lane({"code": desk["amber"].checkin_code}, token="smt_wrong4", environ=venue)
    assert refused.status_code == 429 and refused.is_json and "Retry-After" in refused.headers
    seen = flask_saw.count(lane.url)
    assert lane({"code": desk["amber"].checkin_code}, environ=venue).status_code == 201
    assert flask_saw.count(lane.url) == seen  # answered on the fast path
    assert lane({"code": desk["amber"].checkin_code}, environ=venue,
                fast=False).status_code == 200  # and through Flask (already checked in)


def test_what_the_fast_path_will_not_read_goes_to_the_view_with_its_body(lane, desk, flask_saw,
                                                                        client):
    assert lane({"code": desk["ben"].checkin_code}).status_code == 201
    wrong_type = lane({"code": 5})
    assert wrong_type.status_code == 422  # the view read the body the fast path put back
    assert wrong_type.get_json()["error"].startswith('"code" is required')
    broken = lane(None, raw=b'{"code": ')
    assert broken.status_code == 400 and "JSON" in broken.get_json()["error"]
    nul = lane({"code": desk["amber"].checkin_code, "nonce": "a\x00b"})
    assert nul.status_code == 422 and "nonce" in nul.get_json()["error"]
    too_big = lane(None, raw=json.dumps({"code": "A" * 70_000}).encode())
    assert too_big.status_code == 422
    assert flask_saw.count(lane.url) == 5
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 1
    # A query string: Flask's input guard reads it (a NUL there is refused with a 400).
    nul_query = client.post(f"{lane.url}?a=%00", json={"code": desk["amber"].checkin_code},
                            headers={"Authorization": f"Bearer {lane.token}"})
    assert nul_query.status_code == 400 and flask_saw.count(lane.url) == 6
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 1


def test_an_unknown_or_other_event_token_is_always_decided_by_flask(
        lane, desk, make_event, make_staff, flask_saw):
    assert lane({"code": desk["ben"].checkin_code}).status_code == 201
    other_event = make_event()
    stranger = issue_token(make_staff("checkin", event=other_event), "elsewhere")
    db.session.commit()
    assert lane({"code": desk["amber"].checkin_code}, token=stranger).status_code == 403
    assert lane({"code": desk["amber"].checkin_code}, token="smt_nobody").status_code == 401
    assert flask_saw.count(lane.url) == 3


def test_the_fast_path_writes_the_request_log_line(test_database, tmp_path, make_event,
                                                   make_attendee, make_staff, capsys,
                                                   restore_logging):
    from tests.conftest import make_test_app

    app = make_test_app(test_database, tmp_path / "json-logs", LOG_FORMAT="json")
    try:
        with app.app_context():
            event = make_event()
            first, second = make_attendee(event), make_attendee(event)
            token = issue_token(make_staff("checkin", event=event), "Lane 1")
            db.session.commit()
            codes = [first.checkin_code, second.checkin_code]
            url = f"/api/v1/events/{event.slug}/checkins"
            db.session.remove()
        client = app.test_client()
        capsys.readouterr()
        for code in codes:
            response = client.post(url, json={"code": code},
                                   headers={"Authorization": f"Bearer {token}",
                                            "X-Request-ID": f"scan-{code[:8]}"})
            assert response.status_code == 201
            assert response.headers["X-Request-ID"] == f"scan-{code[:8]}"
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()
                 if line.startswith("{")]
        requests = [line for line in lines if line["logger"] == "summit.request"]
        assert [r["request_id"] for r in requests] == [f"scan-{code[:8]}" for code in codes]
        fast = requests[1]
        assert fast["path"] == url and fast["status"] == 201 and fast["method"] == "POST"
        assert isinstance(fast["duration_ms"], float)
    finally:
        with app.app_context():
            db.engine.dispose()


def test_a_kept_connection_the_database_dropped_is_replaced_without_an_error(lane, desk):
    from sqlalchemy import text

    from summit.database import _WARM

    assert lane({"code": desk["ben"].checkin_code}).status_code == 201
    engine = db.engine
    kept = _WARM.idle[engine][1]
    assert kept, "the check-in did not keep its connection warm"
    for raw in kept:
        if engine.dialect.name == "postgresql":
            with engine.connect() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"),
                              {"pid": raw.dbapi_connection.info.backend_pid})
        else:
            raw.dbapi_connection.close()
    response = lane({"code": desk["amber"].checkin_code})
    assert response.status_code == 201, response.get_json()
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 2
