"""Rate limits: each door answers 429 (a friendly page, or JSON under /api/) once its limit is
passed, never 500; valid personal links and a busy check-in desk are not slowed down."""

from __future__ import annotations

import uuid

import pytest
from flask import Blueprint, abort, jsonify
from limits import parse_many

from summit.access import public
from summit.ratelimits import RULES, apply_rate_limits

SMALL = {"login": "3 per minute", "personal_link": "3 per minute", "resend_link": "4 per minute",
         "resend_link_email": "2 per hour", "checkin_staff": "5 per minute",
         "checkin_anonymous": "6 per minute", "checkin_unknown_code": "3 per minute",
         "api_token": "4 per minute", "api_bad_token": "3 per minute"}


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "RATELIMITS": SMALL}


def probe_blueprint() -> Blueprint:
    """Stand-ins shaped like the check-in and API endpoints (matched by path, as theirs are)."""
    bp = Blueprint("ratelimit_probe", __name__)

    @bp.route("/c/probe/<code>")
    @public
    def code(code):
        if code != "good":
            abort(404)
        return "checked in"

    @bp.route("/api/probe")
    @public
    def api():
        from flask import request

        if request.headers.get("Authorization") != "Bearer valid-token":
            return jsonify({"error": "Send an API token"}), 401
        return jsonify({"ok": True})

    return bp


@pytest.fixture
def probe_app(app):
    app.register_blueprint(probe_blueprint())
    applied = apply_rate_limits(app)
    assert set(applied["ratelimit_probe.code"]) == {"checkin_staff", "checkin_anonymous",
                                                    "checkin_unknown_code", "api_token"}
    assert set(applied["ratelimit_probe.api"]) == {"api_token", "api_bad_token"}
    return app


def assert_friendly_429(response, text: str):
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    body = response.get_data(as_text=True)
    assert "Too many attempts" in body and text in body
    assert "<html" in body.lower()


def test_failed_logins_are_limited_per_ip_and_successes_do_not_count(client, make_staff):
    user = make_staff("organizer")
    for _ in range(5):  # successful sign-ins are not counted
        assert client.post("/login", data={"email": user.email,
                                           "password": "correct horse battery"}).status_code == 302
        client.post("/logout")
    for n in range(3):  # a different address each time: the per-address throttle stays quiet
        assert client.post("/login", data={"email": f"x{n}@example.org",
                                           "password": "wrong"}).status_code == 401
    assert_friendly_429(client.post("/login", data={"email": "y@example.org", "password": "w"}),
                        "sign-in attempts")
    # Another client IP is not affected; reading the page is never limited.
    other = client.post("/login", data={"email": "z@example.org", "password": "w"},
                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 401
    assert client.get("/login").status_code == 200


def test_invalid_personal_links_are_limited_valid_ones_are_not(client, make_event,
                                                                make_attendee):
    event = make_event()
    attendee = make_attendee(event)
    for _ in range(10):
        assert client.get(f"/me/{attendee.personal_secret}").status_code == 302
    for n in range(3):
        assert client.get(f"/me/{'x' * 39}{n}").status_code == 404
    assert_friendly_429(client.get(f"/me/{'y' * 40}"), "invalid links")
    # Once the network is over the limit, it waits like everyone else from it.
    assert client.get(f"/me/{attendee.personal_secret}").status_code == 429


def test_resend_link_form_is_limited_per_address_and_per_ip(client, make_event):
    event = make_event()
    url = f"/e/{event.slug}/resend"
    for _ in range(2):
        assert client.post(url, data={"email": "victim@example.org"}).status_code == 200
    assert_friendly_429(client.post(url, data={"email": "victim@example.org"}), "inbox")
    # Other addresses still work until the per-IP limit (4 a minute in this test).
    assert client.post(url, data={"email": "someone@example.org"}).status_code == 200
    assert client.post(url, data={"email": "else@example.org"}).status_code == 429
    assert client.get(url).status_code == 200


def test_checkin_codes_staff_are_counted_per_user_anonymous_per_ip(probe_app, client, auth,
                                                                    make_staff):
    first, second = make_staff("organizer"), make_staff("organizer")
    auth.login(first)
    for _ in range(5):
        assert client.get("/c/probe/good").status_code == 200
    assert_friendly_429(client.get("/c/probe/good"), "wait a minute")
    other_desk = probe_app.test_client()  # same IP, another volunteer
    other_desk.post("/login", data={"email": second.email, "password": "correct horse battery"})
    assert other_desk.get("/c/probe/good").status_code == 200
    anonymous = probe_app.test_client()
    for _ in range(3):
        assert anonymous.get("/c/probe/unknown").status_code == 404
    assert anonymous.get("/c/probe/unknown").status_code == 429  # guessing codes
    assert anonymous.get("/c/probe/good").status_code == 429  # 3 failures + good share the IP
    fresh_ip = {"REMOTE_ADDR": "10.1.1.1"}
    for _ in range(6):
        assert anonymous.get("/c/probe/good", environ_base=fresh_ip).status_code == 200
    assert anonymous.get("/c/probe/good", environ_base=fresh_ip).status_code == 429


def test_api_tokens_are_limited_per_token_and_answer_json(probe_app, client):
    for _ in range(3):
        assert client.get("/api/probe", headers={"Authorization": "Bearer wrong"}).status_code \
            == 401
    refused = client.get("/api/probe", headers={"Authorization": "Bearer wrong2"})
    assert refused.status_code == 429
    assert refused.is_json and refused.get_json()["error"] == "Too many attempts"
    ok = {"Authorization": "Bearer valid-token"}
    for _ in range(4):
        response = client.get("/api/probe", headers=ok, environ_base={"REMOTE_ADDR": "10.2.2.2"})
        assert response.status_code == 200
    over = client.get("/api/probe", headers=ok, environ_base={"REMOTE_ADDR": "10.2.2.3"})
    assert over.status_code == 429 and over.is_json  # counted per token, whatever the IP
    # Any endpoint called with a bearer token counts against that token.
    assert client.get("/", headers=ok).status_code == 429


def test_the_real_checkin_and_api_endpoints_are_covered(app):
    """After the check-in capability is merged, its endpoints carry the limits."""
    applied = app.extensions["summit_rate_limits"]
    assert set(applied["registration.personal_link"]) == {"personal_link", "api_token"}
    assert set(applied["auth.login"]) == {"login", "api_token"}
    assert set(applied["registration.resend"]) == {"resend_link", "resend_link_email",
                                                   "api_token"}
    assert "ops.healthz" not in applied and "static" not in applied
    assert {"checkin_staff", "checkin_anonymous", "checkin_unknown_code"} <= set(
        applied["checkin.code_link"])
    assert "checkin_staff" in applied["checkin.scan"]
    assert "api_bad_token" in applied["api.create_checkin"]


def test_wrapped_views_keep_their_access_declaration(app):
    from summit.access import Access

    assert app.view_functions["auth.login"].access == Access("public")
    assert app.view_functions["registration.resend"].access == Access("public")
    assert app.view_functions["registration.personal_link"].__wrapped__ is not None


def test_default_limits_are_generous_for_a_summit_morning():
    """A desk scans up to 10 a second from one IP; 3,000 attendees share the venue's IP."""
    def per_minute(rule_name):
        rule = next(r for r in RULES if r.name == rule_name)
        return min(item.amount * 60 / item.get_expiry() for item in parse_many(rule.limit))

    assert per_minute("checkin_staff") >= 600 * 2
    assert per_minute("checkin_anonymous") >= 600 * 2
    assert per_minute("api_token") >= 600 * 2


def test_redis_storage_is_shared_between_workers(test_database, tmp_path):
    import redis

    from tests.conftest import make_test_app

    client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"summit-test-{uuid.uuid4().hex[:8]}"
    config = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
              "RATELIMIT_KEY_PREFIX": prefix, "RATELIMITS": {"personal_link": "3 per minute"}}
    try:
        workers = [make_test_app(test_database, tmp_path / f"w{n}", **config) for n in (1, 2)]
        a, b = (w.test_client() for w in workers)
        assert a.get("/me/" + "a" * 40).status_code == 404
        assert b.get("/me/" + "b" * 40).status_code == 404
        assert a.get("/me/" + "c" * 40).status_code == 404
        assert b.get("/me/" + "d" * 40).status_code == 429
    finally:
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)


