"""``flask --app summit ...`` commands: thin wrappers over the capability services."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from summit.events.cli import event_or_exit
from summit.extensions import db

event_cli = AppGroup("event", help="Create and list events.")
registrations_cli = AppGroup("registrations", help="Import and export registrations.")
attendee_cli = AppGroup("attendee", help="Attendee look-ups.")
user_cli = AppGroup("user", help="Staff accounts and API tokens.")


@event_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--start", "start", required=True, help="First day, YYYY-MM-DD.")
@click.option("--days", type=click.IntRange(1, 14), default=1, show_default=True)
@click.option("--capacity", type=click.IntRange(1, 100_000), default=None)
@click.option("--venue", default="")
@click.option("--timezone", "tz", default="America/Chicago", show_default=True)
def event_create(slug, name, start, days, capacity, venue, tz):
    """Create an event at /e/SLUG/."""
    from zoneinfo import available_timezones

    from summit.events.forms import SLUG_RE
    from summit.events.services import EventError, create_event

    if not SLUG_RE.match(slug):
        raise click.BadParameter("use lower-case letters, digits and dashes", param_hint="SLUG")
    try:
        start_date = date.fromisoformat(start)
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--start") from exc
    if tz not in available_timezones():
        raise click.BadParameter("unknown time zone", param_hint="--timezone")
    try:
        event = create_event(slug, name, start_date, days=days, capacity=capacity, venue=venue,
                             timezone=tz)
    except EventError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {event.name} at {current_app.config['BASE_URL']}/e/{event.slug}/")


@event_cli.command("list")
def event_list():
    from summit.events.models import Event

    for event in db.session.scalars(select(Event).order_by(Event.start_date)):
        click.echo(f"{event.slug}\t{event.start_date}\t{event.name}")


@registrations_cli.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def registrations_import(slug, file):
    """Import FILE.csv (all or nothing)."""
    from summit.registration import csv_io, services

    event = event_or_exit(slug)
    with open(file, "rb") as fh:
        result = csv_io.parse_registrations(fh.read())
    if not result.ok:
        click.echo(f"Nothing was imported: {len(result.errors)} row(s) have problems.", err=True)
        for line, reason in result.errors:
            click.echo(f"  line {line}: {reason}", err=True)
        sys.exit(1)
    try:
        summary = services.import_rows(event, result)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    extra = []
    if summary.updated:
        extra.append(f"{summary.updated} updated")
    if summary.unchanged:
        extra.append(f"{summary.unchanged} already registered")
    click.echo(f"Added {summary.added} attendees" + (f" ({', '.join(extra)})" if extra else "")
               + f" to {event.name}.")


@registrations_cli.command("export")
@click.argument("slug")
@click.option("-o", "output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
def registrations_export(slug, output):
    """Write all registrations as CSV."""
    from summit.admin.exports import export_rows
    from summit.csv_tools import write_csv
    from summit.personal_fields import ORGANIZER, visible_columns
    from summit.registration import csv_io

    event = event_or_exit(slug)
    text = write_csv(export_rows(event, current_app.config["BASE_URL"]),
                     visible_columns(csv_io.EXPORT_COLUMNS, [ORGANIZER]))
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        click.echo(f"Wrote {text.count(chr(10)) - 1} registrations to {output}", err=True)
    else:
        sys.stdout.write(text)


@attendee_cli.command("link")
@click.argument("slug")
@click.argument("email")
def attendee_link(slug, email):
    """Print an attendee's personal link."""
    from summit.registration.models import Attendee

    event = event_or_exit(slug)
    # The active registration, else the latest cancelled one (each is its own row).
    attendee = db.session.scalar(select(Attendee).where(
        Attendee.event_id == event.id, Attendee.email == email.strip().lower())
        .order_by(Attendee.status == "cancelled", Attendee.id.desc()).limit(1))
    if attendee is None:
        raise click.ClickException(f"No attendee with email {email} in {slug}.")
    with current_app.test_request_context():
        from summit.registration.api import personal_link

        click.echo(personal_link(attendee))


@user_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["organizer", "checkin", "facilitator"]), required=True)
@click.option("--event", "slug", default=None, help="Limit the role to one event.")
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(email, role, slug, name, password_stdin):
    """Create a staff account (or give an existing one another role)."""
    import secrets

    from summit.auth.services import create_user
    from summit.forms import normalize_email

    try:
        email = normalize_email(email)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc
    event_id = event_or_exit(slug).id if slug else None
    generated = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if len(password) < 8:
            raise click.ClickException("The password must have at least 8 characters.")
    else:
        from summit.auth.models import user_by_email

        password = None if user_by_email(email) else (generated := secrets.token_urlsafe(12))
    create_user(email, role, password, event_id=event_id, name=name)
    db.session.commit()
    click.echo(f"{email} is {role}" + (f" for {slug}" if slug else " for every event") + ".")
    if generated:
        click.echo(f"Password: {generated}")


@user_cli.command("token")
@click.argument("email")
@click.option("--label", default="command line")
@click.option("--expires", default="never", show_default=True,
              help="When the token ends: 12h, 30d, 2w, a date (YYYY-MM-DD, valid through that "
                   "day, UTC) or never.")
def user_token(email, label, expires):
    """Print a new API token for EMAIL (shown once, stored hashed)."""
    from summit.auth.models import user_by_email
    from summit.auth.services import issue_token
    from summit.auth.tokens import parse_expiry
    from summit.database import utcnow

    try:
        expires_at = parse_expiry(expires, utcnow())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--expires") from exc
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No staff account {email}.")
    token = issue_token(user, label, expires_at=expires_at)
    db.session.commit()
    click.echo(token)
    click.echo(f"Expires {expires_at:%Y-%m-%d %H:%M} UTC." if expires_at
               else "It does not expire: revoke it when it is no longer needed.", err=True)


@user_cli.command("remove")
@click.argument("email")
def user_remove(email):
    """Remove EMAIL from every event: roles, API tokens and sessions end at once."""
    from summit.auth.models import user_by_email
    from summit.auth.services import remove_user

    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No staff account {email}.")
    remove_user(user)
    db.session.commit()
    click.echo(f"{user.email} was removed: no role, no API token, signed out everywhere.")


@click.command("demo")
@click.option("--slug", default="ai-leadership-2027", show_default=True)
def demo_command(slug):
    """Load a realistic demo summit and print the organizer login."""
    from summit.demo import load_demo

    login = load_demo(slug)
    click.echo(login)


def register_cli(app: Flask) -> None:
    for group in (event_cli, registrations_cli, attendee_cli, user_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)
