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
        db.engine.dispose()