def test_unreachable_redis_never_breaks_a_request(test_database, tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(test_database, tmp_path / "i", RATELIMIT_ENABLED=True,
                        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
                        RATELIMITS={"personal_link": "2 per minute"})
    client = app.test_client()
    statuses = [client.get("/me/" + "q" * 40).status_code for _ in range(4)]
    assert 500 not in statuses
    assert statuses[0] == 404 and statuses[-1] == 429  # the in-memory fallback still limits


def test_limits_can_be_turned_off(test_database, tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(test_database, tmp_path / "off", RATELIMIT_ENABLED=False,
                        RATELIMITS={"personal_link": "1 per minute"})
    client = app.test_client()
    assert {client.get("/me/" + "q" * 40).status_code for _ in range(5)} == {404}


def test_forwarded_for_is_only_trusted_behind_a_configured_proxy(test_database, tmp_path):
    from tests.conftest import make_test_app

    limits = {"personal_link": "2 per minute"}
    direct = make_test_app(test_database, tmp_path / "d", RATELIMIT_ENABLED=True,
                           RATELIMITS=limits).test_client()
    for n in range(2):
        direct.get("/me/" + "q" * 40, headers={"X-Forwarded-For": f"10.9.9.{n}"})
    # Without TRUST_PROXY_HEADERS a forged header does not buy a fresh allowance.
    assert direct.get("/me/" + "q" * 40, headers={"X-Forwarded-For": "10.9.9.9"}).status_code \
        == 429
    proxied = make_test_app(test_database, tmp_path / "p", RATELIMIT_ENABLED=True,
                            RATELIMITS=limits, TRUST_PROXY_HEADERS=1).test_client()
    for _ in range(2):
        proxied.get("/me/" + "q" * 40, headers={"X-Forwarded-For": "10.9.9.1"})
    assert proxied.get("/me/" + "q" * 40, headers={"X-Forwarded-For": "10.9.9.1"}).status_code \
        == 429
    assert proxied.get("/me/" + "q" * 40, headers={"X-Forwarded-For": "10.9.9.2"}).status_code \
        == 404


def test_overrides_from_the_environment_are_checked():
    from summit.ratelimits import parse_overrides

    assert parse_overrides("login=10/minute, api_token=3000 per minute;50000 per hour") == {
        "login": "10/minute", "api_token": "3000 per minute;50000 per hour"}
    assert parse_overrides("") == {}
    with pytest.raises(ValueError, match="unknown rules"):
        parse_overrides("logins=10/minute")
    with pytest.raises(ValueError):
        parse_overrides("login=lots")
