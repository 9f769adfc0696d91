"""Shared fixtures, in the spirit of Flask's tutorial (``app``, ``client``, ``runner``, ``auth``)
plus Indico-style factory fixtures that return callables.

Every test that asks for ``app`` (directly or through another fixture) runs twice: on SQLite
and on PostgreSQL. ``SUMMIT_TEST_DBS=sqlite`` limits a local run to one backend.
PostgreSQL comes from ``DATABASE_URL_TEST_PG`` (default: the server on 127.0.0.1:5432); each
test session creates its own database and drops it at the end.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient
from hypothesis import settings
from werkzeug.serving import make_server

from summit import create_app
from summit.extensions import db

# CI runs the same hypothesis examples every time, so a green run stays green; a local run
# explores new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

PG_ADMIN_URL = os.environ.get("DATABASE_URL_TEST_PG",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b for b in os.environ.get("SUMMIT_TEST_DBS", "sqlite,postgresql").split(",") if b]


def _pg_url(database: str | None = None) -> sa.URL:
    from summit.config import normalize_database_url

    url = sa.make_url(normalize_database_url(PG_ADMIN_URL))
    return url.set(database=database) if database else url


def pytest_generate_tests(metafunc):
    if "db_backend" in metafunc.fixturenames:
        metafunc.parametrize("db_backend", BACKENDS, scope="session")


class Database:
    """One test database for the whole session: schema made once, emptied before each test."""

    def __init__(self, backend: str, tmp_dir: Path):
        self.backend = backend
        self.pg_name = None
        if backend == "sqlite":
            self.url = f"sqlite:///{tmp_dir / 'summit-test.db'}"
        else:
            self.pg_name = f"summit_test_{uuid.uuid4().hex[:10]}"
            admin = sa.create_engine(_pg_url(), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{self.pg_name}"')
            admin.dispose()
            self.url = _pg_url(self.pg_name).render_as_string(hide_password=False)
        self.schema_ready = False

    def prepare(self, app) -> None:
        with app.app_context():
            if not self.schema_ready:
                db.create_all()
                self.schema_ready = True
            else:
                self.empty()

    def empty(self) -> None:
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as conn:
            if self.backend == "sqlite":
                for table in tables:
                    conn.execute(table.delete())
                has_seq = conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE name='sqlite_sequence'").first()
                if has_seq:
                    conn.exec_driver_sql("DELETE FROM sqlite_sequence")
            else:
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")

    def drop(self) -> None:
        if self.pg_name:
            admin = sa.create_engine(_pg_url(), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            admin.dispose()


@pytest.fixture(scope="session")
def test_database(db_backend, tmp_path_factory):
    database = Database(db_backend, tmp_path_factory.mktemp(f"db-{db_backend}"))
    yield database
    database.drop()


def make_test_app(test_database: Database, instance_path: Path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": test_database.url,
        "INSTANCE_PATH": str(instance_path),
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://summit.test",
        "OUTBOX_DIR": str(instance_path / "outbox"),
        "JOBS_EMBEDDED_WORKER": False,
        "SERVER_NAME": None,
        # Fast hashing in tests only; production uses scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Off unless a test turns it on (tests/ops/test_ratelimits.py does).
        "RATELIMIT_ENABLED": False,
    }
    config.update(overrides)
    app = create_app(config)
    test_database.prepare(app)
    return app


@pytest.fixture
def app_config() -> dict:
    """Override to change the app's configuration for one test module."""
    return {}


class IsolatedClient(FlaskClient):
    """A test client whose requests get their own app context, as in production.

    The ``app`` fixture keeps an app context pushed so tests can use ``db.session``; without
    this, requests would share it (and ``g``, and the session's identity map) with the test.
    """

    def open(self, *args, **kwargs):
        db.session.commit()  # the request sees what the test wrote ...
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            db.session.commit()  # ... and the test then sees what the request wrote


@pytest.fixture
def app(test_database, tmp_path, app_config):
    app = make_test_app(test_database, tmp_path / "instance", **app_config)
    app.test_client_class = IsolatedClient
    ctx = app.app_context()
    ctx.push()
    yield app
    db.session.remove()
    ctx.pop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def restore_logging():
    """Undo what ``LOG_FORMAT=json`` installs on the root logger (for tests that turn it on)."""
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "summit", False)]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.NOTSET)
    logging.getLogger("flask-limiter").setLevel(logging.NOTSET)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories ---------------------------------------------------------------------------


@pytest.fixture
def make_event(app):
    from summit.events.services import create_event

    counter = iter(range(1, 10_000))

    def factory(slug: str | None = None, **fields):
        fields.setdefault("name", "AI Leadership Summit")
        fields.setdefault("timezone", "America/Chicago")
        start = fields.pop("start_date", date(2027, 3, 1))
        days = fields.pop("days", 3)
        capacity = fields.pop("capacity", None)
        event = create_event(slug or f"summit-{next(counter)}", fields.pop("name"), start,
                             days=days, capacity=capacity, **fields)
        db.session.commit()
        return event

    return factory


@pytest.fixture
def make_attendee(app):
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    counter = iter(range(1, 100_000))

    def factory(event, **fields):
        n = next(counter)
        org = find_or_create_organization(fields.pop("organization", "Knox County Schools"),
                                          fields.pop("state", "TN"))
        fields.setdefault("first_name", f"Person{n}")
        fields.setdefault("last_name", "Tester")
        fields.setdefault("email", f"person{n}@example.org")
        fields.setdefault("role", "Teacher")
        fields.setdefault("status", "registered")
        attendee = Attendee(event_id=event.id, organization=org, **fields)
        db.session.add(attendee)
        db.session.commit()
        return attendee

    return factory


@pytest.fixture
def make_member(app):
    """Make attendees confirmed members of their district's team, as team pages require: their
    address proven (they opened their link) and an organizer's approval."""
    from summit.database import utcnow
    from summit.registration import membership

    def confirm(*attendees):
        for attendee in attendees:
            attendee.email_confirmed_at = attendee.email_confirmed_at or utcnow()
            membership.decide_as_organizer(attendee.event, attendee, True, "lead@staff.test")
        db.session.commit()

    return confirm


STAFF_PASSWORD = "correct horse battery"


@pytest.fixture
def make_staff(app):
    from summit.auth.services import create_user

    counter = iter(range(1, 10_000))

    def factory(role: str = "organizer", event=None, email: str | None = None,
                password: str = STAFF_PASSWORD):
        user = create_user(email or f"{role}{next(counter)}@staff.test", role, password,
                           event_id=event.id if event else None)
        db.session.commit()
        return user

    return factory


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user_or_email, password: str = STAFF_PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")

    def as_attendee(self, attendee):
        """Open the attendee's personal link on this client (signs them in)."""
        return self._client.get(f"/me/{attendee.personal_secret}")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def flask_saw(app):
    """The paths of the requests that reached Flask's request pipeline (the others were
    answered by a fast path)."""
    from flask import request, request_started

    seen: list[str] = []

    def listener(sender, **extra):
        seen.append(request.path)

    request_started.connect(listener, app)
    yield seen
    request_started.disconnect(listener, app)


# --- a real server for browsers and concurrency tests ----------------------------------------


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        app.config["BASE_URL"] = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(test_database, tmp_path):
    """The app served over HTTP on a free port, with CSRF on as in production."""
    app = make_test_app(test_database, tmp_path / "live-instance", WTF_CSRF_ENABLED=True,
                        TESTING=False)
    server = LiveServer(app).start()
    yield server
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
