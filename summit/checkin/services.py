"""Check-in rules, shared by the desk, the kiosk, the API and (later) breakout room doors.

No Flask here. ``check_in`` is the one way to record arrival on a check-in list:

- it accepts an ``Attendee`` or whatever a scanner produced (the full ``/c/<code>`` URL or the
  bare code);
- a database unique constraint on (list, attendee) plus ``INSERT ... ON CONFLICT DO NOTHING``
  makes it idempotent even when two desks scan the same badge at the same moment;
- a client ``nonce`` (offline uploads) that was already stored is answered from the stored
  check-in and never counted again;
- every check-in and every undo goes into the audit log, and bumps ``event.change_seq`` so live
  dashboards can answer 304 when nothing changed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (
    Connection,
    String,
    bindparam,
    func,
    insert,
    null,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from summit import audit
from summit.checkin.models import Checkin, CheckinList
from summit.codes import extract_code, new_code
from summit.database import DirectConnection, utcnow
from summit.events.models import Event, Organization
from summit.extensions import db
from summit.registration.models import Attendee
from summit.registration.services import matches_text, name_order

GREEN = "checked_in"
AMBER = "already_checked_in"
RED_OUTCOMES = ("unknown", "cancelled", "waitlisted", "wrong_event")
SOURCES = ("desk", "camera", "wedge", "search", "url", "kiosk", "api", "offline", "door")
NONCE_MAX = 64
# How far back a scan queued offline may date its arrival (older times are clamped to "now").
OFFLINE_BACKDATE_LIMIT = timedelta(hours=12)


# Where the hot path's statements run: a Core connection, or the driver itself (the API).
SqlConnection = Connection | DirectConnection


class CheckinError(ValueError):
    """A request to the check-in service that cannot be understood (e.g. an oversized nonce)."""


@dataclass
class CheckinResult:
    outcome: str  # checked_in | already_checked_in | unknown | cancelled | waitlisted | wrong_event
    attendee: Attendee | ScannedAttendee | None = None
    checkin: Checkin | StoredCheckin | None = None
    duplicate_nonce: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def colour(self) -> str:
        if self.outcome == GREEN:
            return "green"
        if self.outcome == AMBER:
            return "amber"
        return "red"

    @property
    def counted(self) -> bool:
        """True when this call created the check-in record."""
        return self.outcome == GREEN


# --- lists -----------------------------------------------------------------------------------


def entrance_list(event_or_id) -> CheckinList:
    """The event's main-entrance list (created on first use for older events)."""
    event_id = getattr(event_or_id, "id", event_or_id)
    row = db.session.scalar(select(CheckinList).where(
        CheckinList.event_id == event_id, CheckinList.kind == "entrance"))
    if row is None:
        row = CheckinList(event_id=event_id, name="Main entrance", kind="entrance")
        db.session.add(row)
        db.session.flush()
    return row


def session_list(event_id: int, session_id: int, name: str) -> CheckinList:
    """The check-in list of one breakout session (one per session; created on first use)."""
    row = db.session.scalar(select(CheckinList).where(
        CheckinList.event_id == event_id, CheckinList.kind == "session",
        CheckinList.session_id == session_id))
    if row is None:
        row = CheckinList(event_id=event_id, name=name[:200], kind="session",
                          session_id=session_id)
        db.session.add(row)
        db.session.flush()
    return row


# --- check in / undo -------------------------------------------------------------------------


def find_by_code(scanned: str) -> Attendee | None:
    code = extract_code(scanned)
    if code is None:
        return None
    return db.session.scalar(select(Attendee).options(joinedload(Attendee.organization))
                             .where(Attendee.checkin_code == code))


@dataclass(frozen=True)
class ListRef:
    """A check-in list as the hot path needs it (cacheable; not an ORM row)."""

    id: int
    event_id: int
    name: str

    @classmethod
    def of(cls, checkin_list: CheckinList) -> ListRef:
        return cls(checkin_list.id, checkin_list.event_id, checkin_list.name)


