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
