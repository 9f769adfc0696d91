"""Self check-in rules: the entrance code, the emailed arrival link, table tents and room doors.

Nothing here knows about requests: the views pass the attendee holding the session, the
secret key, the settings and ``now``. Every scan checks in only that attendee; a code names a
place and a time, never a person.

- ``check_in_self``: the entrance check-in, through ``summit.checkin.api.check_in`` with
  source ``"self"``, so it is decided by the same rule, idempotent, audited and bumps the live
  counts like a staff scan.
- ``request_link``: the "no session on this phone" path: emails the personal link plus a
  signed arrival marker (see ``codes``) if, and only if, the address is registered.
- ``scan_table``: homeroom presence for today at the attendee's own table, or where their
  table is.
- ``scan_room``: attendance for the session running in a room now (a few minutes early
  allowed), signed up or open seating.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from summit import audit
from summit.access import secret_fingerprint
from summit.breakouts.api import scheduled_sessions_in
from summit.checkin import api as checkin
from summit.events.models import Event
from summit.extensions import db
from summit.homerooms.api import HomeroomTable, discussion_prompt, table_labels_for, table_of
from summit.messages.api import send_to_attendee
from summit.plans.api import plan_progress_for
from summit.registration.api import Attendee
from summit.selfcheckin import codes
from summit.selfcheckin.models import HomeroomPresence

SOURCE = "self"
DEFAULT_GRACE_SECONDS = 30 * 60  # how long an emailed arrival link completes the check-in
DEFAULT_ROOM_EARLY_MINUTES = 10  # a room door counts this long before the session starts
LINK_EMAIL_BUCKET = 300  # seconds: at most one arrival email per attendee per 5 minutes


# --- the entrance ----------------------------------------------------------------------------


def entrance_url(base_url: str, event: Event, code: str) -> str:
    return f"{base_url.rstrip('/')}/e/{event.slug}/here/{code}"


def counts(event: Event) -> tuple[int, int]:
    """(checked in at the entrance, registered): the numbers of the live-counts dashboard."""
    here = checkin.entrance_count(event.id)
    registered = db.session.scalar(select(func.count()).where(
        Attendee.event_id == event.id, Attendee.status == "registered")) or 0
    return here, registered


def check_in_self(event: Event, attendee: Attendee) -> checkin.CheckinResult:
    """Check the session's own attendee in at the entrance. The caller commits."""
    return checkin.check_in(attendee, checkin.entrance_list(event), by_user=None, source=SOURCE)


def entrance_checkin(event: Event, attendee: Attendee):
    """The attendee's check-in at the entrance (its ``at``), or ``None``."""
    return checkin.entrance_checkin(event.id, attendee.id)


def homeroom_label(event: Event, attendee: Attendee, now: datetime) -> str | None:
    """"Table 12 (Hall B)" for today (day 1 before the event)."""
    day = event.current_day_or_none(now) or 1
    return table_labels_for(event, [attendee.id], day=day).get(attendee.id)


# --- no session on this phone: email the link ------------------------------------------------


def find_registered(event: Event, email: str) -> Attendee | None:
    address = (email or "").strip().lower()
    if not address or len(address) > 254:
        return None
    return db.session.scalar(select(Attendee).where(
        Attendee.event_id == event.id, func.lower(Attendee.email) == address,
        Attendee.status != "cancelled"))


def arrival_marker(secret_key: str, attendee: Attendee, proven_at: datetime) -> str:
    return codes.arrival_marker(secret_key, attendee.event_id, attendee.id,
                                secret_fingerprint(attendee.personal_secret), proven_at)