@dataclass(frozen=True)
class StoredCheckin:
    """A check-in as ``check_in_scanned`` answers with it (what the answer shows; not an ORM
    row)."""

    id: int
    at: datetime
    nonce: str | None
    attendee_id: int


@dataclass(frozen=True)
class ScannedAttendee:
    """What a check-in answer shows of an attendee, read with one query (no ORM objects)."""

    id: int
    event_id: int
    status: str
    first_name: str
    last_name: str
    organization_name: str
    accessibility: str
    homeroom: str | None  # table label on the day asked for

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


_HOT_STATEMENTS: dict[str, object] = {}


def _hot(name: str, build):
    """A statement built once per process (per dialect where it differs): building and
    cache-keying a fresh construct on every check-in costs more CPU than running it."""
    stmt = _HOT_STATEMENTS.get(name)
    if stmt is None:
        stmt = _HOT_STATEMENTS.setdefault(name, build())
    return stmt


def _scanned_statement(by: str):
    from summit.homerooms.models import HomeroomTable, Seat

    a, o = Attendee.__table__, Organization.__table__
    s, t = Seat.__table__, HomeroomTable.__table__
    return (
        select(a.c.id, a.c.event_id, a.c.status, a.c.first_name, a.c.last_name,
               a.c.accessibility, o.c.name, t.c.number, t.c.name, t.c.location)
        .select_from(
            a.outerjoin(o, o.c.id == a.c.organization_id)
            .outerjoin(s, (s.c.attendee_id == a.c.id) & (s.c.day == bindparam("day"))
                       & (s.c.event_id == a.c.event_id))
            .outerjoin(t, t.c.id == s.c.table_id))
        .where(a.c.checkin_code == bindparam("key") if by == "code"
               else a.c.id == bindparam("key"))
    )


def scanned_attendee(conn: SqlConnection, day: int, *, code: str | None = None,
                     attendee_id: int | None = None) -> ScannedAttendee | None:
    """The attendee with this check-in code (or id), their organization's name and their
    homeroom table on ``day``: one SELECT with outer joins."""
    from summit.homerooms.models import table_full_label

    by = "code" if code is not None else "id"
    stmt = _hot(f"scanned_by_{by}", lambda: _scanned_statement(by))
    row = conn.execute(
        stmt, {"day": day, "key": code if code is not None else attendee_id}).first()
    if row is None:
        return None
    (aid, event_id, status, first, last, accessibility, org, number, table_name,
     location) = row
    homeroom = (table_full_label(number, table_name, location)
                if number is not None and status == "registered" else None)
    return ScannedAttendee(aid, event_id, status, first, last, org or "", accessibility or "",
                           homeroom)


def _clean_nonce(nonce: str | None) -> str | None:
    if nonce is None:
        return None
    nonce = nonce.strip() or None
    if nonce is not None and len(nonce) > NONCE_MAX:
        raise CheckinError(f"nonce longer than {NONCE_MAX} characters")
    return nonce


def _insert_ignoring_conflict(conn: SqlConnection, values: dict) -> int | None:
    """INSERT the check-in unless (list, attendee) or the nonce is already stored: its id, or
    ``None`` when a unique constraint said no."""
    dialect = conn.dialect.name

    def build():
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = Checkin.__table__
        return insert(table).on_conflict_do_nothing().returning(table.c.id)

    return conn.execute(_hot(f"insert_checkin_{dialect}", build), values).scalar()


