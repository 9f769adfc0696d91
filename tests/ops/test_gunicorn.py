"""The repository's gunicorn.conf.py serves the app, logs JSON lines, and never logs a secret."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import requests

from summit import create_app
from summit.extensions import db
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sqlite_with_an_attendee(tmp_path):
    url = f"sqlite:///{tmp_path / 'summit.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True,
                      "INSTANCE_PATH": str(tmp_path / "setup"), "JOBS_EMBEDDED_WORKER": False})
    with app.app_context():
        from summit.events.services import create_event
        from summit.registration.models import Attendee
        from summit.registration.services import find_or_create_organization

        db.create_all()
        event = create_event("gunicorn", "Summit", date(2027, 3, 1))
        attendee = Attendee(event=event, organization=find_or_create_organization("Org", "TN"),
                            first_name="Quentin", last_name="Logtest",
                            email="quentin@example.org", role="Teacher", status="registered")
        db.session.add(attendee)
        db.session.commit()
        secrets = attendee.personal_secret, attendee.checkin_code
        db.engine.dispose()
        # Every other route that declares a secret (arrival link, calendar feed...), with one
        # made up: the request line is written whatever the answer.
        others = [rule.build({name: "gunicorn" if name == "slug" else f"Leaked{n:04d}Secret"
                              for name in rule.arguments}, append_unknown=False)[1]
                  for n, rule in enumerate(app.url_map.iter_rules())
                  if "<secret:" in rule.rule and rule.endpoint not in (
                      "registration.personal_link", "checkin.code_link")]
    return url, secrets, others


@pytest.mark.slow
@pytest.mark.parametrize("access_log", ["1", ""])
def test_gunicorn_config_serves_and_keeps_secrets_out_of_the_logs(sqlite_with_an_attendee,
                                                                   tmp_path, access_log):
    url, (secret, code), other_secret_paths = sqlite_with_an_attendee
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "k" * 32, "BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": "1", "JOBS_EMBEDDED_WORKER": "0", "ACCESS_LOG": access_log,
           "OUTBOX_DIR": str(tmp_path / "outbox"), "BACKUP_DIR": str(tmp_path / "b")}
    env.pop("LOG_FORMAT", None)
    stderr = tmp_path / "stderr.log"
    with stderr.open("w") as err:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                   "wsgi:app"], cwd=ROOT, env=env, stdout=err, stderr=err)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = requests.get(f"{base}/healthz", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert server.poll() is None, stderr.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["database"] == "ok"
        link = requests.get(f"{base}/me/{secret}", allow_redirects=False, timeout=5,
                            headers={"X-Request-ID": "e2e-request-1"})
        assert link.status_code == 302
        assert link.headers["X-Request-ID"] == "e2e-request-1"
        requests.get(f"{base}/c/{code}?ref=x", timeout=5)
        requests.get(f"{base}/e/gunicorn/?q=quentin@example.org", timeout=5)
        for path in other_secret_paths:
            requests.get(f"{base}{path}", allow_redirects=False, timeout=5)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    log = stderr.read_text()
    assert secret not in log and code not in log
    assert other_secret_paths and "leaked0" not in log.lower()
    assert any(path.endswith("/arrive/[redacted]") for path in (
        r.get("path", "") for r in map(json.loads, log.splitlines())))
    assert "quentin" not in log.lower() and "?q=" not in log and "?ref" not in log
    records = [json.loads(line) for line in log.splitlines()]  # every line is JSON
    loggers = {r["logger"] for r in records}
    assert {"gunicorn.error", "summit.request"} <= loggers
    app_line = next(r for r in records if r.get("request_id") == "e2e-request-1")
    assert app_line["path"] == "/me/[redacted]" and app_line["status"] == 302
    access = [r["msg"] for r in records if r["logger"] == "gunicorn.access"]
    if not access_log:  # off means off, although a logging configuration is given
        assert access == []
        return
    assert any("/me/[redacted] 302" in line and "rid=e2e-request-1" in line for line in access)
    assert any("/c/[redacted]" in line for line in access)
