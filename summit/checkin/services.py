"""Check-in: lists, and the ONE way a check-in is read, decided and written.

No Flask here. ``record_scan`` serves every way in (the desk, the ``/c/<code>`` link, the kiosk,
the API and its fast path, self check-in, room doors), on whatever connection the caller holds:

1. **read the facts** with one SELECT: the attendee with this code (or id), their organization,
   what other capabilities show with a scan (``details``: homerooms' table today), their
   check-in on this list and, when the scan carries a nonce, the check-in that nonce made on
   this list;
2. **decide** with ``rules.decide`` (pure: green, amber, red, or a replayed nonce's first answer);
3. **write** a green one with ``_write``, the only code that stores a check-in: the row (``INSERT
   ... ON CONFLICT DO NOTHING``, so two desks scanning one badge at once store it once) and its
   audit entry, then the ``change_seq`` bump that live dashboards poll, and the
   ``signals.checked_in`` signal, inside the transaction. If the insert finds a check-in stored
   meanwhile, the facts are read again and decided again. An amber answer writes nothing, but
   sends ``signals.scanned_again`` (a later day's arrival, or leaving a session's room) when
   anyone listens.

``check_in`` runs it on the ORM session's connection for the Flask views; the API runs it straight
on the driver (``database.direct_connection``).
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (
    Connection,
    Engine,
    String,
    bindparam,
    func,
    insert,
    null,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from summit import audit, signals
from summit.checkin import details, rules
from summit.checkin.models import Checkin, CheckinList
from summit.checkin.rules import AMBER, GREEN, RED_OUTCOMES  # noqa: F401  (re-exported)
from summit.codes import extract_code, new_code
from summit.database import DirectConnection, direct_connection, sqlite_write_turn, utcnow
from summit.events.models import Event, Organization
from summit.extensions import db
from summit.registration.api import Attendee, matches_text, name_order

log = logging.getLogger(__name__)

SOURCES = ("desk", "camera", "wedge", "search", "url", "kiosk", "api", "offline", "door")
NONCE_MAX = 64
# How far back a scan queued offline may date its arrival (older times are clamped to "now").
OFFLINE_BACKDATE_LIMIT = timedelta(hours=12)


# Where the hot path's statements run: a Core connection, or the driver itself (the API).
SqlConnection = Connection | DirectConnection


class CheckinError(ValueError):
    """A request to the check-in service that cannot be understood (e.g. an oversized nonce)."""


@dataclass(frozen=True)
class ListRef:
    """A check-in list as the hot path needs it (cacheable; not an ORM row)."""

    id: int
    event_id: int
    name: str
    kind: str = "entrance"
    session_id: int | None = None

    @classmethod
    def of(cls, checkin_list: CheckinList) -> ListRef:
        return cls(checkin_list.id, checkin_list.event_id, checkin_list.name,
                   checkin_list.kind, checkin_list.session_id)


@dataclass(frozen=True)
class StoredCheckin:
    """A stored check-in, as an answer shows it (not an ORM row)."""

    id: int
    at: datetime
    nonce: str | None
    attendee_id: int


@dataclass(frozen=True)
class ScannedAttendee:
    """What a check-in answer shows of an attendee, read with the scan's one SELECT."""

    id: int
    event_id: int
    status: str
    first_name: str
    last_name: str
    organization_name: str
    accessibility: str
    details: dict = field(default_factory=dict)  # other capabilities' (``checkin.details``)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def homeroom(self) -> str | None:
        """The table today, when homerooms contributes it."""
        return self.details.get("homeroom")


@dataclass
class CheckinResult:
    outcome: str  # checked_in | already_checked_in | unknown | cancelled | waitlisted | wrong_event
    attendee: ScannedAttendee | None = None
    checkin: StoredCheckin | None = None
    replayed: bool = False  # a nonce's first answer, given again (nothing written this time)

    @property
    def colour(self) -> str:
        return rules.colour_of(self.outcome)

    @property
    def counted(self) -> bool:
        """True when this call created the check-in record."""
        return self.outcome == GREEN and not self.replayed


# --- lists -----------------------------------------------------------------------------------


def entrance_list(event_or_id) -> CheckinList:
    """The event's main-entrance list (made when the event is created, see ``receivers``; made
    here on first use for events older than that)."""
    event_id = getattr(event_or_id, "id", event_or_id)
    row = db.session.scalar(select(CheckinList).where(
        CheckinList.event_id == event_id, CheckinList.kind == "entrance"))
    if row is None:
        row = CheckinList(event_id=event_id, name="Main entrance", kind="entrance")
        db.session.add(row)
        db.session.flush()
    return row