def _insert_with_audit_row(conn: SqlConnection, values: dict, *, event_id: int,
                           list_name: str) -> int | None:
    """PostgreSQL: ``_insert_ignoring_conflict`` and ``_record_created``'s audit row as ONE
    statement (a data-modifying CTE), so that outside a transaction it commits both or neither,
    in one round trip. The audit row is the one ``_record_created`` writes (a test compares
    them on both databases)."""

    entry = _created_entry(event_id, values["attendee_id"], values["source"],
                           values["by_user_id"])

    def build():
        from summit.audit import AuditLog

        checkins, log = Checkin.__table__, AuditLog.__table__
        new = (postgresql.insert(checkins)
               .values({name: bindparam(name, type_=checkins.c[name].type) for name in values})
               .on_conflict_do_nothing().returning(checkins.c.id).cte("new_checkin"))
        after = func.json_build_object("list", bindparam("list_name", type_=String),
                                       "source", bindparam("source", type_=String),
                                       "checkin_id", new.c.id)
        fields = [f"entry_{name}" for name in entry]
        logged = insert(log).from_select(
            [*entry, "before", "after", "at"],
            select(*(bindparam(field, type_=log.c[name].type)
                     for field, name in zip(fields, entry, strict=True)),
                   null(), after, bindparam("logged_at", type_=log.c.at.type))
            .select_from(new)).cte("logged")
        return select(new.c.id).add_cte(logged)

    params = {**values, "list_name": list_name, "logged_at": utcnow(),
              **{f"entry_{name}": value for name, value in entry.items()}}
    return conn.execute(_hot("insert_checkin_with_audit_postgresql", build), params).scalar()


def _bump(event_id: int, conn: SqlConnection | None = None) -> None:
    """``change_seq + 1`` for the event (live dashboards answer 304 until it changes)."""
    def build():
        table = Event.__table__
        return (update(table).where(table.c.id == bindparam("event_id"))
                .values(change_seq=table.c.change_seq + 1))

    (conn or db.session.connection()).execute(_hot("bump", build), {"event_id": event_id})


def _actor(by_user, source: str) -> dict:
    if by_user is not None:
        return {"actor_user_id": by_user.id, "actor_label": ""}
    return {"actor_user_id": None, "actor_label": source}


def _record_created(conn: SqlConnection, event_id: int, list_name: str, attendee_id: int,
                    checkin_id: int, source: str, by_user_id: int | None,
                    bump: bool = True) -> None:
    """Audit entry and ``change_seq`` bump for a new check-in, as two plain statements.

    The bump comes last: on PostgreSQL it locks the event row until COMMIT, and every check-in
    of the event queues on that lock, so it is held for as short a time as possible (see
    ``bump_after_commit`` for the API's way round it)."""
    audit.record_now(conn, **_created_entry(event_id, attendee_id, source, by_user_id),
                     after={"list": list_name, "source": source, "checkin_id": checkin_id})
    if bump:
        _bump(event_id, conn)


def _created_entry(event_id: int, attendee_id: int, source: str,
                   by_user_id: int | None) -> dict:
    """The audit fields of a new check-in, but its ``after`` (``{"list", "source",
    "checkin_id"}``): written by ``_record_created`` and, on PostgreSQL, by
    ``_insert_with_audit_row``."""
    return {"event_id": event_id, "action": "checkin.created", "target_type": "attendee",
            "target_id": attendee_id, "actor_user_id": by_user_id,
            "actor_label": "" if by_user_id is not None else source}


def bump_in_transaction(dialect_name: str) -> bool:
    """Whether a check-in should bump ``change_seq`` inside its own transaction.

    SQLite: yes (one writer at a time anyway). PostgreSQL: no. There the bump row-locks the
    event until COMMIT, and COMMIT waits for the WAL flush, so every check-in of the event
    would queue behind the previous one's disk flush (measured: ~13 check-ins/s on a busy
    disk, whatever the CPU). ``bump_after_commit`` does it right after, instead."""
    return dialect_name != "postgresql"


def bump_after_commit(conn: DirectConnection, event_id: int) -> None:
    """Bump ``change_seq`` in a short transaction of its own, right after the check-in
    committed on the same connection (PostgreSQL; see ``bump_in_transaction``).

    It commits without waiting for the disk (``synchronous_commit off``): the check-in itself
    is already durable, and losing this bump in a database crash only makes dashboards wait for
    the next change. The row lock is held for microseconds, so lanes no longer queue on each
    other's disk flushes. A dashboard polling between the two commits sees the previous counts
    for that moment and the new ones on its next poll. Both statements go as one simple query,
    which PostgreSQL runs as one transaction: one round trip instead of four."""
    conn.exec_script("SET LOCAL synchronous_commit TO OFF; "
                     f"UPDATE events SET change_seq = change_seq + 1 WHERE id = {int(event_id)}")


