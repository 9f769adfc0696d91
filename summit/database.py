"""Database plumbing shared by every capability.

- ``UTCDateTime``: timestamps stored as naive UTC and always returned timezone-aware, so SQLite
  and PostgreSQL behave the same.
- SQLite tuning: WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for any transaction
  that may write (every request that is not GET/HEAD/OPTIONS, and code inside
  ``immediate_transactions()``, which background jobs use), so two requests racing for the last
  seat queue up instead of failing with "database is locked". Other work outside a request (CLI,
  tests) begins deferred, so a read never holds the write lock.
- ``lock_for_update``: the row lock that serialises a critical section on both databases.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from summit.textfold import fold


def fits_integer(number: int) -> bool:
    """Whether ``number`` fits an INTEGER column (ids, days, counts) on every database: a form
    value beyond it names nothing, and PostgreSQL refuses to even compare with it."""
    return -(2**31) <= number < 2**31


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


_IMMEDIATE: ContextVar[bool] = ContextVar("summit_sqlite_immediate", default=False)


@contextmanager
def immediate_transactions():
    """Begin SQLite transactions with ``BEGIN IMMEDIATE`` inside this block (outside requests)."""
    token = _IMMEDIATE.set(True)
    try:
        yield
    finally:
        _IMMEDIATE.reset(token)


def _transaction_may_write() -> bool:
    if _IMMEDIATE.get():
        return True
    from flask import has_request_context, request

    if has_request_context():
        from flask import g

        # A GET that must write (opening a check-in link) sets ``g.write_transaction``.
        return request.method not in ("GET", "HEAD", "OPTIONS") or g.get("write_transaction",
                                                                           False)
    return False


def configure_sqlite(engine: Engine) -> None:
    """Install the pragmas and transaction handling described in the module docstring."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (the pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # Accent-insensitive name search (summit/textfold.py): PostgreSQL does it in SQL.
        dbapi_connection.create_function("summit_fold", 1, fold, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _transaction_may_write() else "BEGIN")


def begin_write(session) -> None:
    """A GET that turns out to need a write (first visit creates a row): from here on the
    request writes. On SQLite the read transaction already open is ended (nothing is pending
    in it), so the next statement begins with ``BEGIN IMMEDIATE`` and waits for the write lock
    instead of failing with "database is locked" when another request wrote meanwhile.
    PostgreSQL needs nothing. Objects loaded before are expired and reload on next use."""
    from flask import g, has_request_context

    if _transaction_may_write():
        return  # a POST (or CLI work): its transaction began with the write lock already
    if has_request_context():
        g.write_transaction = True
    current = session() if hasattr(session, "registry") else session  # a scoped_session
    if current.get_bind().dialect.name == "sqlite" and current.in_transaction():
        current.commit()


def lock_for_update(session, model, pk):
    """Load ``model`` row ``pk`` holding the write lock until the transaction ends.

    PostgreSQL takes a row lock (SELECT ... FOR UPDATE). SQLite already holds the database write
    lock from ``BEGIN IMMEDIATE``, so a plain SELECT is enough there.
    """
    stmt = select(model).where(model.id == pk).execution_options(populate_existing=True)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()