def session_list(event_id: int, session_id: int, name: str) -> CheckinList:
    """The check-in list of one breakout session (one per session; created on first use, and
    deleted with the session by the foreign key)."""
    row = db.session.scalar(select(CheckinList).where(
        CheckinList.event_id == event_id, CheckinList.kind == "session",
        CheckinList.session_id == session_id))
    if row is None:
        row = CheckinList(event_id=event_id, name=name[:200], kind="session",
                          session_id=session_id)
        db.session.add(row)
        db.session.flush()
    return row


def find_by_code(scanned: str) -> Attendee | None:
    code = extract_code(scanned)
    if code is None:
        return None
    return db.session.scalar(select(Attendee).options(joinedload(Attendee.organization))
                             .where(Attendee.checkin_code == code))


# --- reading the facts -----------------------------------------------------------------------

_HOT_STATEMENTS: dict[str, object] = {}


def _hot(name: str, build):
    """A statement built once per process (per dialect where it differs): building and
    cache-keying a fresh construct on every check-in costs more CPU than running it."""
    stmt = _HOT_STATEMENTS.get(name)
    if stmt is None:
        stmt = _HOT_STATEMENTS.setdefault(name, build())
    return stmt


def _forget_scan_statements() -> None:
    for name in [name for name in _HOT_STATEMENTS if name.startswith("scan_")]:
        _HOT_STATEMENTS.pop(name, None)


details.when_details_change(_forget_scan_statements)

_STORED = ("id", "at", "nonce", "attendee_id")


def _scan_statement(by: str, with_nonce: bool):
    """One SELECT: the attendee (by ``code`` or ``id``: bind parameter ``key``), their
    organization, every scan detail, their check-in on list ``list_id`` and, ``with_nonce``, the
    check-in nonce ``nonce`` made on that list."""
    a, o, c = Attendee.__table__, Organization.__table__, Checkin.__table__
    joined = a.outerjoin(o, o.c.id == a.c.organization_id)
    shown = details.scan_details()
    detail_columns = []
    for detail in shown:
        joined, columns = detail.join(joined, a)
        detail_columns.append(tuple(columns))
    mine = c.alias("mine")
    joined = joined.outerjoin(mine, (mine.c.list_id == bindparam("list_id"))
                              & (mine.c.attendee_id == a.c.id))
    columns = [a.c.id, a.c.event_id, a.c.status, a.c.first_name, a.c.last_name,
               a.c.accessibility, o.c.name, *(col for cols in detail_columns for col in cols),
               *(mine.c[name] for name in _STORED)]
    if with_nonce:
        by_nonce = c.alias("by_nonce")
        joined = joined.outerjoin(by_nonce, (by_nonce.c.list_id == bindparam("list_id"))
                                  & (by_nonce.c.nonce == bindparam("nonce")))
        columns += [by_nonce.c[name] for name in _STORED]
    stmt = select(*columns).select_from(joined).where(
        a.c.checkin_code == bindparam("key") if by == "code" else a.c.id == bindparam("key"))
    return stmt, tuple(zip(shown, (len(cols) for cols in detail_columns), strict=True))


def _stored(row, start: int) -> StoredCheckin | None:
    return StoredCheckin(*row[start:start + 4]) if row[start] is not None else None


def _read(conn: SqlConnection, checkin_list: ListRef, day: int, by: str, key,
          nonce: str | None):
    """``(attendee, their check-in on the list, the check-in ``nonce`` made on the list)``."""
    name = f"scan_{by}_{'nonce' if nonce else 'plain'}"
    stmt, shown_details = _hot(name, lambda: _scan_statement(by, nonce is not None))
    params = {"day": day, "key": key, "list_id": checkin_list.id}
    if nonce is not None:
        params["nonce"] = nonce
    row = conn.execute(stmt, params).first() if key is not None else None
    if row is None:
        return None, None, (_stored_checkin(conn, checkin_list.id, nonce=nonce)
                            if nonce else None)
    aid, event_id, status, first, last, accessibility, org = row[:7]
    shown = {}
    at = 7
    for detail, size in shown_details:
        if status == "registered":
            shown[detail.name] = detail.value(*row[at:at + size])
        at += size
    attendee = ScannedAttendee(aid, event_id, status, first, last, org or "", accessibility or "",
                               shown)
    existing = _stored(row, at)
    by_nonce = _stored(row, at + 4) if nonce is not None else None
    return attendee, existing, by_nonce


