"""What every command line of Summit needs from events: the event a SLUG argument names."""

from __future__ import annotations

import click
from sqlalchemy import select

from summit.events.models import Event
from summit.extensions import db


def event_or_exit(slug: str) -> Event:
    """The event at ``/e/SLUG/``, or a clean command-line error."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event with slug “{slug}”.")
    return event
