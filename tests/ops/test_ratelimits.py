"""Rate limits: each door answers 429 (a friendly page, or JSON under /api/) once its limit is
passed, never 500. The failing device is slowed, never the venue: a valid personal link, code or
token is never refused, and another phone on the same address is not affected."""

from __future__ import annotations

import uuid

import pytest
from flask import Blueprint, abort, jsonify
from limits import parse_many

from summit.access import public
from summit.ratelimits import RULES, VENUE_CEILING, apply_rate_limits

SMALL = {"login": "3 per minute", "login_new_device": "3 per minute",
         "personal_link": "3 per minute", "personal_link_new_device": "4 per minute",
         "personal_link_ip": "9 per minute",
         "resend_link": "2 per minute", "resend_link_new_device": "3 per minute",
         "resend_link_ip": "5 per minute", "resend_link_email": "2 per hour",
         "checkin_staff": "5 per minute", "checkin_anonymous": "6 per minute",
         "checkin_unknown_code": "3 per minute", "api_token": "4 per minute",
         "api_bad_token": "3 per minute"}
VENUE = {"REMOTE_ADDR": "203.0.113.7"}


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
    assert set(applied["ratelimit_probe.code"]) == {
        "checkin_staff", "checkin_anonymous", "checkin_unknown_code",
        "checkin_unknown_code_new_device", "checkin_unknown_code_ip", "api_token"}
    assert set(applied["ratelimit_probe.api"]) == {"api_token", "api_bad_token"}
    return app


def phone(app):
    """A phone that has been on the site before: its session carries a device id."""
    client = app.test_client()
    client.get("/login", environ_base=VENUE)
    return client


def assert_friendly_429(response, text: str):
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    body = response.get_data(as_text=True)
    assert "Too many attempts" in body and text in body
    assert "<html" in body.lower()


def test_failed_sign_ins_slow_the_failing_device_not_the_venue(app, make_staff):
    user = make_staff("organizer")
    door = phone(app)
    for _ in range(5):  # successful sign-ins are not counted
        assert door.post("/login", data={"email": user.email, "password": "correct horse battery"},
                         environ_base=VENUE).status_code == 302
        door.post("/logout", environ_base=VENUE)
    attacker = phone(app)
    for n in range(3):  # a different address each time: the per-account delay stays quiet
        assert attacker.post("/login", data={"email": f"x{n}@example.org", "password": "wrong"},
                             environ_base=VENUE).status_code == 401
    assert_friendly_429(attacker.post("/login", data={"email": "y@example.org", "password": "w"},
                                      environ_base=VENUE), "sign-in attempts")
    # The failing device waits, even with the right password ...
    assert attacker.post("/login", data={"email": user.email, "password": "correct horse battery"},
                         environ_base=VENUE).status_code == 429
    # ... and every other device on the venue's address signs in at once.
    assert door.post("/login", data={"email": user.email, "password": "correct horse battery"},
                     environ_base=VENUE).status_code == 302
    assert phone(app).post("/login", data={"email": user.email,
                                           "password": "correct horse battery"},
                           environ_base=VENUE).status_code == 302
    assert attacker.get("/login", environ_base=VENUE).status_code == 200  # reading: never


def test_a_client_dropping_its_cookie_shares_one_small_budget(app, make_staff):
    user = make_staff("organizer")
    for n in range(3):  # a new cookie-less client every time
        assert app.test_client().post("/login", data={"email": f"x{n}@example.org",
                                                      "password": "wrong"},
                                      environ_base=VENUE).status_code == 401
    assert app.test_client().post("/login", data={"email": "z@example.org", "password": "w"},
                                  environ_base=VENUE).status_code == 429
    # A real browser has a device id (it loaded the form) and is not held by that budget.
    assert phone(app).post("/login", data={"email": user.email,
                                           "password": "correct horse battery"},
                           environ_base=VENUE).status_code == 302