def scanned_attendee(conn: SqlConnection, day: int, *, code: str | None = None,
                     attendee_id: int | None = None) -> ScannedAttendee | None:
    """The attendee with this check-in code (or id) as a scan answer shows them."""
    by, key = ("code", code) if code is not None else ("id", attendee_id)
    return _read(conn, ListRef(0, 0, ""), day, by, key, None)[0]


def _stored_checkin(conn: SqlConnection, list_id: int, *, nonce: str | None = None,
                    attendee_id: int | None = None) -> StoredCheckin | None:
    """The check-in ``nonce`` made on this list, or this attendee's on it."""
    table = Checkin.__table__
    by = "nonce" if nonce is not None else "attendee"

    def build():
        column = table.c.nonce if by == "nonce" else table.c.attendee_id
        return select(*(table.c[name] for name in _STORED)).where(
            table.c.list_id == bindparam("list_id"), column == bindparam("value"))

    row = conn.execute(_hot(f"stored_by_{by}", build), {
        "list_id": list_id, "value": nonce if by == "nonce" else attendee_id}).first()
    return StoredCheckin(*row) if row is not None else None


def _clean_nonce(nonce: str | None) -> str | None:
    if nonce is None:
        return None
    nonce = nonce.strip() or None
    if nonce is not None and len(nonce) > NONCE_MAX:
        raise CheckinError(f"nonce longer than {NONCE_MAX} characters")
    return nonce


def _when(at: datetime | None) -> datetime:
    now = utcnow()
    return now if at is None or not (now - OFFLINE_BACKDATE_LIMIT <= at <= now) else at


def _prior(stored: StoredCheckin | None) -> rules.Prior | None:
    return rules.Prior(stored.id, stored.attendee_id, stored.nonce) if stored else None


# --- the one way to check in -----------------------------------------------------------------


def record_scan(conn: SqlConnection, checkin_list: ListRef, *, day: int,
                code: str | None = None, attendee_id: int | None = None,
                by_user_id: int | None = None, source: str = "desk", nonce: str | None = None,
                at: datetime | None = None, scanned_at: datetime | None = None,
                bump: bool = True) -> CheckinResult:
    """Check in whoever ``code`` (what a scanner read: the ``/c/<code>`` URL or the bare code)
    or ``attendee_id`` names, on ``checkin_list``, in the caller's transaction (the caller
    commits). See the module docstring.

    ``day`` is the event day whose details (homeroom table) the answer shows. ``at`` lets a
    scan queued offline keep its time (clamped to the last 12 hours). ``scanned_at`` is a scan
    time the caller has already bounded (the API: not in the future, on one of the event's
    days): it is stored as is, and the audit entry keeps it beside its own time (the upload's).
    With ``bump=False`` the
    caller bumps ``change_seq`` after its commit when ``result.counted``
    (``bump_after_commit``)."""
    nonce = _clean_nonce(nonce)
    if attendee_id is not None:
        by, key = "id", attendee_id
    else:
        by, key = "code", extract_code(code or "")
    attendee, existing, by_nonce = _read(conn, checkin_list, day, by, key, nonce)
    for _attempt in range(3):
        person = (rules.Person(attendee.id, attendee.event_id, attendee.status)
                  if attendee is not None else None)
        decision = rules.decide(rules.Facts(checkin_list.event_id, person, nonce,
                                            _prior(by_nonce), _prior(existing)))
        if not decision.record:
            if decision.outcome == AMBER and not decision.replay \
                    and signals.scanned_again.receivers:
                signals.scanned_again.send(
                    checkin_list.event_id, attendee_id=attendee.id, list_id=checkin_list.id,
                    list_kind=checkin_list.kind, session_id=checkin_list.session_id,
                    at=scanned_at if scanned_at is not None else _when(at),
                    source=source[:16], checkin_id=decision.prior.id, connection=conn)
            return _answer(conn, day, decision, attendee, (existing, by_nonce))
        values = {
            "list_id": checkin_list.id, "attendee_id": attendee.id,
            "at": scanned_at if scanned_at is not None else _when(at),
            "by_user_id": by_user_id, "source": source[:16], "nonce": nonce,
        }
        new_id = _write(conn, values, checkin_list, bump=bump, scanned=scanned_at is not None)
        if new_id is not None:
            stored = StoredCheckin(new_id, values["at"], nonce, attendee.id)
            signals.checked_in.send(
                checkin_list.event_id, attendee_id=attendee.id, list_id=checkin_list.id,
                list_kind=checkin_list.kind, session_id=checkin_list.session_id,
                at=values["at"], source=values["source"], checkin_id=new_id, connection=conn)
            return CheckinResult(GREEN, attendee, stored)
        # A unique constraint said no: another desk was first, or this nonce's first request
        # committed meanwhile (a retry racing it). Read what is stored and decide again.
        existing = _stored_checkin(conn, checkin_list.id, attendee_id=attendee.id)
        by_nonce = _stored_checkin(conn, checkin_list.id, nonce=nonce) if nonce else None
    raise CheckinError("the check-in kept changing under this scan")  # undone three times


