"""iCalendar feeds (the ``icalendar`` package; no Flask here).

Times are written in the event's own time zone (``DTSTART;TZID=America/Chicago:…``) with a
matching ``VTIMEZONE`` generated from the zoneinfo database, so calendar apps show 9:00 at the
venue whatever the phone's own zone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar
from icalendar import Event as VEvent


def _calendar(name: str, tz_name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Summit//Breakouts//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tz_name)
    return cal


def build_calendar(*, name: str, tz_name: str, uid_domain: str, items: list[dict]) -> bytes:
    """``items``: dicts with ``uid``, ``title``, ``starts``, ``ends`` (aware, local zone),
    ``location``, ``description``, optional ``status`` ("CONFIRMED"/"TENTATIVE") and ``url``."""
    cal = _calendar(name, tz_name)
    stamp = datetime.now(UTC).replace(microsecond=0)
    for item in items:
        ev = VEvent()
        ev.add("uid", f"{item['uid']}@{uid_domain}")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", item["starts"])
        ev.add("dtend", item["ends"])
        ev.add("summary", item["title"])
        if item.get("location"):
            ev.add("location", item["location"])
        if item.get("description"):
            ev.add("description", item["description"])
        ev.add("status", item.get("status", "CONFIRMED"))
        if item.get("url"):
            ev.add("url", item["url"])
        cal.add_component(ev)
    # One VTIMEZONE per TZID used, from the zoneinfo database, covering the events' dates.
    cal.add_missing_timezones()
    return cal.to_ical()
