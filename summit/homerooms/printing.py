"""Printed homeroom material rendered with WeasyPrint: table rosters and folded table tents.

- Rosters: one page per table per day (names, districts, roles, accessibility needs).
- Table tents: one US Letter page per table per day, folded across the middle into a tent. The
  top half is printed upside down so the card reads from both sides once folded: the table
  number large, the day's discussion prompt and, once the table self check-in page exists
  (``/e/<slug>/t/<table_id>``), its QR code; until then the square stays blank.
"""

from __future__ import annotations

import base64

from flask import current_app, render_template
from weasyprint import HTML

from summit.events.models import Event
from summit.qr import qr_svg

from . import services


def _days(event: Event, day: int | None) -> list[int]:
    return [day] if day else list(range(1, max(event.days, 1) + 1))


def table_checkin_url(event: Event, table) -> str | None:
    """The table's self check-in address, if that page exists in this installation."""
    if not any(rule.rule.startswith("/e/<slug>/t/") for rule in current_app.url_map.iter_rules()):
        return None
    return f"{current_app.config['BASE_URL']}/e/{event.slug}/t/{table.id}"


def _render(html: str) -> bytes:
    return HTML(string=html, base_url=current_app.config.get("BASE_URL")).write_pdf()


def rosters_pdf(event: Event, day: int | None = None) -> bytes:
    tables = services.tables_of(event)
    overrides = services.accessibility_overrides(event)
    pages = []
    dates = event.day_dates()
    for d in _days(event, day):
        prompt = services.discussion_prompt(event, d)
        for table in tables:
            members = services.members_of(table, d)
            districts = services.district_labels(members)
            pages.append({
                "table": table, "day": d, "date": dates[d - 1], "prompt": prompt,
                "members": [(a, districts[a.id], services.needs_accessible(a, overrides))
                            for a in members],
            })
    return _render(render_template("homerooms/print/rosters.html", event=event, pages=pages))


def tents_pdf(event: Event, day: int | None = None) -> bytes:
    tables = services.tables_of(event)
    dates = event.day_dates()
    pages = []
    qr_cache: dict[int, str | None] = {}
    for d in _days(event, day):
        prompt = services.discussion_prompt(event, d)
        for table in tables:
            if table.id not in qr_cache:
                url = table_checkin_url(event, table)
                qr_cache[table.id] = (
                    "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url)).decode()
                    if url else None)
            pages.append({"table": table, "day": d, "date": dates[d - 1], "prompt": prompt,
                          "qr": qr_cache[table.id]})
    return _render(render_template("homerooms/print/tents.html", event=event, pages=pages))