def test_a_failing_device_is_slowed_and_a_valid_link_is_never_refused(app, make_event,
                                                                      make_attendee):
    event = make_event()
    mine, other = make_attendee(event), make_attendee(event)
    device = app.test_client()
    for _ in range(10):  # valid links are not counted
        assert device.get(f"/me/{mine.personal_secret}", environ_base=VENUE).status_code == 302
    for n in range(3):
        assert device.get(f"/me/{'x' * 39}{n}", environ_base=VENUE).status_code == 404
    assert_friendly_429(device.get(f"/me/{'y' * 40}", environ_base=VENUE), "invalid links")
    # Past its budget, the same device's own valid link still opens: never refuse a valid one.
    assert device.get(f"/me/{mine.personal_secret}", environ_base=VENUE).status_code == 302
    # Another phone on the venue's address: its own budget, its own link.
    neighbour = phone(app)
    assert neighbour.get(f"/me/{'z' * 40}", environ_base=VENUE).status_code == 404
    assert neighbour.get(f"/me/{other.personal_secret}", environ_base=VENUE).status_code == 302


def test_dropping_the_cookie_buys_a_smaller_budget_not_a_fresh_one(app, make_event,
                                                                   make_attendee):
    event = make_event()
    attendee = make_attendee(event)
    statuses = [app.test_client().get(f"/me/{'q' * 39}{n}", environ_base=VENUE).status_code
                for n in range(6)]
    assert statuses == [404] * 4 + [429] * 2  # personal_link_new_device: 4 a minute
    # A first visit with a valid link is answered; so is a known device's mistake.
    assert app.test_client().get(f"/me/{attendee.personal_secret}",
                                 environ_base=VENUE).status_code == 302
    assert phone(app).get(f"/me/{'r' * 40}", environ_base=VENUE).status_code == 404


