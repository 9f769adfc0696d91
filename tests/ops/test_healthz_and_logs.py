"""/healthz, and JSON request logs that never contain a secret link."""

from __future__ import annotations

import json
import logging

import pytest

from summit import create_app


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_is_never_rate_limited(test_database, tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(test_database, tmp_path / "i", RATELIMIT_ENABLED=True,
                        RATELIMITS={"api_token": "1 per minute"})
    client = app.test_client()
    headers = {"Authorization": "Bearer something"}
    assert {client.get("/healthz", headers=headers).status_code for _ in range(5)} == {200}


def test_healthz_answers_503_when_the_database_is_down(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI":
                      "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=2",
                      "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path), "TESTING": True,
                      "JOBS_EMBEDDED_WORKER": False})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}


@pytest.fixture
def app_config():
    return {"LOG_FORMAT": "json"}


pytestmark = pytest.mark.usefixtures("restore_logging")


def test_json_request_logs_redact_secret_links(app, client, auth, make_event, make_attendee,
                                               make_staff, capsys):
    event = make_event()
    attendee = make_attendee(event)
    organizer = make_staff("organizer", event)
    capsys.readouterr()
    client.get(f"/me/{attendee.personal_secret}", headers={"X-Request-ID": "req-12345678"})
    client.get(f"/c/{attendee.checkin_code}")
    client.get(f"/C/{attendee.checkin_code.upper()}")
    client.get(f"/me/{attendee.personal_secret[:12]}")  # even part of a link stays out
    client.get("/healthz")
    auth.login(organizer)
    client.get(f"/admin/e/{event.slug}/attendees")
    logging.getLogger("summit").warning("saw https://summit.test/me/%s", attendee.personal_secret)
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "summit.request"]

    assert attendee.personal_secret not in err and attendee.personal_secret[:12] not in err
    assert attendee.checkin_code not in err and attendee.checkin_code.upper() not in err
    assert attendee.email not in err and attendee.first_name not in err
    first = requests[0]
    assert first["path"] == "/me/[redacted]" and first["status"] == 302
    assert first["request_id"] == "req-12345678" and first["method"] == "GET"
    assert isinstance(first["duration_ms"], float)
    assert "user_id" not in first
    assert requests[1]["path"] == "/c/[redacted]"
    assert not any(r["path"] == "/healthz" for r in requests)  # debug level only
    staff_line = next(r for r in requests if r["path"].endswith("/attendees"))
    assert staff_line["user_id"] == organizer.id and staff_line["status"] == 200
    assert any(line["msg"] == "saw https://summit.test/me/[redacted]" for line in lines)


def test_responses_carry_a_request_id(client):
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32
    given = client.get("/healthz", headers={"X-Request-ID": "abc-123-def"})
    assert given.headers["X-Request-ID"] == "abc-123-def"
    forged = client.get("/healthz", headers={"X-Request-ID": "x\" injected"})
    assert forged.headers["X-Request-ID"] != "x\" injected"


def test_werkzeug_and_gunicorn_access_lines_are_redacted(app):
    from summit.logsafe import RedactFilter

    secret = "abcdefghjkmnpqrstuvwxyz23456789abcdefgh"
    werkzeug = logging.LogRecord("werkzeug", logging.INFO, "", 0, '%s - - "%s" %s',
                                 ("127.0.0.1", f"GET /me/{secret} HTTP/1.1", "302"), None)
    RedactFilter().filter(werkzeug)
    assert secret not in werkzeug.getMessage()
    gunicorn = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, '"%(r)s" %(U)s',
                                 ({"r": f"GET /c/{secret} HTTP/1.1", "U": f"/c/{secret}"},),
                                 None)
    RedactFilter().filter(gunicorn)
    assert secret not in gunicorn.getMessage()
