"""Reading session spreadsheets (no Flask). All or nothing, like registration imports.

Columns: ``title,description,day,start,end,room,capacity,facilitators,tags``.

- ``day``: the day number of the event (1, 2, …), ``Day 2``, or a date (2027-03-02, 3/2/2027,
  2 March 2027);
- ``start``/``end``: 09:00, 9:00, 9am, 1:30 PM, 13.30;
- ``room``: created when missing (``capacity`` then becomes its capacity);
- ``capacity``: empty means the room's;
- ``facilitators`` and ``tags``: separated by ``;`` or ``|`` (facilitators are emails, optionally
  ``Name <email>``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from summit.csv_tools import HeaderError, columns_for, open_csv, to_text
from summit.forms import normalize_email

COLUMNS = ("title", "description", "day", "start", "end", "room", "capacity", "facilitators",
           "tags")
REQUIRED = ("title", "day", "start", "end")
MAX_ROWS = 2_000
ALIASES = {
    "title": {"title", "session", "session title", "name"},
    "description": {"description", "abstract", "summary", "details"},
    "day": {"day", "date", "day number"},
    "start": {"start", "starts", "start time", "from", "begin"},
    "end": {"end", "ends", "end time", "to", "until", "finish"},
    "room": {"room", "location", "room name", "venue"},
    "capacity": {"capacity", "seats", "max", "limit"},
    "facilitators": {"facilitators", "facilitator", "speakers", "speaker", "presenters",
                     "presenter"},
    "tags": {"tags", "tag", "track", "tracks", "topics", "topic"},
}
_ALIAS = {a: c for c, names in ALIASES.items() for a in names}
_SPLIT = re.compile(r"[;|]")
_NAMED_EMAIL = re.compile(r"^\s*(?P<name>[^<]*?)\s*<(?P<email>[^>]+)>\s*$")


@dataclass(frozen=True)
class SessionRow:
    line: int
    title: str
    description: str
    day: int
    start: time
    end: time
    room: str
    capacity: int | None
    facilitators: tuple[tuple[str, str], ...]  # (name, email)
    tags: tuple[str, ...]


@dataclass
class SessionParseResult:
    rows: list[SessionRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_time(text: str) -> time:
    raw = text.strip().lower().replace(" ", "").replace(".", ":")
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(?::\d{2})?(am|pm|a|p)?", raw)
    if not match:
        raise ValueError(f"“{text}” is not a time like 09:00")
    hour, minute, suffix = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if suffix:
        if not 1 <= hour <= 12:
            raise ValueError(f"“{text}” is not a time like 09:00")
        hour = hour % 12 + (12 if suffix.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"“{text}” is not a time like 09:00")
    return time(hour, minute)


DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d %B %Y", "%B %d %Y", "%B %d, %Y",
                "%d %b %Y", "%b %d %Y", "%b %d, %Y", "%A, %B %d, %Y")


def parse_day(text: str, start_date: date, days: int) -> int:
    """The 1-based day of the event for ``1``, ``Day 2`` or a date within the event."""
    raw = " ".join(text.split())
    match = re.fullmatch(r"(?:day\s*)?(\d{1,2})", raw, re.IGNORECASE)
    if match:
        number = int(match.group(1))
    else:
        parsed = None
        for fmt in DATE_FORMATS:
            try:
                parsed = datetime.strptime(raw, fmt).date()
                break
            except ValueError:
                continue
        if parsed is None:
            raise ValueError(f"day “{text}” is neither a day number nor a date")
        number = (parsed - start_date).days + 1
    if not 1 <= number <= days:
        raise ValueError(f"day “{text}” is not one of the event's {days} day(s)")
    return number


def split_list(text: str) -> list[str]:
    return [p.strip() for p in _SPLIT.split(text or "") if p.strip()]


def parse_facilitators(text: str) -> list[tuple[str, str]]:
    out = []
    for part in split_list(text):
        match = _NAMED_EMAIL.match(part)
        name, email = (match.group("name"), match.group("email")) if match else ("", part)
        out.append((name.strip().strip('"'), normalize_email(email)))
    return out


def parse_sessions(data: bytes | str, start_date: date, days: int) -> SessionParseResult:
    result = SessionParseResult()
    try:
        text = to_text(data)
    except ValueError as exc:
        result.errors.append((0, str(exc)))
        return result
    if "\x00" in text or not text.strip():
        result.errors.append((0, "The file is empty or not a CSV text file."))
        return result
    try:
        header, reader = open_csv(text)
        columns = columns_for(header, _ALIAS, REQUIRED, COLUMNS)
    except HeaderError as exc:
        result.errors.append((1, str(exc)))
        return result
    try:
        for index, raw in enumerate(reader, start=2):
            line = max(reader.line_num, index)
            if not any(cell.strip() for cell in raw):
                continue
            if len(result.rows) + len(result.errors) >= MAX_ROWS:
                result.errors.append((line, f"Too many rows: at most {MAX_ROWS:,} per import."))
                break
            record: dict[str, str] = {}
            for column, value in zip(columns, raw, strict=False):
                if column and column not in record:
                    record[column] = value.strip()
            row, problems = _row(line, record, start_date, days)
            if problems:
                result.errors.append((line, "; ".join(problems)))
            else:
                result.rows.append(row)
    except csv.Error as exc:
        result.errors.append((reader.line_num, f"The file could not be read as CSV: {exc}"))
    if not result.rows and not result.errors:
        result.errors.append((2, "The file has a header but no sessions."))
    return result


def _row(line: int, record: dict[str, str], start_date: date, days: int):
    problems: list[str] = []
    title = " ".join(record.get("title", "").split())
    if not title:
        problems.append("title is empty")
    elif len(title) > 200:
        problems.append("title is longer than 200 characters")
    day = start = end = None
    try:
        day = parse_day(record.get("day", ""), start_date, days)
    except ValueError as exc:
        problems.append(str(exc))
    for key in ("start", "end"):
        try:
            value = parse_time(record.get(key, ""))
        except ValueError as exc:
            problems.append(f"{key}: {exc}")
            continue
        if key == "start":
            start = value
        else:
            end = value
    if start is not None and end is not None and end <= start:
        problems.append("end is not after start")
    capacity = None
    if record.get("capacity"):
        try:
            capacity = int(record["capacity"])
            if not 1 <= capacity <= 10_000:
                raise ValueError
        except ValueError:
            problems.append(f"capacity “{record['capacity']}” is not a number from 1 to 10000")
    room = " ".join(record.get("room", "").split())
    if len(room) > 120:
        problems.append("room is longer than 120 characters")
    facilitators: list[tuple[str, str]] = []
    try:
        facilitators = parse_facilitators(record.get("facilitators", ""))
    except ValueError as exc:
        problems.append(f"facilitator email is not valid: {exc}")
    tags = tuple(dict.fromkeys(t[:60] for t in split_list(record.get("tags", ""))))
    if problems:
        return None, problems
    return SessionRow(line=line, title=title, description=record.get("description", ""),
                      day=day, start=start, end=end, room=room, capacity=capacity,
                      facilitators=tuple(facilitators), tags=tags), []