def _answer(conn: SqlConnection, day: int, decision: rules.Decision,
            attendee: ScannedAttendee | None, stored: tuple) -> CheckinResult:
    if decision.outcome in (rules.UNKNOWN, rules.WRONG_EVENT):
        return CheckinResult(decision.outcome)  # another event's attendee is never shown
    checkin = next((s for s in stored if s is not None and decision.prior is not None
                    and s.id == decision.prior.id), None)
    if checkin is not None and (attendee is None or checkin.attendee_id != attendee.id):
        # A replayed nonce for another badge (or a code that changed since): its first answer
        # was about the person it checked in.
        attendee = scanned_attendee(conn, day, attendee_id=checkin.attendee_id)
    return CheckinResult(decision.outcome, attendee, checkin, replayed=decision.replay)


def _write(conn: SqlConnection, values: dict, checkin_list: ListRef, *, bump: bool,
           scanned: bool = False) -> int | None:
    """Store a new check-in and its audit entry, and bump ``change_seq`` when ``bump``: the new
    check-in's id, or ``None`` when a unique constraint said no (nothing written then).

    The same rows on both databases (``test_hot_path`` compares them field by field); the SQL
    differs only because SQLite has no data-modifying CTE:
    - PostgreSQL: the insert and its audit row are ONE statement, so that outside a
      transaction (the API) it stores both or neither, in one round trip;
    - SQLite: the insert, then the audit row (always inside the caller's transaction).
    The bump comes last: on PostgreSQL it locks the event row until COMMIT, and every check-in
    of the event queues on that lock (see ``bump_in_transaction``). ``scanned``: the check-in's
    time is a scan time sent with it (uploaded later), which its audit entry's ``after`` keeps
    as ``scanned_at`` (the entry's own time is the upload's)."""
    event_id = checkin_list.event_id
    entry = _created_entry(event_id, values["attendee_id"], values["source"],
                           values["by_user_id"])
    scanned_at = values["at"].isoformat() if scanned else None
    if conn.dialect.name == "postgresql":
        new_id = _insert_with_audit_row(conn, values, entry, checkin_list.name, scanned_at)
    else:
        new_id = _insert_ignoring_conflict(conn, values)
        if new_id is not None:
            after = {"list": checkin_list.name, "source": values["source"],
                     "checkin_id": new_id}
            if scanned_at is not None:
                after["scanned_at"] = scanned_at
            audit.record_now(conn, **entry, after=after)
    if new_id is not None and bump:
        _bump(event_id, conn)
    return new_id


def _insert_ignoring_conflict(conn: SqlConnection, values: dict) -> int | None:
    dialect = conn.dialect.name

    def build():
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = Checkin.__table__
        return insert(table).on_conflict_do_nothing().returning(table.c.id)

    return conn.execute(_hot(f"insert_checkin_{dialect}", build), values).scalar()


