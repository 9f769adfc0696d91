"""Professional-learning credit as plain functions (no Flask, no database).

Everything that decides how many minutes of credit someone earned is here, with plain values,
so that ``tests/credits/test_rules.py`` can state every rule:

- **Activities** (:class:`Activity`): a breakout session or a plenary block, with its day,
  start, end, minutes of credit and the evidence it needs: ``room`` (a scan at the room's
  door), ``table`` (presence at the homeroom table that day) or ``entrance`` (that day's
  entrance check-in). Meals and breaks earn nothing (:func:`credit_minutes_for`).
- **The arrival window** (:func:`arrived_in_time`): a scan counts for an activity when it was
  made on the activity's day, no later than ``arrival_window`` minutes after its start (15 by
  default).
- **The exit scan** (:func:`exit_share`): when the event asks for one, a room-door activity
  counts only if the time between arriving and leaving covers at least ``exit_min_share``
  percent of it.
- **One place at a time**: two credited activities that overlap in time credit only the
  larger (a person scanned at two parallel sessions gets one).
- **Rounding** (:func:`round_minutes`) of the total: down to the half hour (the default, as
  Washington's clock hours), down to the quarter hour, or none.
- **Feedback** (``feedback_required``): a day's credit is locked until that day's after-action
  feedback is given.
- **Corrections** (:class:`Evidence.corrections`): an organizer's grant credits the activity in
  full whatever the scans say; a removal credits nothing. The latest correction wins.
- **Activities are checked** (:func:`activity_problems`): inside the event's days, the end after
  the start, credit minutes from 1 to the activity's length, no overlap with another plenary
  activity.
- **Scan times uploaded later** (:func:`parse_scanned_at`): ISO 8601 with an offset, not in the
  future, on one of the event's days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta


def N_(text: str) -> str:  # noqa: N802  (gettext no-op marker: translated where shown)
    return text


EVIDENCE = ("entrance", "table", "room")
EVIDENCE_LABELS = {
    "entrance": N_("Entrance check-in"),
    "table": N_("Homeroom table"),
    "room": N_("Room door scan"),
    "granted": N_("Granted by the organizers"),
    "removed": N_("Removed by the organizers"),
}
ROUNDING = {
    "half": N_("Down to the half hour"),
    "quarter": N_("Down to the quarter hour"),
    "none": N_("No rounding"),
}
NO_CREDIT_KINDS = frozenset({"meal", "break"})
DEFAULT_ARRIVAL_WINDOW = 15
DEFAULT_EXIT_SHARE = 75
MAX_ARRIVAL_WINDOW = 240
# How far a scanner's clock may run ahead of the server's before its time counts as future.
CLOCK_SKEW = timedelta(minutes=2)


@dataclass(frozen=True)
class Rules:
    """An event's credit rules."""

    arrival_window: int = DEFAULT_ARRIVAL_WINDOW  # minutes after the start
    exit_scan: bool = False
    exit_min_share: int = DEFAULT_EXIT_SHARE     # percent of the activity
    rounding: str = "half"                       # half | quarter | none
    feedback_required: bool = False


