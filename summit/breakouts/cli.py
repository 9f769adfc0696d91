"""``flask --app summit breakouts ...``: import sessions, list the schedule, print PDFs."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app, render_template
from flask.cli import AppGroup

from summit.events.cli import event_or_exit
from summit.extensions import db

breakouts_cli = AppGroup("breakouts", help="Breakout sessions: import, list, print.")


@breakouts_cli.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_command(slug, file):
    """Import sessions from FILE.csv (all or nothing)."""
    from summit.breakouts import csv_io, services

    event = event_or_exit(slug)
    with open(file, "rb") as fh:
        result = csv_io.parse_sessions(fh.read(), event.start_date, event.days)
    if not result.ok:
        click.echo(f"Nothing was imported: {len(result.errors)} row(s) have problems.", err=True)
        for line, reason in result.errors:
            click.echo(f"  line {line}: {reason}", err=True)
        sys.exit(1)
    try:
        with current_app.test_request_context():
            summary = services.import_sessions(event, result)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"Imported {summary.added} new session(s) and updated {summary.updated}"
               + (f"; created {summary.rooms_created} room(s)" if summary.rooms_created else "")
               + f" for {event.name}.")


@breakouts_cli.command("list")
@click.argument("slug")
def list_command(slug):
    """Print the schedule with seats taken, waitlists and conflicts."""
    from summit.breakouts import services

    event = event_or_exit(slug)
    sessions = services.sessions_of(event)
    counts = services.counts_for([s.id for s in sessions])
    sessions.sort(key=lambda s: (s.slot.sort_key if s.slot else (99,), s.title))
    for s in sessions:
        enrolled, waiting = counts[s.id]
        when = f"day {s.slot.day} {s.slot.time_range}" if s.slot else "unscheduled"
        cap = s.effective_capacity
        click.echo(f"{when}\t{s.room.name if s.room else '-'}\t{s.title}\t"
                   f"{enrolled}/{cap if cap is not None else '∞'}\t{waiting} waiting")
    for c in services.conflicts_for(event):
        click.echo(f"CONFLICT: {c.message}", err=True)


@breakouts_cli.command("pdf")
@click.argument("slug")
@click.option("-o", "output", type=click.Path(dir_okay=False, writable=True), required=True)
def pdf_command(slug, output):
    """Write the whole schedule as a PDF."""
    from summit.breakouts.pdf import html_to_pdf
    from summit.breakouts.views import _board_context

    event = event_or_exit(slug)
    with current_app.test_request_context():
        html = render_template("breakouts/print_schedule.html", **_board_context(event))
    with open(output, "wb") as fh:
        fh.write(html_to_pdf(html, current_app.config["BASE_URL"] + "/"))
    click.echo(f"Wrote {output}")


def register(app: Flask) -> None:
    app.cli.add_command(breakouts_cli)