def _existing(list_id: int, attendee_id: int, nonce: str | None) -> Checkin | None:
    existing = db.session.scalar(select(Checkin).where(
        Checkin.list_id == list_id, Checkin.attendee_id == attendee_id))
    if existing is None and nonce:
        existing = db.session.scalar(select(Checkin).where(Checkin.nonce == nonce))
    return existing


def _when(at: datetime | None) -> datetime:
    now = utcnow()
    return now if at is None or not (now - OFFLINE_BACKDATE_LIMIT <= at <= now) else at


def check_in(attendee_or_code, checkin_list: CheckinList, by_user=None, source: str = "desk",
             nonce: str | None = None, at: datetime | None = None) -> CheckinResult:
    """Check an attendee in on ``checkin_list``; the caller commits.

    ``at`` lets a scan queued offline keep its scan time (clamped to the last 12 hours).
    """
    nonce = _clean_nonce(nonce)
    if nonce:
        prior = db.session.scalar(select(Checkin).where(Checkin.nonce == nonce))
        if prior is not None:
            return CheckinResult(AMBER, attendee=prior.attendee, checkin=prior,
                                 duplicate_nonce=True)

    if isinstance(attendee_or_code, Attendee):
        attendee = attendee_or_code
    else:
        attendee = find_by_code(attendee_or_code or "")
    if attendee is None:
        return CheckinResult("unknown")
    if attendee.event_id != checkin_list.event_id:
        return CheckinResult("wrong_event")
    if attendee.status != "registered":
        return CheckinResult(attendee.status, attendee=attendee)

    values = {
        "list_id": checkin_list.id, "attendee_id": attendee.id, "at": _when(at),
        "by_user_id": by_user.id if by_user is not None else None,
        "source": source[:16], "nonce": nonce,
    }
    # No "is it there already?" query first: the unique constraint answers that in the insert.
    conn = db.session.connection()
    new_id = _insert_ignoring_conflict(conn, values)
    if new_id is None:
        # Another desk won the race (or this nonce was stored meanwhile): report theirs.
        existing = _existing(checkin_list.id, attendee.id, nonce)
        return CheckinResult(AMBER, attendee=attendee, checkin=existing,
                             duplicate_nonce=bool(nonce) and existing is not None
                             and existing.nonce == nonce)

    record = Checkin(id=new_id, **values)  # not added to the session: nothing to reload
    _record_created(conn, checkin_list.event_id, checkin_list.name, attendee.id, new_id, source,
                    values["by_user_id"])
    return CheckinResult(GREEN, attendee=attendee, checkin=record)


def _stored_checkin(conn: SqlConnection, *, nonce: str | None = None, list_id: int | None = None,
                    attendee_id: int | None = None) -> StoredCheckin | None:
    """The stored check-in with this ``nonce``, or of this attendee on this list (Core: no ORM
    object, so it works on any connection)."""
    table = Checkin.__table__
    by = "nonce" if nonce is not None else "list"

    def build():
        stmt = select(table.c.id, table.c.at, table.c.nonce, table.c.attendee_id)
        if by == "nonce":
            return stmt.where(table.c.nonce == bindparam("nonce"))
        return stmt.where(table.c.list_id == bindparam("list_id"),
                          table.c.attendee_id == bindparam("attendee_id"))

    params = ({"nonce": nonce} if by == "nonce"
              else {"list_id": list_id, "attendee_id": attendee_id})
    row = conn.execute(_hot(f"stored_checkin_by_{by}", build), params).first()
    return StoredCheckin(*row) if row is not None else None


