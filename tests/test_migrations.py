"""The Alembic migrations and the models describe the same schema, on both databases."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from summit import create_app
from summit.extensions import db
from tests.conftest import _pg_url


@pytest.fixture
def empty_database(db_backend, tmp_path):
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"summit_mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(_pg_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield _pg_url(name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_migrations_match_the_models(empty_database, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], differences
        downgrade(revision="base")
        remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_upgrading_keeps_the_rows_that_point_at_a_rebuilt_table(empty_database, tmp_path):
    """SQLite rebuilds a table to change a constraint (copy, DROP, rename). With foreign keys
    on, the DROP ran every ON DELETE CASCADE pointing at it: an upgrade that rebuilt
    ``attendees`` emptied action plans, check-ins and every other child table."""
    from datetime import date, datetime

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        upgrade(revision="0002")
        tables = sa.MetaData()
        tables.reflect(db.engine, only=["events", "attendees", "action_plans"])
        now = datetime(2026, 1, 1)
        with db.engine.begin() as conn:
            conn.execute(tables.tables["events"].insert().values(
                id=1, slug="s", name="S", venue="", timezone="UTC", start_date=date(2027, 1, 1),
                days=1, retention_days=365, description="", is_public=True, change_seq=0,
                created_at=now))
            conn.execute(tables.tables["attendees"].insert().values(
                id=1, event_id=1, first_name="A", last_name="B", email="a@example.org",
                role="", dietary="", accessibility="", share_contact=False, status="cancelled",
                source="form", checkin_code="c" * 32, personal_secret="p" * 40,
                registered_at=now, updated_at=now))
            conn.execute(tables.tables["action_plans"].insert().values(
                id=1, event_id=1, attendee_id=1, shared_with_team=False, created_at=now,
                updated_at=now))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM action_plans").scalar() == 1
            # The upgraded schema takes a new registration of the cancelled address.
            conn.exec_driver_sql(
                "INSERT INTO attendees (id, event_id, first_name, last_name, email, role, dietary,"
                " accessibility, share_contact, status, source, checkin_code, personal_secret,"
                " registered_at, updated_at) SELECT 2, event_id, 'C', 'D', email, role, dietary,"
                " accessibility, share_contact, 'registered', source, 'd', 'q', registered_at,"
                " updated_at FROM attendees WHERE id = 1")
            conn.commit()
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with pytest.raises(SystemExit):  # Flask-Migrate's answer to the migration's error
            downgrade(revision="0002")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM attendees").scalar() == 2
def test_0003_repairs_session_lists_before_their_foreign_key(empty_database, tmp_path):
    """Existing data from before the foreign key: a list whose session is gone, and a list a
    new session inherited by taking a deleted session's id (SQLite reuses the highest id)."""
    from datetime import UTC, date, datetime, timedelta

    from summit.audit import AuditLog
    from summit.breakouts.models import BreakoutSession
    from summit.checkin.models import Checkin, CheckinList
    from summit.events.models import Event
    from summit.registration.models import Attendee

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    t0 = datetime(2027, 3, 1, 14, 0, tzinfo=UTC)
    with app.app_context():
        upgrade(revision="0002")
        with db.engine.begin() as conn:
            def add(model, **values):
                return conn.execute(sa.insert(model.__table__).values(**values)
                                    .returning(model.__table__.c.id)).scalar()

            event = add(Event, slug="m", name="M", start_date=date(2027, 3, 1))
            old, new, gone = (add(Attendee, event_id=event, first_name=n, last_name="X",
                                  email=f"{n}@example.org") for n in ("old", "new", "gone"))
            session = add(BreakoutSession, event_id=event, title="Deleted talk")
            inherited = add(CheckinList, event_id=event, name="Deleted talk", kind="session",
                            session_id=session)
            add(Checkin, list_id=inherited, attendee_id=old, at=t0, source="door", nonce="n1")
            # The session is deleted (its list stays: no foreign key yet), and a new session
            # gets the same id.
            conn.execute(sa.delete(BreakoutSession.__table__))
            add(AuditLog, event_id=event, action="breakouts.session_deleted",
                target_type="breakoutsession", target_id=session, at=t0 + timedelta(hours=1))
            add(BreakoutSession, id=session, event_id=event, title="New talk")
            add(Checkin, list_id=inherited, attendee_id=new, at=t0 + timedelta(hours=2),
                source="door")
            orphan = add(CheckinList, event_id=event, name="Nowhere", kind="session",
                         session_id=session + 100)
            add(Checkin, list_id=orphan, attendee_id=gone, at=t0, source="door")
        upgrade()
        with db.engine.begin() as conn:
            rows = conn.execute(sa.select(Checkin.list_id, Checkin.attendee_id)).all()
            assert rows == [(inherited, new)]
            assert conn.execute(sa.select(CheckinList.name).where(
                CheckinList.kind == "session")).scalars().all() == ["New talk"]
            # The foreign key holds from now on: the session takes its list along.
            conn.execute(sa.delete(BreakoutSession.__table__))
            assert conn.execute(sa.select(sa.func.count()).select_from(
                CheckinList.__table__).where(CheckinList.kind == "session")).scalar() == 0
            assert conn.execute(sa.select(sa.func.count()).select_from(
                Checkin.__table__)).scalar() == 0
        downgrade(revision="base")
        db.engine.dispose()
