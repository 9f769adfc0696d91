"""``flask --app summit purge``: remove personal data of events past their retention period."""

from __future__ import annotations

from datetime import date

import click
from flask import Flask

from summit.database import immediate_transactions
from summit.extensions import db


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list what would be erased.")
@click.option("--today", default=None, help="Pretend today is YYYY-MM-DD (for checks).")
def purge_command(dry_run: bool, today: str | None):
    """Erase the attendees of every event whose end date + retention days has passed.

    Anonymous tallies (check-ins per list and minute, registrations per district) stay.
    """
    from summit.privacy import services

    try:
        day = date.fromisoformat(today) if today else date.today()
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--today") from exc
    plans = services.events_to_purge(day)
    if not plans:
        click.echo("Nothing to purge: no event is past its retention period.")
        return
    total = 0
    for plan in plans:
        slug, count = plan.event.slug, plan.attendees
        if dry_run:
            click.echo(f"{slug}: would erase {count} attendees "
                       f"(kept until {plan.kept_until.isoformat()})")
            continue
        db.session.commit()  # end the read; the purge itself takes the write lock first
        with immediate_transactions():
            try:
                erased = services.purge_event(plan.event)
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
        total += erased
        click.echo(f"{slug}: erased {erased} attendees "
                   f"(kept until {plan.kept_until.isoformat()}); anonymous counts kept")
    if dry_run:
        click.echo("Dry run: nothing was changed.")
    else:
        click.echo(f"Erased {total} attendees in {len(plans)} event(s).")


def register(app: Flask) -> None:
    app.cli.add_command(purge_command)
