"""``flask --app summit badges SLUG -o FILE.pdf``: print badges from the command line.

Renders in this process (with the worker pool for big batches), writes the PDF and records the
badges as printed, exactly like a batch from the web page.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from summit import audit
from summit.badges import services
from summit.badges.models import BadgeBatch
from summit.badges.stocks import STOCKS
from summit.extensions import db


@click.command("badges")
@click.argument("slug")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Where to write the PDF.")
@click.option("--stock", type=click.Choice(sorted(STOCKS)), default=None,
              help="Label stock (default: the event's batch stock, else avery-5392).")
@click.option("--only-unprinted", is_flag=True, help="Only attendees without a printed badge.")
@click.option("--district", default=None, help="Only this district (exact name).")
@click.option("--role", default="", help="Only this role.")
@click.option("--processes", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: one per CPU).")
def badges_command(slug, output, stock, only_unprinted, district, role, processes):
    """Write the badges of event SLUG to a PDF and record them as printed."""
    from summit.events.models import Event, Organization

    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event with slug “{slug}”.")
    org_id = None
    if district:
        orgs = db.session.scalars(select(Organization).where(
            Organization.name_key == Organization.key_for(district))).all()
        if not orgs:
            raise click.ClickException(f"No district named “{district}”.")
        org_id = orgs[0].id
    selection = services.Selection(organization_id=org_id, role=role,
                                   only_unprinted=only_unprinted)
    stock = stock or services.batch_stock(event)
    try:
        batch = services.create_batch_record(event, selection, stock, user_id=None, source="cli")
    except services.BadgeError as exc:
        raise click.ClickException(str(exc)) from exc
    audit.record("badges.batch_requested", event_id=event.id, target=batch,
                 after={"count": batch.count, "stock": batch.stock,
                        "selection": batch.description}, actor_label="cli")
    db.session.commit()
    started = time.perf_counter()
    with click.progressbar(length=batch.count, label="Rendering badges",
                           file=sys.stderr) as bar:
        seen = [0]

        def progress(done, total=None, **_):
            bar.update(max(0, done - seen[0]))
            seen[0] = max(seen[0], done)

        pdf = services.run_batch(batch, base_url=current_app.config["BASE_URL"],
                                 progress=progress, processes=processes)
    elapsed = time.perf_counter() - started
    Path(output).write_bytes(pdf)
    batch = db.session.get(BadgeBatch, batch.id)
    click.echo(f"Wrote {batch.count} badges ({batch.description}) on {batch.pages} "
               f"{'page' if batch.pages == 1 else 'pages'} of {STOCKS[batch.stock].name} to "
               f"{output} ({len(pdf) / 1048576:.1f} MB) in {elapsed:.1f} s; recorded as printed "
               f"(batch {batch.id}).")


def register(app: Flask) -> None:
    app.cli.add_command(badges_command)
