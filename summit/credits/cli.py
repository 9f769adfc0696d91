"""``flask --app summit credits ...``: import activities, export the provider's files, render
every certificate, email certificates after the event, purge expired records."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from summit.credits import documents, services
from summit.csv_tools import write_csv
from summit.database import write_transaction
from summit.events.models import Event
from summit.extensions import db

credits_cli = AppGroup("credits", help="Professional-learning credit.")


def _event(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event with the slug {slug!r}.")
    return event


@credits_cli.command("activities")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def activities(slug: str, file: Path) -> None:
    """Import plenary activities from FILE.csv (all or nothing)."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException("The file is not UTF-8 text.") from exc
    with write_transaction(db.session):
        event = _event(slug)
        try:
            count = services.import_activities(event, text)
        except services.CreditError as exc:
            for row, message in sorted(exc.problems.items(), key=lambda kv: str(kv[0])):
                click.echo(f"row {row}: {message}", err=True)
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{count} activities imported.")


@credits_cli.command("export")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--summary", is_flag=True, help="One row per person.")
def export(slug: str, output: Path | None, summary: bool) -> None:
    """One row per person per activity (or per person with --summary), as CSV."""
    with write_transaction(db.session):
        event = _event(slug)
        columns, rows = documents.export_rows(event, current_app.config["SECRET_KEY"],
                                              summary=summary,
                                              base_url=current_app.config["BASE_URL"])
    text = write_csv(rows, columns)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(rows)} rows written to {output}.", err=True)


@credits_cli.command("certificates")
@click.argument("slug")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def certificates(slug: str, output: Path) -> None:
    """Every certificate due, in one PDF."""
    with write_transaction(db.session):
        event = _event(slug)
        issued = services.issue_all(event, current_app.config["SECRET_KEY"])
        ids = [c.id for c in issued]
    if not ids:
        raise click.ClickException("Nobody meets the requirements yet.")
    event = _event(slug)
    rows = {c.id: c for c in db.session.scalars(select(services.Certificate).where(
        services.Certificate.id.in_(ids)))}
    pdf = documents.certificates_pdf(event, [rows[i] for i in ids],
                                     base_url=current_app.config["BASE_URL"])
    output.write_bytes(pdf)
    click.echo(f"{len(ids)} certificates written to {output}.")


@credits_cli.command("email")
@click.argument("slug", required=False)
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as if today were this day (YYYY-MM-DD).")
def email(slug: str | None, today) -> None:
    """Queue the certificate emails of SLUG, or of every event that ended in the last 30 days
    (run it daily from cron): once per certificate, in each attendee's language."""
    with write_transaction(db.session):
        day = today.date() if today else None
        events = [_event(slug)] if slug else documents.recently_ended(day)
        count = sum(documents.email_certificates(event, current_app.config["SECRET_KEY"],
                                                 today=day)
                    for event in events)
    click.echo(f"{count} certificate emails queued.")


@credits_cli.command("purge")
def purge() -> None:
    """Delete the credit records whose retention period is over."""
    with write_transaction(db.session):
        count = services.purge_expired()
    click.echo(f"{count} expired credit records deleted.")
