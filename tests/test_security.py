"""CSRF, security headers, escaping, and malformed input that must never give a 500."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from summit.extensions import db
from summit.registration.models import Attendee


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_posts_without_a_csrf_token_are_refused(client, make_event):
    event = make_event()
    response = client.post(f"/e/{event.slug}/register", data={
        "first_name": "A", "last_name": "B", "email": "a@example.org",
        "organization": "Org", "state": "TN", "role": "Teacher"})
    assert response.status_code == 400
    assert b"This form has expired" in response.data
    assert db.session.scalar(select(Attendee)) is None
    assert client.post("/login", data={"email": "x@y.org", "password": "p"}).status_code == 400


def test_htmx_requests_carry_the_csrf_header(client, make_event):
    event = make_event()
    page = client.get(f"/e/{event.slug}/register")
    assert b'hx-headers=\'{"X-CSRFToken": "' in page.data


def test_security_headers_and_csp_nonce(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"'.encode() in response.data
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_csp_allows_the_htmx_file_and_not_the_rest_of_its_cdn(client, app):
    csp = client.get("/").headers["Content-Security-Policy"]
    scripts = next(d for d in csp.split("; ") if d.startswith("script-src ")).split()[1:]
    assert app.config["HTMX_CDN_URL"] in scripts
    assert [s for s in scripts if "://" in s] == [app.config["HTMX_CDN_URL"]]
    assert not app.config["HTMX_CDN_URL"].endswith("/")  # a trailing "/" would allow a folder


@pytest.mark.parametrize("setting, expected", [
    ("https://cdn.example.org/htmx@2.0.11/htmx.min.js", "https://cdn.example.org/htmx@2.0.11/htmx.min.js"),
    ("/static/vendor/htmx-2.0.11.min.js", ""),
])
def test_the_htmx_script_source_is_one_file_or_this_site(setting, expected):
    from summit.headers import htmx_script_source

    assert htmx_script_source(setting) == expected


@pytest.mark.parametrize("setting", [
    "https://cdn.jsdelivr.net", "https://cdn.jsdelivr.net/", "https://cdn.jsdelivr.net/npm/",
    "http://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js", "https:htmx.min.js",
    "https://cdn.jsdelivr.net/htmx.js; script-src *", "https://cdn.jsdelivr.net/a.js 'unsafe-eval'",
    "https://cdn.jsdelivr.net/htmx.js?v=2", "//cdn.jsdelivr.net/htmx.js", "*", "",
])
def test_an_htmx_setting_that_would_loosen_the_csp_stops_the_start(setting, tmp_path):
    from summit import create_app

    with pytest.raises(ValueError, match="HTMX_CDN_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "TESTING": True,
                    "INSTANCE_PATH": str(tmp_path), "JOBS_EMBEDDED_WORKER": False,
                    "HTMX_CDN_URL": setting})


def test_htmx_is_loaded_from_the_cdn_with_integrity_and_a_local_fallback(client, app):
    from summit.headers import HTMX_SRI

    assert app.config["HTMX_SOURCE"] == "cdn"  # the documented default
    html = client.get("/").get_data(as_text=True)
    assert f'sri = "{HTMX_SRI}"' in html and "link.integrity = sri" in html
    assert 'var cdn = "https://cdn.jsdelivr.net/npm/htmx.org@2.0' in html
    assert 'var local = "/static/vendor/htmx-2.0.11.min.js"' in html
    # neither blocks the first paint: no parser-blocking htmx script
    assert not re.search(r'<script src="[^"]*htmx[^"]*"(?![^>]*defer)[^>]*>', html)
    fallback = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert fallback.status_code == 200
    import base64
    import hashlib

    from summit.headers import HTMX_SRI

    digest = base64.b64encode(hashlib.sha384(fallback.data).digest()).decode()
    assert f"sha384-{digest}" == HTMX_SRI


def test_htmx_local_is_the_vendored_copy_deferred_and_out_of_the_csp(tmp_path):
    from summit import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "TESTING": True,
                      "INSTANCE_PATH": str(tmp_path), "JOBS_EMBEDDED_WORKER": False,
                      "HTMX_SOURCE": "local"})
    with app.test_client() as client:
        response = client.get("/login")
    html = response.get_data(as_text=True)
    assert '<script src="/static/vendor/htmx-2.0.11.min.js" defer></script>' in html
    assert "cdn.jsdelivr.net" not in html
    assert "cdn.jsdelivr.net" not in response.headers["Content-Security-Policy"]
    assert "worker-src 'self'" in response.headers["Content-Security-Policy"]


def test_an_unknown_htmx_source_stops_the_start(tmp_path):
    from summit import create_app

    with pytest.raises(ValueError, match="HTMX_SOURCE"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "TESTING": True,
                    "INSTANCE_PATH": str(tmp_path), "JOBS_EMBEDDED_WORKER": False,
                    "HTMX_SOURCE": "unpkg"})


def test_session_cookie_flags(app, make_event, make_attendee):
    event = make_event()
    attendee = make_attendee(event)
    client = app.test_client()
    response = client.get(f"/me/{attendee.personal_secret}")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_names_are_escaped_everywhere(app, make_event, make_attendee, make_staff, auth):
    app.config["WTF_CSRF_ENABLED"] = False
    event = make_event()
    attendee = make_attendee(event, first_name="<script>alert(1)</script>",
                             last_name="O'Brien")
    organizer = make_staff("organizer", event)
    phone = app.test_client()
    phone.get(f"/me/{attendee.personal_secret}")
    assert b"<script>alert(1)</script>" not in phone.get(f"/e/{event.slug}/me").data
    auth.login(organizer)
    listing = auth._client.get(f"/admin/e/{event.slug}/attendees").data
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    assert b"<script>alert(1)" not in listing


@pytest.mark.parametrize("payload", [
    {"first_name": "x" * 5000},
    {"email": "\x00@example.org"},
    {"role": "Not a role"},
    {"state": ["TN", "KY"]},
    {},
])
def test_malformed_registration_input_never_gives_a_500(app, make_event, payload):
    app.config["WTF_CSRF_ENABLED"] = False
    event = make_event()
    client = app.test_client()
    base = {"first_name": "A", "last_name": "B", "email": "a@example.org",
            "organization": "Org", "state": "TN", "role": "Teacher"}
    response = client.post(f"/e/{event.slug}/register", data={**base, **payload})
    assert response.status_code < 500
    if response.status_code == 400:
        assert db.session.scalar(select(Attendee)) is None


def test_invalid_utf8_in_a_form_body_is_not_a_500(app, make_event):
    app.config["WTF_CSRF_ENABLED"] = False
    event = make_event()
    response = app.test_client().post(
        f"/e/{event.slug}/register", data=b"first_name=%ff%fe&email=%c3%28@x.org",
        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert db.session.scalar(select(Attendee)) is None


def test_unknown_pages_and_bad_ids_are_404_not_500(client, make_event):
    make_event("known")
    assert client.get("/e/unknown/register").status_code == 404
    assert client.get("/me/" + "z" * 400).status_code == 404
    assert client.get("/admin/e/known/attendees/notanumber").status_code == 404


def test_secret_links_are_kept_out_of_the_access_log(app):
    from summit.logsafe import redact  # knows the app's secret routes once an app is built

    line = '127.0.0.1 - - "GET /me/abcdefghjkmnpqrstuvwxyz23456789abcdefgh HTTP/1.1" 302'
    assert "abcdefghjk" not in redact(line)
    assert "/me/[redacted]" in redact(line)
    assert "/c/[redacted]" in redact("GET /c/abcdefghjkmnpqrstuvwxyz23456789ab")

