"""Consistent database copies: SQLite's online backup API, PostgreSQL's pg_dump/pg_restore.

No Flask here: functions take a SQLAlchemy URL and file paths. A backup is written to a
temporary file next to the target and renamed into place, so a half-written file never has
the final name. A restore checks that the file is the right kind first.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """Something an operator can fix; the message says what."""


def backend(url: sa.URL) -> str:
    name = url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def default_suffix(url: sa.URL) -> str:
    return ".sqlite3" if backend(url) == "sqlite" else ".dump"


def backup(url: sa.URL, output: Path) -> Path:
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if backend(url) == "sqlite":
            _backup_sqlite(_sqlite_path(url), tmp)
        else:
            _backup_postgres(url, tmp)
        tmp.chmod(0o600)  # a backup holds every attendee's data
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    return output


def restore(url: sa.URL, source: Path) -> None:
    source = Path(source)
    with source.open("rb") as fh:
        head = fh.read(16)
    if backend(url) == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not a SQLite backup.")
        _restore_sqlite(source, _sqlite_path(url))
    else:
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError(f"{source} is not a pg_dump custom-format backup.")
        _restore_postgres(url, source)


# --- SQLite -------------------------------------------------------------------------------------


def _sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _check(conn: sqlite3.Connection, label: str) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{label} failed its integrity check: {result}")


def _backup_sqlite(db_path: Path, target: Path) -> None:
    if not db_path.exists():
        raise BackupError(f"There is no database at {db_path}.")
    # The online backup API copies a consistent snapshot while the app keeps writing.
    src = sqlite3.connect(db_path, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # One self-contained file: no -wal/-shm next to the backup.
        dst.execute("PRAGMA journal_mode=DELETE")
        _check(dst, "The backup")
    finally:
        dst.close()
        src.close()


def _restore_sqlite(source: Path, db_path: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        _check(src, str(source))
        db_path.parent.mkdir(parents=True, exist_ok=True)
        # Page by page into the live file under SQLite's own locks (WAL included): other
        # connections see either the old or the restored database, never a mix.
        dst = sqlite3.connect(db_path, timeout=30)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
            _check(dst, "The restored database")
        finally:
            dst.close()
    finally:
        src.close()


# --- PostgreSQL ---------------------------------------------------------------------------------

_PG_QUERY_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                 "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
                 "options": "PGOPTIONS", "application_name": "PGAPPNAME"}


def pg_environment(url: sa.URL) -> dict[str, str]:
    """libpq variables for ``url``: the password never appears on a command line."""
    env = dict(os.environ)
    values = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username,
              "PGPASSWORD": url.password, "PGDATABASE": url.database}
    for key, name in _PG_QUERY_ENV.items():
        value = url.query.get(key)
        values[name] = value if isinstance(value, str) or value is None else value[0]
    env.update({k: str(v) for k, v in values.items() if v not in (None, "")})
    return env


def _tool(name: str) -> str:
    path = os.environ.get(name.upper().replace("-", "_")) or shutil.which(name)
    if not path:
        raise BackupError(f"{name} was not found: install the PostgreSQL client "
                          f"(Debian: apt install postgresql-client) or set {name.upper()}.")
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(args[0]).name} failed: " + " | ".join(detail[-5:]))


def _backup_postgres(url: sa.URL, target: Path) -> None:
    # One snapshot transaction: a consistent copy while the app keeps running.
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
          "--file", str(target)], pg_environment(url))


def _restore_postgres(url: sa.URL, source: Path) -> None:
    if not url.database:
        raise BackupError("The database URL names no database.")
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", "--dbname", url.database, str(source)],
         pg_environment(url))