def _insert_with_audit_row(conn: SqlConnection, values: dict, entry: dict,
                           list_name: str, scanned_at: str | None = None) -> int | None:
    """PostgreSQL: the check-in and its audit row as ONE statement (a data-modifying CTE);
    with ``scanned_at``, the audit row's ``after`` keeps it too."""

    def build():
        from summit.audit import AuditLog

        checkins, log = Checkin.__table__, AuditLog.__table__
        new = (postgresql.insert(checkins)
               .values({name: bindparam(name, type_=checkins.c[name].type) for name in values})
               .on_conflict_do_nothing().returning(checkins.c.id).cte("new_checkin"))
        parts = ["list", bindparam("list_name", type_=String),
                 "source", bindparam("source", type_=String), "checkin_id", new.c.id]
        if scanned_at is not None:
            parts += ["scanned_at", bindparam("scanned_at", type_=String)]
        after = func.json_build_object(*parts)
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
    name = "insert_checkin_with_audit_postgresql"
    if scanned_at is not None:
        params["scanned_at"] = scanned_at
        name += "_scanned"
    return conn.execute(_hot(name, build), params).scalar()


def _created_entry(event_id: int, attendee_id: int, source: str,
                   by_user_id: int | None) -> dict:
    """The audit fields of a new check-in, but its ``after`` (``{"list", "source",
    "checkin_id"}``)."""
    return {"event_id": event_id, "action": "checkin.created", "target_type": "attendee",
            "target_id": attendee_id, "actor_user_id": by_user_id,
            "actor_label": "" if by_user_id is not None else source}


def _bump(event_id: int, conn: SqlConnection | None = None) -> None:
    """``change_seq + 1`` for the event (live dashboards answer 304 until it changes)."""
    def build():
        table = Event.__table__
        return (update(table).where(table.c.id == bindparam("event_id"))
                .values(change_seq=table.c.change_seq + 1))

    (conn or db.session.connection()).execute(_hot("bump", build), {"event_id": event_id})


def bump_in_transaction(dialect_name: str) -> bool:
    """Whether the API should bump ``change_seq`` inside a check-in's own transaction.

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


def check_in(attendee_or_code, checkin_list: CheckinList, by_user=None, source: str = "desk",
             nonce: str | None = None, at: datetime | None = None) -> CheckinResult:
    """``record_scan`` for the Flask views, on the ORM session's connection and transaction
    (the caller commits): ``attendee_or_code`` is an ``Attendee`` or what a scanner read."""
    db.session.flush()  # what the request changed so far is what the scan reads
    event = db.session.get(Event, checkin_list.event_id)
    if isinstance(attendee_or_code, Attendee):
        who = {"attendee_id": attendee_or_code.id}
    else:
        who = {"code": attendee_or_code or ""}
    return record_scan(db.session.connection(), ListRef.of(checkin_list),
                       day=event.current_day(), by_user_id=getattr(by_user, "id", None),
                       source=source, nonce=nonce, at=at, **who)


def check_in_alone(engine: Engine, checkin_list: ListRef, *, day: int, code: str,
                   by_user_id: int | None, nonce: str | None,
                   source: str = "api", scanned_at: datetime | None = None) -> CheckinResult:
    """``record_scan`` in a transaction of its own, straight on the driver (the API, whose
    request needs nothing else of the database): no ORM session, and none of Core's
    per-statement work, which was most of a check-in's CPU.

    SQLite: one transaction that begins with the write lock, in turn with the other workers
    (``sqlite_write_turn``), and bumps ``change_seq`` inside it. PostgreSQL: no transaction
    (no BEGIN/COMMIT round trips): the look-up reads committed data as it would inside one, the
    check-in with its audit row is a single statement, and the bump follows in a short
    transaction of its own (``bump_after_commit``). But a receiver of ``checked_in`` runs
    inside the check-in's transaction, so while anyone listens PostgreSQL gets one too.
    Database errors propagate as SQLAlchemy's (``DBAPIError``): the caller decides."""
    bump = bump_in_transaction(engine.dialect.name)
    in_transaction = bool(signals.checked_in.receivers or signals.scanned_again.receivers)
    with direct_connection(engine) as conn:
        with sqlite_write_turn(engine), \
                (nullcontext() if in_transaction else conn.autocommit()):
            conn.begin()
            result = record_scan(conn, checkin_list, code=code, day=day,
                                 by_user_id=by_user_id, source=source, nonce=nonce,
                                 scanned_at=scanned_at, bump=bump)
            conn.commit()
        if result.counted and not bump:
            try:
                bump_after_commit(conn, checkin_list.event_id)
            except OperationalError:  # the check-in is stored; dashboards catch up later
                log.warning("live counts not bumped after a check-in")
    return result


def _actor(by_user, source: str) -> dict:
    if by_user is not None:
        return {"actor_user_id": by_user.id, "actor_label": ""}
    return {"actor_user_id": None, "actor_label": source}


