"""When a series meets: dates from its RRULE (python-dateutil), local times in the series'
time zone turned into UTC, and the meetings one by one moved, cancelled or added. No Flask.

A rule is read against the series' first date in local time, so "the second Friday at 9:00
Pacific" stays at 9:00 Pacific across daylight-saving changes; only its UTC time moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrulestr


def N_(text: str) -> str:  # noqa: N802  (a marker: translated where shown)
    return text


class RecurrenceError(ValueError):
    """A rule, a time zone or a date that cannot give meetings; the message says why."""


ALLOWED_FREQUENCIES = {DAILY, WEEKLY, MONTHLY, YEARLY}
#: No series needs more meetings than this from one rule (a daily rule for a year is 366).
MAX_OCCURRENCES = 400


@dataclass(frozen=True)
class Occurrence:
    """One meeting: ``key`` is the rule's local date (``None`` for a meeting added by hand)."""

    key: date | None
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    cancelled: bool = False
    moved: bool = False


@dataclass(frozen=True)
class Override:
    """A change to one generated meeting: moved to new times, or cancelled."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    cancelled: bool = False


def check_timezone(name: str) -> ZoneInfo:
    name = (name or "").strip()
    if name not in available_timezones():
        raise RecurrenceError(N_("Choose a time zone such as America/Los_Angeles."))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RecurrenceError(N_("Choose a time zone such as America/Los_Angeles.")) from exc


def normalize_rule(text: str) -> str:
    """The rule without an ``RRULE:`` prefix or spaces, upper case."""
    rule = "".join((text or "").split()).upper()
    if rule.startswith("RRULE:"):
        rule = rule[len("RRULE:"):]
    return rule


def _parse(rule: str, first: date):
    start = datetime.combine(first, time())
    try:
        parsed = rrulestr(rule, dtstart=start)
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise RecurrenceError(N_("This repeat rule cannot be read: write it as an RRULE, "
                                 "for example FREQ=MONTHLY;BYDAY=2FR.")) from exc
    if getattr(parsed, "_freq", None) not in ALLOWED_FREQUENCIES:
        raise RecurrenceError(N_("A series repeats daily, weekly, monthly or yearly."))
    return parsed


def rule_dates(rule: str, first: date, until: date) -> list[date]:
    """The local dates the rule gives from ``first`` to ``until`` (both included; none when
    its first date is later).

    Raises :class:`RecurrenceError` when the rule cannot be read or gives no date at all."""
    rule = normalize_rule(rule)
    if not rule:
        raise RecurrenceError(N_("Please write the repeat rule."))
    parsed = _parse(rule, first)
    dates: list[date] = []
    for moment in parsed:
        if moment.date() > until:
            break
        dates.append(moment.date())
        if len(dates) >= MAX_OCCURRENCES:
            break
    if not dates and not _has_any(parsed):
        raise RecurrenceError(N_("This repeat rule gives no dates: check its days and its end."))
    return dates


def _has_any(parsed) -> bool:
    try:
        return next(iter(parsed), None) is not None
    except (ValueError, OverflowError):
        return False


def local_moment(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """``day`` at ``clock`` in ``zone``, in UTC. A time skipped by a spring-forward change is
    read as the clock shows it after the change (fold 0, as Python does)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def meeting_times(day: date, starts: time, ends: time, zone: ZoneInfo
                  ) -> tuple[datetime, datetime]:
    start = local_moment(day, starts, zone)
    end = local_moment(day if ends > starts else day + timedelta(days=1), ends, zone)
    return start, end


def occurrences(rule: str, first: date, zone_name: str, starts: time, ends: time, until: date,
                overrides: Mapping[date, Override] | None = None,
                added: Iterable[tuple[datetime, datetime]] = ()) -> list[Occurrence]:
    """Every meeting from ``first`` to ``until``: the rule's, with ``overrides`` applied, plus
    the ``added`` ones, in time order (cancelled meetings included, marked)."""
    zone = check_timezone(zone_name)
    if ends == starts:
        raise RecurrenceError(N_("A meeting ends after it starts."))
    overrides = overrides or {}
    found = []
    for day in rule_dates(rule, first, until):
        start, end = meeting_times(day, starts, ends, zone)
        change = overrides.get(day)
        if change is None:
            found.append(Occurrence(day, start, end))
            continue
        moved_start = change.starts_at or start
        moved_end = change.ends_at or (moved_start + (end - start))
        found.append(Occurrence(day, moved_start, moved_end, cancelled=change.cancelled,
                                moved=moved_start != start or moved_end != end))
    for start, end in added:
        found.append(Occurrence(None, start.astimezone(UTC), end.astimezone(UTC)))
    return sorted(found, key=lambda o: (o.starts_at, o.key or date.max))


def check_move(new_start: datetime, new_end: datetime, now: datetime) -> None:
    """A meeting moves to a time still to come, and ends after it starts."""
    if new_start <= now:
        raise RecurrenceError(N_("A meeting cannot move into the past: choose a time to come."))
    if new_end <= new_start:
        raise RecurrenceError(N_("A meeting ends after it starts."))


def describe_rule(rule: str) -> str:
    """A short English reading of common rules, for the organizer's page (the rule otherwise)."""
    parts = dict(item.split("=", 1) for item in normalize_rule(rule).split(";") if "=" in item)
    days = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
            "FR": "Friday", "SA": "Saturday", "SU": "Sunday"}
    ordinals = {"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}
    byday = parts.get("BYDAY", "")
    if parts.get("FREQ") == "MONTHLY" and byday and byday[-2:] in days and "," not in byday:
        ordinal = ordinals.get(byday[:-2])
        if ordinal and parts.get("INTERVAL", "1") == "1":
            return f"the {ordinal} {days[byday[-2:]]} of every month"
    if parts.get("FREQ") == "WEEKLY" and byday in days and parts.get("INTERVAL", "1") == "1":
        return f"every {days[byday]}"
    return normalize_rule(rule)
