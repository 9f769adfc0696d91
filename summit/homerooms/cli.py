"""``flask --app summit homerooms ...``: create tables, run the seating engine, export seats."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from summit.database import immediate_transactions
from summit.events.cli import event_or_exit
from summit.extensions import db

homerooms_cli = AppGroup("homerooms", help="Homeroom tables and seating.")


@homerooms_cli.command("tables")
@click.argument("slug")
@click.option("--count", type=click.IntRange(1, 1000), required=True, help="Tables to add.")
@click.option("--seats", type=click.IntRange(2, 30), default=8, show_default=True)
@click.option("--location", default="", help="Where the tables stand, e.g. 'Hall B'.")
@click.option("--accessible-every", type=click.IntRange(0, 100), default=0, show_default=True,
              help="Mark every n-th new table wheelchair-accessible (0: none).")
def tables(slug, count, seats, location, accessible_every):
    """Add COUNT tables of SEATS to event SLUG, numbered after the existing ones."""
    from .services import HomeroomError, create_tables, tables_of

    with immediate_transactions():
        event = event_or_exit(slug)
        try:
            made = create_tables(event, count, seats, location=location,
                                 accessible_every=accessible_every)
        except HomeroomError as exc:
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        total = tables_of(event)
    click.echo(f"Added tables {made[0].number}-{made[-1].number} ({seats} seats each). "
               f"{len(total)} tables, {sum(t.seats for t in total):,} seats in all.")


@homerooms_cli.command("assign")
@click.argument("slug")
@click.option("--days", type=click.IntRange(1, 14), default=None,
              help="Seat days 1..D (default: every day of the event).")
@click.option("--seed", type=int, default=None, help="Same seed, same seating.")
def assign(slug, days, seed):
    """Seat every registered attendee of SLUG and print the quality report."""
    from .services import HomeroomError
    from .services import assign as run

    with immediate_transactions():
        event = event_or_exit(slug)
        try:
            result = run(event, days=days, seed=seed)
        except HomeroomError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Seated {len(result.days)} day(s) in {result.seconds:.2f} s.")
    for line in result.summary_lines():
        click.echo(line)
    for note in result.notes:
        click.echo(f"Note: {note}")
    if result.report.hard_violations:
        click.echo("Hard rules broken:")
        for problem in result.report.hard_violations:
            click.echo(f"  {problem}")
    click.echo("At the lower bounds." if result.report.at_bounds
               else "Above the lower bounds (see the warnings on the seating board).")


@homerooms_cli.command("rebalance")
@click.argument("slug")
@click.option("--from-day", type=click.IntRange(1, 14), default=1, show_default=True)
@click.option("--no-shows", is_flag=True, help="Leave out people not checked in.")
def rebalance(slug, from_day, no_shows):
    """Seat walk-ins and free cancelled seats, moving as few people as possible."""
    from .services import HomeroomError, rebalance_event

    with immediate_transactions():
        event = event_or_exit(slug)
        try:
            result = rebalance_event(event, from_day=from_day, drop_no_shows=no_shows)
        except HomeroomError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Re-balanced in {result.seconds:.2f} s: {result.moved} seat changes.")
    for line in result.summary_lines():
        click.echo(line)


@homerooms_cli.command("export")
@click.argument("slug")
def export(slug):
    """Write every seat as CSV (day,table,email,first_name,...) to standard output."""
    from summit.csv_tools import write_csv
    from summit.personal_fields import ORGANIZER, visible_columns

    from .services import EXPORT_COLUMNS, export_rows

    event = event_or_exit(slug)
    columns = visible_columns(EXPORT_COLUMNS, [ORGANIZER])
    click.echo(write_csv(export_rows(event), columns), nl=False)


def register(app: Flask) -> None:
    app.cli.add_command(homerooms_cli)