def undo(checkin: Checkin, by_user=None, source: str = "desk", how: str = "scan") -> None:
    """Take a check-in back. The record goes; the audit log keeps both the check-in and the undo,
    so the counts stay right and the history stays complete. The caller commits.

    ``how``: ``"scan"`` (the desk's undo of the scan just made, ``undo_scan``) or ``"record"``
    (an earlier arrival removed from the person's record, after a confirmation)."""
    checkin_list = checkin.checkin_list
    audit.record(
        "checkin.undone", event_id=checkin_list.event_id, target=checkin.attendee,
        before={"list": checkin_list.name, "checked_in_at": checkin.at.isoformat(),
                "by": checkin.by_user.email if checkin.by_user else checkin.source,
                "checkin_id": checkin.id, "how": how},
        **_actor(by_user, source),
    )
    db.session.delete(checkin)
    _bump(checkin_list.event_id)


def scan_checkin(event_id: int, checkin_id: int, nonce: str | None) -> Checkin | None:
    """The check-in that the scan with ``nonce`` created, if it is ``checkin_id`` and still
    stands: what the desk's *Undo this scan* may take back.

    A scan's nonce is its token: random, made by the device that scanned (or by the server for
    a click in the name search), stored with the check-in it created and never shown anywhere
    else. So an undo only reverses a check-in its own scan created; a request naming an earlier
    arrival (another desk's, or this one's from before), or a check-in made without a nonce,
    finds nothing."""
    nonce = (nonce or "").strip()
    if not nonce or len(nonce) > NONCE_MAX:
        return None
    return db.session.scalar(
        select(Checkin).join(CheckinList, CheckinList.id == Checkin.list_id)
        .where(Checkin.id == checkin_id, Checkin.nonce == nonce,
               CheckinList.event_id == event_id))


def undo_scan(event_id: int, checkin_id: int, nonce: str | None, by_user=None):
    """Undo the check-in the scan ``nonce`` created (``scan_checkin``): the attendee whose
    arrival was taken back, or ``None`` when that scan created no check-in that still stands.
    The caller commits."""
    checkin = scan_checkin(event_id, checkin_id, nonce)
    if checkin is None:
        return None
    attendee = checkin.attendee
    undo(checkin, by_user=by_user, how="scan")
    return attendee


def new_scan_nonce() -> str:
    """A nonce for a scan the server starts (a click in the name search, the ``/c/<code>``
    link): the token its *Undo* needs."""
    return secrets.token_hex(16)


def arrivals_of(event_id: int, attendee_id: int) -> list[Checkin]:
    """The person's check-ins at this event (entrance and session doors), earliest first."""
    return list(db.session.scalars(
        select(Checkin).join(CheckinList, CheckinList.id == Checkin.list_id)
        .options(joinedload(Checkin.checkin_list), joinedload(Checkin.by_user))
        .where(CheckinList.event_id == event_id, Checkin.attendee_id == attendee_id)
        .order_by(Checkin.at, Checkin.id)))


def event_checkin(event_id: int, checkin_id: int) -> Checkin | None:
    """A check-in on one of this event's lists (``None``: another event's, or gone)."""
    return db.session.scalar(
        select(Checkin).join(CheckinList, CheckinList.id == Checkin.list_id)
        .where(Checkin.id == checkin_id, CheckinList.event_id == event_id))


def arrival_of(event_id: int, attendee_id: int, checkin_id: int) -> Checkin | None:
    """One of the person's check-ins at this event (``None``: not theirs, or gone)."""
    return db.session.scalar(
        select(Checkin).join(CheckinList, CheckinList.id == Checkin.list_id)
        .where(Checkin.id == checkin_id, Checkin.attendee_id == attendee_id,
               CheckinList.event_id == event_id))


SOURCE_LABELS = {
    "desk": "desk", "camera": "camera scan", "wedge": "scanner", "search": "name search",
    "url": "QR link", "kiosk": "self-check-in kiosk", "api": "scanner app (API)",
    "offline": "uploaded after being offline", "door": "room door", "self": "their own phone",
}


def arrival_place(checkin: Checkin) -> str:
    """Where and how an arrival was recorded, as the desk names it: "Main entrance, by Lee
    Smith (camera scan)", "Main entrance, self-check-in kiosk"."""
    how = SOURCE_LABELS.get(checkin.source, checkin.source)
    name = checkin.checkin_list.name
    if checkin.by_user is not None:
        return f"{name}, by {checkin.by_user.display_name} ({how})"
    return f"{name}, {how}"


