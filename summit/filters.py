"""Jinja filters and helpers shared by the templates."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, g

from summit.i18n import format_day, format_local, format_plain

STATUS_LABELS = {"registered": "Registered", "waitlisted": "Waitlisted", "cancelled": "Cancelled"}


def register(app: Flask) -> None:
    @app.template_filter("status_label")
    def status_label(status: str) -> str:
        """A registration status for staff pages ("Waitlisted", not "waitlisted")."""
        return STATUS_LABELS.get(status, status)

    @app.template_filter("local")
    def local(moment: datetime | None, fmt: str = "%b %-d, %-I:%M %p") -> str:
        """Format a UTC timestamp in the current event's time zone."""
        if moment is None:
            return ""
        event = getattr(g, "event", None)
        if event is not None:
            moment = event.local(moment)
        return format_local(moment, fmt)

    @app.template_filter("day")
    def day(value: date | None) -> str:
        """A full date in the page's language: "Thursday, January 21, 2027", "jeudi 21 janvier
        2027"."""
        return format_day(value)

    @app.template_filter("plain")
    def plain(value, fmt: str) -> str:
        """A slot's day or start time: ``strftime`` in English, CLDR patterns in French."""
        return format_plain(value, fmt)

    @app.template_filter("plural")
    def plural(count: int, singular: str, plural_form: str | None = None) -> str:
        word = singular if count == 1 else (plural_form or singular + "s")
        return f"{count:,} {word}"