def test_the_address_is_only_a_ceiling(app, make_event, make_attendee):
    """Devices farmed by the dozen: the address's ceiling (9 a minute here; sized for 3,000
    people in production) stops their bad links; valid links and other addresses go on."""
    event = make_event()
    attendee = make_attendee(event)
    farmed = [phone(app) for _ in range(12)]
    statuses = [device.get(f"/me/{'w' * 39}{n % 10}", environ_base=VENUE).status_code
                for n, device in enumerate(farmed)]
    assert statuses == [404] * 9 + [429] * 3
    assert farmed[0].get(f"/me/{attendee.personal_secret}", environ_base=VENUE).status_code == 302
    assert phone(app).get(f"/me/{'w' * 40}",
                          environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 404


def test_resend_link_form_is_limited_per_address_per_device_and_per_ip(app, make_event):
    event = make_event()
    url = f"/e/{event.slug}/resend"
    device = phone(app)
    for _ in range(2):
        assert device.post(url, data={"email": "victim@example.org"},
                           environ_base=VENUE).status_code == 200
    # Per address (2 an hour here) ...
    assert_friendly_429(phone(app).post(url, data={"email": "victim@example.org"},
                                        environ_base=VENUE), "inbox")
    # ... and per device (2 a minute here): this device has sent two already.
    assert device.post(url, data={"email": "someone@example.org"},
                       environ_base=VENUE).status_code == 429
    # Another phone at the venue still asks for its own link.
    assert phone(app).post(url, data={"email": "else@example.org"},
                           environ_base=VENUE).status_code == 200
    # The venue's ceiling (5 a minute here; sized for 3,000 people in production).
    assert phone(app).post(url, data={"email": "more@example.org"},
                           environ_base=VENUE).status_code == 200
    assert phone(app).post(url, data={"email": "last@example.org"},
                           environ_base=VENUE).status_code == 429
    assert device.get(url, environ_base=VENUE).status_code == 200


def test_checkin_codes_staff_are_counted_per_user_anonymous_per_device(probe_app, client, auth,
                                                                         make_staff):
    first, second = make_staff("organizer"), make_staff("organizer")
    auth.login(first)
    for _ in range(5):
        assert client.get("/c/probe/good").status_code == 200
    assert_friendly_429(client.get("/c/probe/good"), "wait a minute")
    other_desk = probe_app.test_client()  # same IP, another volunteer
    other_desk.post("/login", data={"email": second.email, "password": "correct horse battery"})
    assert other_desk.get("/c/probe/good").status_code == 200
    guesser = phone(probe_app)
    for _ in range(3):
        assert guesser.get("/c/probe/unknown", environ_base=VENUE).status_code == 404
    assert guesser.get("/c/probe/unknown", environ_base=VENUE).status_code == 429  # guessing
    assert guesser.get("/c/probe/good", environ_base=VENUE).status_code == 200  # a valid code
    neighbour = phone(probe_app)
    assert neighbour.get("/c/probe/unknown", environ_base=VENUE).status_code == 404
    # Every request counts towards a device's overall budget (6 a minute here): it has made 5.
    assert guesser.get("/c/probe/good", environ_base=VENUE).status_code == 200
    assert guesser.get("/c/probe/good", environ_base=VENUE).status_code == 429
    assert neighbour.get("/c/probe/good", environ_base=VENUE).status_code == 200


def test_api_tokens_are_limited_per_token_and_answer_json(probe_app, client):
    for _ in range(3):
        assert client.get("/api/probe", headers={"Authorization": "Bearer wrong"},
                          environ_base=VENUE).status_code == 401
    refused = client.get("/api/probe", headers={"Authorization": "Bearer wrong2"},
                         environ_base=VENUE)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert refused.is_json and refused.get_json()["error"] == "Too many attempts"
    ok = {"Authorization": "Bearer valid-token"}
    # Another scanner's wrong token never stops a valid one on the same address.
    assert client.get("/api/probe", headers=ok, environ_base=VENUE).status_code == 200
    for _ in range(3):
        response = client.get("/api/probe", headers=ok, environ_base={"REMOTE_ADDR": "10.2.2.2"})
        assert response.status_code == 200
    over = client.get("/api/probe", headers=ok, environ_base={"REMOTE_ADDR": "10.2.2.3"})
    assert over.status_code == 429 and over.is_json  # counted per token, whatever the IP
    # Any endpoint called with a bearer token counts against that token.
    assert client.get("/", headers=ok).status_code == 429


def test_the_real_checkin_and_api_endpoints_are_covered(app):
    """After the check-in capability is merged, its endpoints carry the limits."""
    applied = app.extensions["summit_rate_limits"]
    assert set(applied["registration.personal_link"]) == {
        "personal_link", "personal_link_new_device", "personal_link_ip", "api_token"}
    assert set(applied["auth.login"]) == {"login", "login_new_device", "api_token"}
    assert set(applied["registration.resend"]) == {
        "resend_link", "resend_link_new_device", "resend_link_ip", "resend_link_email",
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
    # The address is a ceiling only: 3,000 people may each fail once within the hour.
    assert min(item.amount for item in parse_many(VENUE_CEILING) if item.get_expiry() == 3600) \
        >= 3000
    for rule in RULES:  # and nothing keyed by the address alone is tighter
        if rule.key == "ip" and rule.devices == "any" and rule.name != "api_bad_token":
            assert rule.limit == VENUE_CEILING, rule.name


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
              "RATELIMIT_KEY_PREFIX": prefix, "RATELIMITS": {"personal_link_ip": "3 per minute"}}
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
    # The first arrives without a device id (another budget); the device then has its own.
    assert 500 not in statuses
    assert statuses[0] == 404 and statuses[-1] == 429  # the in-memory fallback still limits


def test_limits_can_be_turned_off(test_database, tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(test_database, tmp_path / "off", RATELIMIT_ENABLED=False,
                        RATELIMITS={"personal_link": "1 per minute",
                                    "personal_link_ip": "1 per minute"})
    client = app.test_client()
    assert {client.get("/me/" + "q" * 40).status_code for _ in range(5)} == {404}


def test_forwarded_for_is_only_trusted_behind_a_configured_proxy(test_database, tmp_path):
    from tests.conftest import make_test_app

    limits = {"personal_link_ip": "2 per minute"}
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


def test_the_429_page_speaks_the_attendees_language(app):
    device = phone(app)
    french = {"Accept-Language": "fr-CA"}
    for n in range(3):
        device.get(f"/me/{'x' * 39}{n}", headers=french, environ_base=VENUE)
    refused = device.get(f"/me/{'y' * 40}", headers=french, environ_base=VENUE)
    assert refused.status_code == 429
    assert "Trop de liens invalides" in refused.get_data(as_text=True)