def check_in_scanned(conn: SqlConnection, scanned: str, checkin_list: ListRef, *, day: int,
                     by_user_id: int | None = None, source: str = "api",
                     nonce: str | None = None, at: datetime | None = None,
                     bump: bool = True) -> CheckinResult:
    """``check_in`` for the hot path (the API): the same rules and records, fewer statements,
    on the caller's connection (Core's, or ``DirectConnection``) inside its transaction (the
    caller commits).

    One SELECT (attendee + organization + homeroom table on ``day``), one INSERT ... ON
    CONFLICT DO NOTHING and one audit INSERT (on PostgreSQL both in one statement, so it may
    run outside a transaction: ``api.checkins``), and one ``change_seq`` UPDATE; no ORM objects
    are loaded. A stored ``nonce`` is recognised by the insert's conflict (and, for a scan that
    would now be red, by one extra look-up), so a replayed offline upload is never counted
    twice. ``result.attendee`` is a ``ScannedAttendee`` and ``result.checkin`` a
    ``StoredCheckin``. With ``bump=False`` the caller bumps ``change_seq`` after its commit
    (``bump_after_commit``) when the result is green.
    """
    nonce = _clean_nonce(nonce)
    code = extract_code(scanned or "")
    found = scanned_attendee(conn, day, code=code) if code is not None else None
    if found is None:
        red = "unknown"
    elif found.event_id != checkin_list.event_id:
        red = "wrong_event"
    elif found.status != "registered":
        red = found.status
    else:
        red = None
    if red is not None:
        if nonce:  # an upload retried after the code changed or the registration was cancelled
            prior = _stored_checkin(conn, nonce=nonce)
            if prior is not None:
                return CheckinResult(AMBER, attendee=scanned_attendee(
                    conn, day, attendee_id=prior.attendee_id), checkin=prior,
                    duplicate_nonce=True)
        return CheckinResult(red, attendee=found if red not in ("unknown", "wrong_event")
                             else None)

    values = {
        "list_id": checkin_list.id, "attendee_id": found.id, "at": _when(at),
        "by_user_id": by_user_id, "source": source[:16], "nonce": nonce,
    }
    one_statement = conn.dialect.name == "postgresql"
    if one_statement:
        new_id = _insert_with_audit_row(conn, values, event_id=checkin_list.event_id,
                                        list_name=checkin_list.name)
    else:
        new_id = _insert_ignoring_conflict(conn, values)
    if new_id is None:
        existing = None
        if nonce:
            existing = _stored_checkin(conn, nonce=nonce)
            if existing is not None and existing.attendee_id != found.id:
                return CheckinResult(AMBER, attendee=scanned_attendee(
                    conn, day, attendee_id=existing.attendee_id), checkin=existing,
                    duplicate_nonce=True)
        existing = existing or _stored_checkin(conn, list_id=checkin_list.id,
                                               attendee_id=found.id)
        return CheckinResult(AMBER, attendee=found, checkin=existing,
                             duplicate_nonce=bool(nonce) and existing is not None
                             and existing.nonce == nonce)

    if not one_statement:
        _record_created(conn, checkin_list.event_id, checkin_list.name, found.id, new_id,
                        source, by_user_id, bump=bump)
    elif bump:
        _bump(checkin_list.event_id, conn)
    return CheckinResult(GREEN, attendee=found,
                         checkin=StoredCheckin(new_id, values["at"], nonce, found.id))


def undo(checkin: Checkin, by_user=None, source: str = "desk") -> None:
    """Take a check-in back. The record goes; the audit log keeps both the check-in and the undo,
    so the counts stay right and the history stays complete. The caller commits."""
    checkin_list = checkin.checkin_list
    audit.record(
        "checkin.undone", event_id=checkin_list.event_id, target=checkin.attendee,
        before={"list": checkin_list.name, "checked_in_at": checkin.at.isoformat(),
                "by": checkin.by_user.email if checkin.by_user else checkin.source,
                "checkin_id": checkin.id},
        **_actor(by_user, source),
    )
    db.session.delete(checkin)
    _bump(checkin_list.event_id)