@dataclass(frozen=True)
class Activity:
    """One credit-bearing activity (not an ORM row)."""

    key: str                 # "s<session id>" or "b<block id>"
    title: str
    day: int                 # 1-based day of the event
    starts: datetime         # aware
    ends: datetime
    credit_minutes: int
    evidence: str            # entrance | table | room
    session_id: int | None = None
    room: str = ""

    @property
    def minutes(self) -> int:
        return int((self.ends - self.starts).total_seconds() // 60)


@dataclass(frozen=True)
class Evidence:
    """What is known of one person's attendance."""

    entrance: dict[int, datetime] = field(default_factory=dict)  # day -> entrance check-in
    table: dict[int, datetime] = field(default_factory=dict)     # day -> homeroom presence
    rooms: dict[int, datetime] = field(default_factory=dict)     # session id -> door scan
    exits: dict[int, datetime] = field(default_factory=dict)     # session id -> exit scan
    feedback_days: frozenset[int] = frozenset()                  # days with feedback given
    corrections: dict[str, bool] = field(default_factory=dict)   # activity key -> granted?


@dataclass(frozen=True)
class Line:
    """One activity in a person's ledger."""

    activity: Activity
    minutes: int                 # credited (0 when not)
    evidence: str | None         # what counted: entrance | table | room | granted | removed
    at: datetime | None = None   # the scan that counted
    problem: str | None = None   # why it did not count: no_scan | late | left_early |
    #                              no_exit | removed | overlap
    locked: bool = False         # credited, but waiting for the day's feedback


@dataclass(frozen=True)
class Ledger:
    lines: tuple[Line, ...]
    earned_minutes: int          # every credited minute, locked included, before rounding
    unlocked_minutes: int        # credited and not waiting for feedback, before rounding
    total_minutes: int           # unlocked, after rounding: what a certificate says
    locked_by_day: dict[int, int]  # day -> minutes waiting for that day's feedback

    @property
    def total_hours(self) -> float:
        return self.total_minutes / 60

    @property
    def requirements_met(self) -> bool:
        return self.total_minutes > 0 and not self.locked_by_day


def credit_minutes_for(kind: str, length: int, chosen: int | None) -> int:
    """A plenary block's minutes of credit: none for meals and breaks; else the organizer's
    number, or the block's length."""
    if kind in NO_CREDIT_KINDS:
        return 0
    return length if chosen is None else chosen


def round_minutes(minutes: int, rounding: str) -> int:
    """The total rounded down: to 30 minutes (``half``), 15 (``quarter``) or not (``none``)."""
    step = {"half": 30, "quarter": 15}.get(rounding)
    minutes = max(int(minutes), 0)
    return minutes - minutes % step if step else minutes


def format_hours(minutes: int) -> str:
    """``270`` -> ``"4.5"``, ``285`` -> ``"4.75"``, ``240`` -> ``"4"``."""
    text = f"{minutes / 60:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def arrived_in_time(scan: datetime, activity: Activity, window: int) -> bool:
    """A scan counts for ``activity`` when it is on the activity's day (in the activity's time
    zone) and no later than ``window`` minutes after its start."""
    local = scan.astimezone(activity.starts.tzinfo)
    return (local.date() == activity.starts.date()
            and local <= activity.starts + timedelta(minutes=window))


def exit_share(arrived: datetime, left: datetime, activity: Activity) -> float:
    """The share (0 to 1) of ``activity`` between ``arrived`` and ``left``."""
    begin = max(arrived, activity.starts)
    end = min(left, activity.ends)
    length = (activity.ends - activity.starts).total_seconds()
    if length <= 0 or end <= begin:
        return 0.0
    return (end - begin).total_seconds() / length


def _scan_for(activity: Activity, evidence: Evidence) -> datetime | None:
    if activity.evidence == "room":
        return evidence.rooms.get(activity.session_id) if activity.session_id else None
    if activity.evidence == "table":
        return evidence.table.get(activity.day)
    return evidence.entrance.get(activity.day)


def credit_line(activity: Activity, evidence: Evidence, rules: Rules) -> Line:
    """One activity for one person, before the overlap and feedback rules."""
    correction = evidence.corrections.get(activity.key)
    if correction is True:
        return Line(activity, activity.credit_minutes, "granted")
    if correction is False:
        return Line(activity, 0, "removed", problem="removed")
    if activity.credit_minutes <= 0:
        return Line(activity, 0, None)
    scan = _scan_for(activity, evidence)
    if scan is None:
        return Line(activity, 0, None, problem="no_scan")
    if not arrived_in_time(scan, activity, rules.arrival_window):
        return Line(activity, 0, None, at=scan, problem="late")
    if rules.exit_scan and activity.evidence == "room":
        left = evidence.exits.get(activity.session_id)
        if left is None:
            return Line(activity, 0, None, at=scan, problem="no_exit")
        if exit_share(scan, left, activity) * 100 < rules.exit_min_share:
            return Line(activity, 0, None, at=scan, problem="left_early")
    return Line(activity, activity.credit_minutes, activity.evidence, at=scan)


def _overlaps(a: Activity, b: Activity) -> bool:
    return a.starts < b.ends and b.starts < a.ends


def ledger(activities: Iterable[Activity], evidence: Evidence, rules: Rules) -> Ledger:
    """Every activity's line for one person, and the totals (see the module docstring)."""
    ordered = sorted(activities, key=lambda a: (a.starts, a.ends, a.key))
    lines = [credit_line(a, evidence, rules) for a in ordered]
    # One place at a time: among overlapping credited lines keep the larger (then the first).
    ranked = sorted((i for i, line in enumerate(lines) if line.minutes > 0),
                    key=lambda i: (-lines[i].minutes, lines[i].evidence != "granted", i))
    kept: list[int] = []
    for i in ranked:
        if any(_overlaps(lines[i].activity, lines[j].activity) for j in kept):
            line = lines[i]
            lines[i] = Line(line.activity, 0, None, at=line.at, problem="overlap")
        else:
            kept.append(i)
    locked_by_day: dict[int, int] = {}
    if rules.feedback_required:
        for i, line in enumerate(lines):
            if line.minutes > 0 and line.activity.day not in evidence.feedback_days:
                lines[i] = Line(line.activity, line.minutes, line.evidence, at=line.at,
                                locked=True)
                locked_by_day[line.activity.day] = (locked_by_day.get(line.activity.day, 0)
                                                    + line.minutes)
    earned = sum(line.minutes for line in lines)
    unlocked = sum(line.minutes for line in lines if not line.locked)
    return Ledger(tuple(lines), earned, unlocked, round_minutes(unlocked, rules.rounding),
                  locked_by_day)


# --- checking activities --------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityInput:
    """An activity as an organizer typed it (a form or a CSV row), before it is saved."""

    title: str
    day: int | None
    starts: time | None
    ends: time | None
    credit_minutes: int | None
    evidence: str
    room: str = ""


def _minutes_of(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def activity_problems(item: ActivityInput, event_days: int) -> dict[str, str]:
    """``{field: message}`` for one activity (empty when it is fine)."""
    problems: dict[str, str] = {}
    days = max(event_days, 1)
    if not item.title.strip():
        problems["title"] = "Enter a title."
    elif len(item.title.strip()) > 200:
        problems["title"] = "The title is longer than 200 characters."
    if item.day is None or not 1 <= item.day <= days:
        problems["day"] = f"The day must be a day of the event (1 to {days})."
    if item.starts is None:
        problems["start"] = "Enter a start time like 09:00."
    if item.ends is None:
        problems["end"] = "Enter an end time like 10:30."
    length = None
    if item.starts is not None and item.ends is not None:
        length = _minutes_of(item.ends) - _minutes_of(item.starts)
        if length <= 0:
            problems["end"] = "The end must be after the start."
    if item.credit_minutes is None:
        problems["credit_minutes"] = "Enter the minutes of credit (a whole number)."
    elif item.credit_minutes <= 0:
        problems["credit_minutes"] = ("The minutes of credit must be more than 0 (meals and "
                                      "breaks are not credit-bearing activities).")
    elif length is not None and length > 0 and item.credit_minutes > length:
        problems["credit_minutes"] = (f"The minutes of credit ({item.credit_minutes}) cannot be "
                                      f"more than the activity lasts ({length}).")
    if item.evidence not in EVIDENCE:
        problems["evidence"] = "The evidence must be entrance, table or room."
    elif item.evidence == "room" and not item.room.strip():
        problems["room"] = "Room evidence needs the room's name."
    return problems


def overlapping_pairs(items: Sequence[tuple[int, time, time, str]]) -> list[tuple[str, str]]:
    """Pairs of titles among ``(day, start, end, title)`` that overlap on the same day
    (touching ends do not)."""
    pairs = []
    for i, (day, starts, ends, title) in enumerate(items):
        for other_day, other_starts, other_ends, other_title in items[i + 1:]:
            if day == other_day and starts < other_ends and other_starts < ends:
                pairs.append((title, other_title))
    return pairs


# --- scan times uploaded later --------------------------------------------------------------


class ScanTimeError(ValueError):
    """A ``scanned_at`` that cannot be used; the message says why."""


def parse_scanned_at(value, *, now: datetime, first_day: date, last_day: date, tz) -> datetime:
    """``value`` (ISO 8601 with an offset) as an aware UTC time, or ``ScanTimeError``: not in
    the future (beyond a small clock skew), on one of the event's days in its time zone."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise ScanTimeError("\"scanned_at\" must be a time in ISO 8601 with an offset, "
                            "like 2027-03-04T09:12:00-08:00.")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ScanTimeError("\"scanned_at\" is not a time in ISO 8601, like "
                            "2027-03-04T09:12:00-08:00.") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ScanTimeError("\"scanned_at\" needs an offset (like -08:00 or Z): without one "
                            "the time is ambiguous.")
    moment = moment.astimezone(UTC)
    if moment > now + CLOCK_SKEW:
        raise ScanTimeError("\"scanned_at\" is in the future; check the scanner's clock.")
    local_day = moment.astimezone(tz).date()
    if not first_day <= local_day <= last_day:
        raise ScanTimeError(f"\"scanned_at\" ({local_day.isoformat()}) is not one of the "
                            f"event's days ({first_day.isoformat()} to "
                            f"{last_day.isoformat()}).")
    return moment


def settings_problems(*, arrival_window: int | None, exit_min_share: int | None,
                      rounding: str) -> dict[str, str]:
    problems = {}
    if arrival_window is None or not 0 <= arrival_window <= MAX_ARRIVAL_WINDOW:
        problems["arrival_window"] = (f"The arrival window is a number of minutes from 0 to "
                                      f"{MAX_ARRIVAL_WINDOW}.")
    if exit_min_share is None or not 1 <= exit_min_share <= 100:
        problems["exit_min_share"] = "The share is a percentage from 1 to 100."
    if rounding not in ROUNDING:
        problems["rounding"] = "Choose half, quarter or none."
    return problems