def regenerate_code(attendee: Attendee) -> None:
    """Give the attendee a new check-in code (lost badge); the old code stops working."""
    attendee.checkin_code = new_code()
    audit.record("attendee.code_regenerated", event_id=attendee.event_id, target=attendee)
    _bump(attendee.event_id)


# --- who checked in (read by other capabilities through ``checkin.api``) --------------------


def _entrance_ids(event_id: int):
    return select(CheckinList.id).where(CheckinList.event_id == event_id,
                                        CheckinList.kind == "entrance")


def checked_in_at_entrance(event_id: int):
    """A SELECT of the ids of the attendees checked in at the event's entrance (to use in
    ``IN (...)`` / ``NOT IN (...)``)."""
    return select(Checkin.attendee_id).where(Checkin.list_id.in_(_entrance_ids(event_id)))


def entrance_list_ids(event_id: int):
    """A SELECT of the ids of the event's entrance list(s)."""
    return _entrance_ids(event_id)


def arrivals(event: Event, minutes: int = 15) -> dict[datetime, int]:
    """Entrance check-ins per ``minutes`` bucket (UTC), erased attendees' tallies included."""
    from summit.privacy.api import erased_checkin_times

    def bucket(moment: datetime) -> datetime:
        return moment.replace(minute=moment.minute - moment.minute % minutes, second=0,
                              microsecond=0)

    ids = _entrance_ids(event.id)
    counts = Counter(bucket(at) for at in db.session.scalars(
        select(Checkin.at).where(Checkin.list_id.in_(ids))))
    counts.update(bucket(at) for at in erased_checkin_times(event, ids))
    return dict(sorted(counts.items()))


def checked_in_ids(event_id: int) -> set[int]:
    return set(db.session.scalars(checked_in_at_entrance(event_id)))


def entrance_checkin(event_id: int, attendee_id: int) -> Checkin | None:
    return db.session.scalar(select(Checkin).where(Checkin.list_id.in_(_entrance_ids(event_id)),
                                                   Checkin.attendee_id == attendee_id))


def arrival_times(event_id: int, attendee_ids: list[int]) -> dict[int, datetime]:
    """``{attendee_id: when they checked in at the entrance}`` for those who did."""
    if not attendee_ids:
        return {}
    return dict(db.session.execute(
        select(Checkin.attendee_id, Checkin.at)
        .where(Checkin.list_id.in_(_entrance_ids(event_id)),
               Checkin.attendee_id.in_(attendee_ids))).all())


def entrance_count(event_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Checkin)
                             .where(Checkin.list_id.in_(_entrance_ids(event_id)))) or 0


def attendee_ids_on(checkin_list: CheckinList | ListRef) -> set[int]:
    return set(db.session.scalars(select(Checkin.attendee_id)
                                  .where(Checkin.list_id == checkin_list.id)))


def attendance_by_session(session_ids: list[int]) -> dict[int, set[int]]:
    """``{session_id: ids of the attendees checked in at its door}``."""
    attended: dict[int, set[int]] = {sid: set() for sid in session_ids}
    if session_ids:
        for sid, aid in db.session.execute(
                select(CheckinList.session_id, Checkin.attendee_id)
                .join(CheckinList, CheckinList.id == Checkin.list_id)
                .where(CheckinList.kind == "session", CheckinList.session_id.in_(session_ids))):
            attended[sid].add(aid)
    return attended


def door_scans(session_ids, attendee_id: int) -> tuple[set[int], set[int]]:
    """(the sessions among ``session_ids`` (ids, or a SELECT of them) whose door list has any
    check-in, those where ``attendee_id`` checked in)."""
    door = (select(CheckinList.session_id).join(Checkin, Checkin.list_id == CheckinList.id)
            .where(CheckinList.kind == "session", CheckinList.session_id.in_(session_ids)))
    scanned = set(db.session.scalars(door.distinct()))
    mine = set(db.session.scalars(door.where(Checkin.attendee_id == attendee_id)))
    return scanned, mine


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
    from summit.privacy.api import (
        ErasedAttendee,
        erased_checkin_times,
        erased_checkins_by_organization,
    )

    times += erased_checkin_times(event, [entrance.id])
    erased_by_org = erased_checkins_by_organization(event, [entrance.id])
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
