"""A member's calendar feed of a series: every meeting in the series' time zone, with its
place and, once published, its agenda; cancelled meetings stay in the feed with
``STATUS:CANCELLED`` so calendars remove them, and every change raises ``SEQUENCE``. No Flask."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent


@dataclass(frozen=True)
class FeedMeeting:
    uid: str
    title: str
    starts_at: datetime  # aware
    ends_at: datetime
    cancelled: bool
    sequence: int
    location: str
    url: str
    agenda: str  # "" until published


def feed(name: str, tz_name: str, uid_domain: str, meetings: Iterable[FeedMeeting]) -> bytes:
    zone = ZoneInfo(tz_name)
    cal = Calendar()
    cal.add("prodid", "-//Summit//Community//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tz_name)
    stamp = datetime.now(UTC).replace(microsecond=0)
    for meeting in meetings:
        ev = VEvent()
        ev.add("uid", f"{meeting.uid}@{uid_domain}")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", meeting.starts_at.astimezone(zone))
        ev.add("dtend", meeting.ends_at.astimezone(zone))
        ev.add("summary", meeting.title)
        ev.add("sequence", meeting.sequence)
        ev.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
        if meeting.location:
            ev.add("location", meeting.location)
        if meeting.url:
            ev.add("url", meeting.url)
        description = "\n\n".join(part for part in (meeting.url, meeting.agenda) if part)
        if description:
            ev.add("description", description)
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
