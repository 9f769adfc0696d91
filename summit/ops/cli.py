"""``flask --app summit backup`` and ``flask --app summit restore``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from summit.extensions import db
from summit.ops import backup as backups


def _url():
    return db.engine.url


def _prune(directory: Path, suffix: str, keep: int) -> list[Path]:
    old = sorted(directory.glob(f"summit-*{suffix}"), key=lambda p: p.name, reverse=True)[keep:]
    for path in old:
        path.unlink()
    return old


@click.command("backup")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here (default: BACKUP_DIR/summit-<UTC time>.sqlite3 or .dump).")
@click.option("--keep", type=click.IntRange(1, 10_000), default=None,
              help="Then delete all but the newest N backups in BACKUP_DIR.")
@with_appcontext
def backup_command(output, keep):
    """Write a consistent copy of the database while Summit keeps running.

    SQLite: the online backup API (one self-contained file). PostgreSQL: pg_dump in custom
    format (restore it with `flask --app summit restore`, or pg_restore).
    """
    url = _url()
    try:
        suffix = backups.default_suffix(url)
        directory = Path(current_app.config["BACKUP_DIR"])
        if output is None:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            output = directory / f"summit-{stamp}{suffix}"
        path = backups.backup(url, Path(output))
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    size = path.stat().st_size
    click.echo(f"Backed up {url.get_backend_name()} to {path} ({size / 1_048_576:.1f} MB).")
    if keep:
        for old in _prune(directory, suffix, keep):
            click.echo(f"Deleted old backup {old}")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(file, yes):
    """Replace the whole database with the backup FILE.

    Stop the web and job worker services first; afterwards run `flask --app summit db upgrade`
    if the backup comes from an older version.
    """
    url = _url()
    if not yes:
        click.confirm(f"Replace every row in {url.render_as_string(hide_password=True)} "
                      f"with the contents of {file}?", abort=True)
    # Give back every pooled connection: nothing of ours may hold a lock during the restore.
    db.session.remove()
    db.engine.dispose()
    try:
        backups.restore(url, Path(file))
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.engine.dispose()
    click.echo(f"Restored {file}.")


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
