"""Database plumbing shared by every capability.

- ``UTCDateTime``: timestamps stored as naive UTC and always returned timezone-aware, so SQLite
  and PostgreSQL behave the same.
- SQLite tuning: WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for any transaction
  that may write (every request that is not GET/HEAD/OPTIONS, and code inside
  ``immediate_transactions()`` or ``write_transaction``, which CLI commands and background jobs
  use), so two requests racing for the last seat queue up instead of failing with "database is
  locked". Other work outside a request (jobs' reads, CLI, tests) begins deferred, so a read
  never holds the write lock.
- ``lock_for_update``: the row lock that serialises a critical section on both databases.
- Outside requests (jobs, CLI): ``write_transaction``, a short transaction that writes, and
  ``require_no_transaction``, the check made before network I/O or a long render.
- For hot paths (the check-in API): ``direct_connection``, Core statements run straight on the
  driver on connections kept warm between uses, and ``sqlite_write_turn``, which makes SQLite
  writers in several processes queue instead of polling the write lock.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager, suppress
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
    current = _current(session)
    if current.get_bind().dialect.name == "sqlite" and current.in_transaction():
        current.commit()


def _current(session):
    return session() if hasattr(session, "registry") else session  # a scoped_session


@contextmanager
def write_transaction(session):
    """One short transaction that writes, for work outside a web request (jobs, CLI).

    On SQLite it begins with ``BEGIN IMMEDIATE`` (it waits its turn for the write lock instead
    of failing later); on both databases it commits at the end of the block and rolls back if
    the block raises. A read transaction still open is ended first. Changes made *before* the
    block, outside any write transaction, are a mistake and raise ``RuntimeError``: they would
    otherwise be written by a transaction that never took the write lock.

    Jobs do their writing only in these blocks, and keep network I/O (SMTP, HTTP) and long
    renders outside them: see ``require_no_transaction``.
    """
    current = _current(session)
    if current.in_transaction():
        if current.new or current.dirty or current.deleted:
            raise RuntimeError("changes made outside write_transaction(): "
                               f"{[*current.new, *current.dirty, *current.deleted][:3]}")
        current.commit()  # only reads in it: ends them
    token = _IMMEDIATE.set(True)
    try:
        yield current
        current.commit()
    except BaseException:
        current.rollback()
        raise
    finally:
        _IMMEDIATE.reset(token)


class TransactionOpenError(RuntimeError):
    """Network I/O (or a long render) was about to start inside a database transaction."""


def require_no_transaction(session, doing: str) -> None:
    """Refuse to go on while ``session`` has a transaction open.

    Called before talking to a mail server or rendering a long PDF in a job: a transaction held
    through that would, on SQLite, hold the write lock (every check-in waits), and on
    PostgreSQL keep a connection idle in a transaction. Commit (or roll back) first.
    """
    if _current(session).in_transaction():
        raise TransactionOpenError(f"a database transaction is open while {doing}; "
                                   "commit before, and record the result after")


def lock_for_update(session, model, pk):
    """Load ``model`` row ``pk`` holding the write lock until the transaction ends.

    PostgreSQL takes a row lock (SELECT ... FOR UPDATE). SQLite already holds the database write
    lock from ``BEGIN IMMEDIATE``, so a plain SELECT is enough there.
    """
    stmt = select(model).where(model.id == pk).execution_options(populate_existing=True)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


# --- SQLite writers take turns ----------------------------------------------------------------

try:
    import fcntl
except ImportError:  # not on POSIX: writers fall back to SQLite's busy timeout
    fcntl = None


class _WriteTurns:
    """One lock file per SQLite database and process (reopened after a fork)."""

    def __init__(self):
        self.by_path: dict[str, tuple[int, threading.Lock, int]] = {}
        self.guard = threading.Lock()

    def get(self, path: str) -> tuple[threading.Lock, int]:
        pid = os.getpid()
        found = self.by_path.get(path)
        if found is None or found[0] != pid:
            with self.guard:
                found = self.by_path.get(path)
                if found is None or found[0] != pid:
                    fd = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT, 0o600)
                    found = self.by_path[path] = (pid, threading.Lock(), fd)
        return found[1], found[2]


_TURNS = _WriteTurns()


@contextmanager
def sqlite_write_turn(engine: Engine):
    """Wait for this SQLite database's write turn, in arrival order, then hold it for the block.

    Two processes that both ``BEGIN IMMEDIATE`` do not queue on SQLite's write lock: the one
    that finds it taken polls, sleeping 1, 2, 5 ... up to 100 ms between tries, so a write
    that takes a fraction of a millisecond can wait a hundred (measured on the check-in API
    under load: wrk's p99 124 ms, and 34 % of the floor's throughput where the CPU per
    check-in allowed 45 %; with turns, 49 % in the next run). Hot write paths take a turn: a
    thread lock inside the process and ``flock`` on ``<database>-writers`` between processes,
    which the kernel hands over the moment it is released. Writers that take no turn still
    meet SQLite's own lock and busy timeout, as before. PostgreSQL, in-memory databases and
    systems without ``fcntl`` need or get nothing.
    """
    path = engine.url.database
    if fcntl is None or engine.dialect.name != "sqlite" or not path or path == ":memory:" \
            or path.startswith("file:"):
        yield
        return
    lock, fd = _TURNS.get(path)
    with lock:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


# --- statements run straight on the driver (hot paths) ----------------------------------------


class _Compiled:
    """A Core statement compiled once for a dialect: SQL text, parameter order and the type
    conversions (``UTCDateTime``, ``JSON``) SQLAlchemy itself would apply."""

    def __init__(self, statement, dialect, keys: tuple[str, ...]):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys) or None)
        self.sql = compiled.string
        self.positions = compiled.positiontup  # None for named parameter styles
        self.binds = {}
        self.fixed = {}  # values written into the statement itself (``change_seq + 1``)
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            self.binds[name] = process
            if not bind.required and bind.callable is None:
                value = bind.effective_value
                self.fixed[name] = process(value) if process is not None else value
        self.results = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in getattr(statement, "selected_columns", ())
        ]

    def parameters(self, params: dict):
        values = dict(self.fixed)
        for name, value in params.items():
            process = self.binds.get(name)
            values[name] = process(value) if process is not None else value
        if self.positions is None:
            return values
        return tuple(values[name] for name in self.positions)


class DirectResult:
    """The rows of one ``DirectConnection.execute`` (``first``, ``scalar`` and ``scalars``, as
    Core's)."""

    def __init__(self, connection: DirectConnection, compiled: _Compiled):
        self.connection = connection
        self.compiled = compiled

    def first(self):
        """The first row (only for statements that return rows: SELECT, ... RETURNING)."""
        row = self.connection._call(self.compiled.sql, self.connection.cursor.fetchone)
        if row is None or not any(self.compiled.results):
            return row
        return tuple(process(value) if process is not None else value
                     for process, value in zip(self.compiled.results, row, strict=False))

    def scalar(self):
        row = self.first()
        return row[0] if row is not None else None

    def scalars(self) -> list:
        """The first column of every row."""
        rows = self.connection._call(self.compiled.sql, self.connection.cursor.fetchall)
        process = self.compiled.results[0] if self.compiled.results else None
        return [process(row[0]) if process is not None else row[0] for row in rows]


class DirectConnection:
    """The part of SQLAlchemy's ``Connection`` that hot paths use (``execute(statement,
    params)``, ``exec_driver_sql``, ``dialect``), run straight on the DB-API cursor.

    Same statements, same SQL and same type conversions as Core (each statement is compiled
    once per process), without Core's per-execution work: one API check-in's transaction
    through Core cost 0.36 ms of CPU, the same statements straight on sqlite3 0.09 ms
    (measured once, in-process, SQLite; ``docs/benchmarks-checkin.md``). Driver errors come out
    as SQLAlchemy's (``IntegrityError``, ``OperationalError``...), so callers catch the same
    exceptions either way. Only for statements built once (module-level or cached): compiled
    forms are kept per statement object.
    """

    _compiled: dict[tuple, _Compiled] = {}

    def __init__(self, engine: Engine, cursor, dbapi_connection):
        self.dialect = engine.dialect
        self.cursor = cursor
        self.dbapi_connection = dbapi_connection
        # Listeners of ``before_cursor_execute`` (statement counters, SQL logs) see these
        # statements too, with no Connection or context (``None``).
        self._listeners = engine.dispatch.before_cursor_execute

    def begin(self) -> None:
        """Start a write transaction: ``BEGIN IMMEDIATE`` on SQLite, so it waits for the write
        lock now instead of failing later (the driver begins one itself elsewhere)."""
        if self.dialect.name == "sqlite":
            self.exec_driver_sql("BEGIN IMMEDIATE")

    @contextmanager
    def autocommit(self):
        """PostgreSQL: each statement in this block is its own transaction, with no BEGIN or
        COMMIT round trips (for work whose writes are one statement). Elsewhere: nothing."""
        if self.dialect.name != "postgresql":
            yield
            return
        driver = self.dbapi_connection.dbapi_connection
        previous = driver.autocommit
        self._call("autocommit", setattr, driver, "autocommit", True)  # fails if dropped
        try:
            yield
        finally:
            with suppress(self.dialect.loaded_dbapi.Error):
                driver.autocommit = previous

    def commit(self) -> None:
        self._call("COMMIT", self.dbapi_connection.commit)

    def exec_script(self, sql: str) -> None:
        """PostgreSQL: several statements (no parameters) as one simple query, in a transaction
        of their own, which PostgreSQL runs as one implicit transaction: one round trip. Call
        it outside a transaction (after ``commit``)."""
        if self.dialect.name != "postgresql":
            raise NotImplementedError("exec_script runs one simple query: PostgreSQL only")
        with self.autocommit():
            self._run(sql, None)

    def execute(self, statement, params: dict | None = None) -> DirectResult:
        params = params or {}
        # An INSERT's columns are the parameters it is given: compiled per set of names.
        columns = tuple(params) if getattr(statement, "is_insert", False) else ()
        key = (statement, self.dialect.name, columns)
        compiled = self._compiled.get(key)
        if compiled is None:
            if len(self._compiled) > 512:  # statements built per call: a misuse, stay bounded
                self._compiled.clear()
            compiled = self._compiled[key] = _Compiled(statement, self.dialect, columns)
        self._run(compiled.sql, compiled.parameters(params))
        return DirectResult(self, compiled)

    def exec_driver_sql(self, sql: str) -> None:
        self._run(sql, ())

    def _run(self, sql: str, parameters) -> None:
        if self._listeners:
            for listener in self._listeners:
                listener(None, self.cursor, sql, parameters, None, False)
        self._call(sql, self.cursor.execute, sql, parameters)

    def _call(self, sql: str, call, *args):
        return _driver_call(self.dialect, sql, call, *args)


def _driver_call(dialect, sql: str, call, *args):
    """``call(*args)``, a driver error raised as SQLAlchemy's (``args`` is ``(sql,
    parameters)`` for an execute)."""
    from sqlalchemy.exc import DBAPIError

    dbapi = dialect.loaded_dbapi
    try:
        return call(*args)
    except dbapi.Error as error:
        parameters = args[1] if len(args) == 2 and args[0] == sql else None
        raise DBAPIError.instance(sql, parameters, error, dbapi.Error,
                                  dialect=dialect) from error


class _WarmConnections:
    """Pooled connections the hot path keeps checked out between uses, per engine and process.

    Taking one from the pool costs a ``pool_pre_ping`` (a ``SELECT 1`` round trip) and the
    pool's bookkeeping, about a fifth of an API check-in on PostgreSQL. A warm connection skips
    both; one the database dropped meanwhile fails on its first statement, is invalidated, and
    the caller retries once on a fresh, pinged one (``DBAPIError.connection_invalidated``). At
    most ``KEEP`` stay warm per engine (the most requests that ran at once); ``dispose()``
    closes them."""

    KEEP = 8

    def __init__(self):
        self.lock = threading.Lock()
        self.idle: dict[Engine, tuple[int, list]] = {}

    def take(self, engine: Engine):
        """``(connection, warm)``: a warm one when there is one, else one from the pool."""
        with self.lock:
            entry = self.idle.get(engine)
            if entry is not None and entry[0] == os.getpid() and entry[1]:
                return entry[1].pop(), True
        return engine.raw_connection(), False

    def give_back(self, engine: Engine, raw) -> None:
        with self.lock:
            entry = self.idle.get(engine)
            if entry is None or entry[0] != os.getpid():  # first use here, or a forked child
                if entry is None:
                    event.listen(engine, "engine_disposed", self.dispose)
                entry = self.idle[engine] = (os.getpid(), [])
            if len(entry[1]) < self.KEEP:
                entry[1].append(raw)
                return
        raw.close()

    def dispose(self, engine: Engine) -> None:
        with self.lock:
            pid, connections = self.idle.pop(engine, (None, []))
        if pid == os.getpid():
            for raw in connections:
                with suppress(Exception):
                    raw.close()


_WARM = _WarmConnections()


@contextmanager
def direct_connection(engine: Engine):
    """A DB-API connection as a ``DirectConnection``, for ``begin()`` ... ``commit()``
    (``engine.connect()`` for hot paths), kept warm between uses (``_WarmConnections``). Left
    by an error, its transaction is rolled back; a connection the database dropped is
    invalidated, and the error says so (``connection_invalidated``)."""
    raw, warm = _WARM.take(engine)
    dbapi_error_class = engine.dialect.loaded_dbapi.Error
    cursor = None
    try:
        # Fails on a kept connection the database closed (SQLite's, closed under it).
        cursor = _driver_call(engine.dialect, "cursor()", raw.cursor)
        yield DirectConnection(engine, cursor, raw)
    except BaseException as error:
        dbapi_error = getattr(error, "orig", None)
        if cursor is not None:
            with suppress(dbapi_error_class):
                cursor.close()
        if isinstance(dbapi_error, dbapi_error_class) and \
                engine.dialect.is_disconnect(dbapi_error, raw.dbapi_connection, cursor):
            raw.invalidate(dbapi_error)
            raw.close()
            error.connection_invalidated = True
            error.warm_connection = warm
            raise
        try:
            raw.rollback()
        except dbapi_error_class:
            raw.invalidate()
            raw.close()
            raise error from None
        _WARM.give_back(engine, raw)
        raise
    with suppress(dbapi_error_class):
        cursor.close()
    _WARM.give_back(engine, raw)