def request_link(event: Event, email: str, *, secret_key: str, proven_at: datetime,
                 arrive_url, now: datetime) -> bool:
    """Email the personal link and an arrival link to ``email`` if it is registered here.

    ``arrive_url(marker)`` builds the absolute arrival address. Returns whether an email was
    queued; the caller shows the same answer either way and commits.
    """
    attendee = find_registered(event, email)
    if attendee is None:
        return False
    marker = arrival_marker(secret_key, attendee, proven_at)
    bucket = int(now.timestamp() // LINK_EMAIL_BUCKET)
    tag = secret_fingerprint(attendee.personal_secret)[:10]
    queued = send_to_attendee(
        attendee, f"selfcheckin:{tag}:{bucket}",
        lazy_gettext("Finish checking in to %(event)s", event=event.name),
        "selfcheckin/email/arrive",
        {"arrive_url": arrive_url(marker), "registered": attendee.status == "registered"})
    return queued is not None


@dataclass
class Arrival:
    status: str  # valid | expired | invalid
    attendee: Attendee | None = None


def open_arrival(event: Event, marker: str, *, secret_key: str, now: datetime,
                 grace_seconds: int) -> Arrival:
    """Check an emailed arrival marker; the caller signs the attendee in and checks them in."""
    attendee_id = codes.parse_arrival_attendee(marker)
    attendee = db.session.get(Attendee, attendee_id) if attendee_id is not None else None
    if attendee is None or attendee.event_id != event.id:
        return Arrival(codes.INVALID)
    verdict = codes.check_arrival_marker(
        secret_key, event.id, marker, secret_fingerprint(attendee.personal_secret), now,
        grace_seconds)
    return Arrival(verdict.status, attendee if verdict.status != codes.INVALID else None)


# --- table tents -----------------------------------------------------------------------------


@dataclass
class TableScan:
    outcome: str  # present | already_present | wrong_table | no_seat | not_today | not_registered
    table: HomeroomTable
    day: int | None = None
    own_table: HomeroomTable | None = None
    at: datetime | None = None


def _insert_ignoring_conflict(model, values: dict) -> int | None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(**values).on_conflict_do_nothing().returning(model.id)
    return db.session.execute(stmt).scalar()


def scan_table(event: Event, table: HomeroomTable, attendee: Attendee,
               now: datetime) -> TableScan:
    """Mark the attendee present at ``table`` today if it is their table. The caller commits."""
    if attendee.status != "registered":
        return TableScan("not_registered", table)
    day = event.current_day_or_none(now)
    if day is None:
        return TableScan("not_today", table)
    own = table_of(attendee.id, day)
    if own is None:
        return TableScan("no_seat", table, day)
    if own.id != table.id:
        return TableScan("wrong_table", table, day, own_table=own)
    new_id = _insert_ignoring_conflict(HomeroomPresence, {
        "event_id": event.id, "table_id": table.id, "attendee_id": attendee.id, "day": day,
        "at": now})
    if new_id is None:
        at = db.session.scalar(select(HomeroomPresence.at).where(
            HomeroomPresence.table_id == table.id, HomeroomPresence.attendee_id == attendee.id,
            HomeroomPresence.day == day))
        return TableScan("already_present", table, day, own_table=own, at=at)
    audit.record("homeroom.present", event_id=event.id, target=attendee,
                 after={"table": table.label, "day": day, "source": SOURCE},
                 actor_label=SOURCE)
    event.bump()
    return TableScan("present", table, day, own_table=own, at=now)


def presence_for(table: HomeroomTable, day: int) -> dict[int, datetime]:
    """``{attendee_id: when}`` of everyone who scanned ``table`` on ``day``."""
    return dict(db.session.execute(
        select(HomeroomPresence.attendee_id, HomeroomPresence.at)
        .where(HomeroomPresence.table_id == table.id, HomeroomPresence.day == day)).all())


def prompt_for(event: Event, day: int) -> str:
    """The day's discussion prompt: the newest from action plans, else the seating board's."""
    return discussion_prompt(event, day)


def plan_status(attendee: Attendee) -> str | None:
    return plan_progress_for([attendee.id]).get(attendee.id)


# --- room doors ------------------------------------------------------------------------------


@dataclass
class RoomScan:
    outcome: str  # attended | already_attended | no_session | not_registered
    session: object | None = None  # the BreakoutSession running now
    upcoming: object | None = None  # the next session in the room today, when none runs now
    at: datetime | None = None


def sessions_in_room(event: Event, room) -> list:
    return scheduled_sessions_in(event, room)


def session_now(event: Event, room, now: datetime,
                early_minutes: int = DEFAULT_ROOM_EARLY_MINUTES):
    """(the session running in ``room`` at ``now``, the next one today)."""
    early = timedelta(minutes=early_minutes)
    upcoming = None
    for s in sessions_in_room(event, room):
        starts, ends = s.slot.local_bounds(event.start_date, event.tz)
        if starts - early <= now < ends:
            return s, None
        if upcoming is None and now < starts and starts.date() == now.astimezone(event.tz).date():
            upcoming = s
    return None, upcoming


def scan_room(event: Event, room, attendee: Attendee, now: datetime,
              early_minutes: int = DEFAULT_ROOM_EARLY_MINUTES) -> RoomScan:
    """Record attendance for the session in ``room`` now, through check-in's one rule. The
    caller commits."""
    if checkin.refusal(attendee.status) is not None:  # said before "no session now", as ever
        return RoomScan("not_registered")
    session, upcoming = session_now(event, room, now, early_minutes)
    if session is None:
        return RoomScan("no_session", upcoming=upcoming)
    attendance = checkin.session_list(session.event_id, session.id, session.title)
    result = checkin.check_in(attendee, attendance, by_user=None, source=SOURCE)
    at = result.checkin.at if result.checkin is not None else now
    if result.outcome == checkin.GREEN:
        return RoomScan("attended", session, at=at)
    if result.outcome == checkin.AMBER:
        return RoomScan("already_attended", session, at=at)
    return RoomScan("not_registered")