def regenerate_code(attendee: Attendee) -> None:
    """Give the attendee a new check-in code (lost badge); the old code stops working."""
    attendee.checkin_code = new_code()
    audit.record("attendee.code_regenerated", event_id=attendee.event_id, target=attendee)
    _bump(attendee.event_id)


# --- name search at the desk -----------------------------------------------------------------


def search(event: Event, query: str, limit: int = 12) -> list[Attendee]:
    """Attendees whose name, email or organization contains ``query`` (registered first)."""
    text = " ".join((query or "").split())[:100]
    if len(text) < 2:
        return []
    stmt = (
        select(Attendee).outerjoin(Organization)
        .where(Attendee.event_id == event.id, matches_text(text))
        .order_by((Attendee.status != "registered"), *name_order())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def checkins_for(checkin_list: CheckinList, attendee_ids: list[int]) -> dict[int, Checkin]:
    if not attendee_ids:
        return {}
    rows = db.session.scalars(select(Checkin).where(
        Checkin.list_id == checkin_list.id, Checkin.attendee_id.in_(attendee_ids)))
    return {row.attendee_id: row for row in rows}


# --- live counts -----------------------------------------------------------------------------

BUCKET = timedelta(minutes=15)
MAX_BUCKETS = 24  # six hours of arrivals on the chart


def _floor(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def arrivals_per_quarter_hour(event: Event, times: list[datetime]) -> list[tuple[datetime, int]]:
    """Arrivals per 15 minutes in the event's local time, gaps filled with zero."""
    if not times:
        return []
    counts = Counter(_floor(t.astimezone(event.tz)) for t in times)
    last = max(counts)
    first = max(min(counts), last - BUCKET * (MAX_BUCKETS - 1))
    out = []
    slot = first
    while slot <= last:
        out.append((slot, counts.get(slot, 0)))
        slot = (slot + BUCKET).astimezone(event.tz)
    return out


def live_stats(event: Event) -> dict:
    """Registered, checked in, arrivals per 15 minutes and check-ins by district."""
    entrance = entrance_list(event)
    registered = db.session.scalar(select(func.count()).where(
        Attendee.event_id == event.id, Attendee.status == "registered")) or 0
    times = list(db.session.scalars(select(Checkin.at).where(Checkin.list_id == entrance.id)))
    # People erased on request or by retention still count: anonymous tallies keep them.
    from summit.privacy.models import ErasedAttendee
    from summit.privacy.tally import erased_checkin_times, erased_checkins_by_organization

    erased_times = erased_checkin_times(event, entrance.id)
    times += erased_times
    erased_by_org = erased_checkins_by_organization(event, entrance.id)
    registered += db.session.scalar(select(func.count()).select_from(ErasedAttendee).where(
        ErasedAttendee.event_id == event.id, ErasedAttendee.status == "registered")) or 0
    checked_in = len(times)
    by_org = db.session.execute(
        select(Organization.id, Organization.name, Organization.state, func.count(Attendee.id),
               func.count(Checkin.id))
        .select_from(Attendee)
        .outerjoin(Organization, Organization.id == Attendee.organization_id)
        .outerjoin(Checkin, (Checkin.attendee_id == Attendee.id)
                   & (Checkin.list_id == entrance.id))
        .where(Attendee.event_id == event.id, Attendee.status == "registered")
        .group_by(Organization.id, Organization.name, Organization.state)
    ).all()
    districts = sorted(
        ({"name": name or "No organization", "state": state or "", "registered": reg,
          "checked_in": done + erased_by_org.get(org_id, 0)}
         for org_id, name, state, reg, done in by_org),
        key=lambda d: (-d["checked_in"], -d["registered"], d["name"].casefold()),
    )
    arrivals = arrivals_per_quarter_hour(event, times)
    return {
        "registered": registered,
        "checked_in": checked_in,
        "not_yet": max(registered - checked_in, 0),
        "percent": round(100 * checked_in / registered) if registered else 0,
        "arrivals": arrivals,
        "peak": max((n for _, n in arrivals), default=0),
        "districts": districts,
        "last_arrival": max(times) if times else None,
    }
