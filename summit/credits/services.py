"""Learning credit: the event's activities, each person's evidence, ledgers, corrections,
requests and certificates. No Flask here: callers pass the secret key and the acting user.

The rules themselves are in ``summit.credits.rules`` (pure); this module reads the facts for
them: the program through ``breakouts.api``, the scans this capability stored from the
``checked_in`` signal (``receivers``), homeroom presence through ``selfcheckin.api`` and the
feedback given through ``plans.api``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from summit import audit
from summit.breakouts import api as breakouts
from summit.codes import new_code
from summit.credits import rules
from summit.credits.models import (
    Certificate,
    CreditActivity,
    CreditCorrection,
    CreditRequest,
    CreditScan,
    CreditSettings,
)
from summit.credits.rules import N_
from summit.database import utcnow
from summit.events.models import Event
from summit.extensions import db
from summit.plans.api import feedback_given
from summit.registration.api import Attendee
from summit.selfcheckin.api import table_presence

CERTIFICATE_CODE_LENGTH = 20  # 20 characters of a 31-letter alphabet: about 99 bits
CSV_COLUMNS = ("title", "day", "start", "end", "credit_minutes", "evidence", "room")


class CreditError(ValueError):
    """A change the credit rules refuse; ``problems`` by field (or by CSV row)."""

    def __init__(self, message: str, problems: dict | None = None):
        super().__init__(message)
        self.problems = problems or {}


# --- settings ---------------------------------------------------------------------------------


def settings_of(event: Event, *, create: bool = False) -> CreditSettings:
    """The event's credit settings. Before an organizer saves any, the defaults: a row not
    added to the session (reading pages write nothing), or with ``create`` a stored one."""
    row = db.session.scalar(select(CreditSettings).where(CreditSettings.event_id == event.id))
    if row is None:
        row = CreditSettings(event_id=event.id, credit_name="Clock hours", provider_name="",
                             activity_number="", signer_name="", signer_title="",
                             arrival_window=rules.DEFAULT_ARRIVAL_WINDOW, exit_scan=False,
                             exit_min_share=rules.DEFAULT_EXIT_SHARE, rounding="half",
                             feedback_required=False, retention_years=7)
        if create:
            db.session.add(row)
            db.session.flush()
    return row


def rules_of(settings: CreditSettings) -> rules.Rules:
    return rules.Rules(arrival_window=settings.arrival_window, exit_scan=settings.exit_scan,
                       exit_min_share=settings.exit_min_share, rounding=settings.rounding,
                       feedback_required=settings.feedback_required)


SETTINGS_TEXT = ("credit_name", "provider_name", "activity_number", "signer_name",
                 "signer_title")


def save_settings(event: Event, values: dict, *, by_user=None) -> CreditSettings:
    """Save the organizer's settings form (``values`` already typed), or ``CreditError``."""
    problems = rules.settings_problems(arrival_window=values.get("arrival_window"),
                                       exit_min_share=values.get("exit_min_share"),
                                       rounding=values.get("rounding", ""))
    if not (values.get("credit_name") or "").strip():
        problems["credit_name"] = "Name the credit (for example Clock hours, CEU, PD hours)."
    years = values.get("retention_years")
    if years is None or not 1 <= years <= 30:
        problems["retention_years"] = "Keep the records from 1 to 30 years."
    if problems:
        raise CreditError("Please correct the settings.", problems)
    settings = settings_of(event, create=True)
    before = {name: getattr(settings, name) for name in (*SETTINGS_TEXT, "arrival_window",
                                                         "exit_scan", "exit_min_share",
                                                         "rounding", "feedback_required",
                                                         "retention_years")}
    for name in SETTINGS_TEXT:
        setattr(settings, name, (values.get(name) or "").strip())
    for name in ("arrival_window", "exit_min_share", "retention_years", "rounding"):
        setattr(settings, name, values[name])
    settings.exit_scan = bool(values.get("exit_scan"))
    settings.feedback_required = bool(values.get("feedback_required"))
    after = {name: getattr(settings, name) for name in before}
    if after != before:
        audit.record("credits.settings_changed", event_id=event.id,
                     actor_user_id=getattr(by_user, "id", None),
                     before={k: v for k, v in before.items() if after[k] != v},
                     after={k: v for k, v in after.items() if before[k] != v})
    return settings


def set_signature(event: Event, data: bytes, *, by_user=None) -> CreditSettings:
    """Store the signer's signature image (checked and re-encoded as badges' logo is)."""
    # Imported here: badges' interface loads WeasyPrint, which no page but this upload and
    # the PDFs needs (web workers start without it, as badges' own do).
    from summit.badges.api import BadgeError, normalize_image

    try:
        png, width, height = normalize_image(data)
    except BadgeError as exc:
        raise CreditError(str(exc).replace("The logo", "The signature")
                          .replace("the logo", "the signature")) from exc
    settings = settings_of(event, create=True)
    settings.signature, settings.signature_width, settings.signature_height = png, width, height
    audit.record("credits.signature_set", event_id=event.id,
                 actor_user_id=getattr(by_user, "id", None))
    return settings


def remove_signature(event: Event, *, by_user=None) -> None:
    settings = settings_of(event, create=True)
    settings.signature = settings.signature_width = settings.signature_height = None
    audit.record("credits.signature_removed", event_id=event.id,
                 actor_user_id=getattr(by_user, "id", None))


# --- activities -------------------------------------------------------------------------------


def _choices(event: Event) -> tuple[dict[int, CreditActivity], dict[int, CreditActivity]]:
    rows = db.session.scalars(select(CreditActivity).where(CreditActivity.event_id == event.id))
    by_block, by_session = {}, {}
    for row in rows:
        if row.block_id is not None:
            by_block[row.block_id] = row
        if row.session_id is not None:
            by_session[row.session_id] = row
    return by_block, by_session


def activities_of(event: Event, *, with_meals: bool = False) -> list[rules.Activity]:
    """The event's credit-bearing activities: its learning plenary blocks (meals and breaks
    earn nothing) and its scheduled breakout sessions, with the organizer's choices or the
    defaults (a block's length, entrance evidence, table evidence for homeroom time; a
    session's length, room-door evidence)."""
    by_block, by_session = _choices(event)
    out = []
    for block in breakouts.program_blocks_of(event):
        chosen = by_block.get(block.id)
        minutes = rules.credit_minutes_for(block.kind, block.minutes,
                                           chosen.credit_minutes if chosen else None)
        if minutes <= 0 and not with_meals:
            continue
        evidence = chosen.evidence if chosen else (
            "table" if block.kind == "homeroom" else "entrance")
        out.append(rules.Activity(f"b{block.id}", block.title, block.day, block.starts,
                                  block.ends, minutes, evidence, None, block.room))
    for session in breakouts.sessions_of(event):
        if session.starts is None or session.day is None:
            continue
        chosen = by_session.get(session.id)
        length = int((session.ends - session.starts).total_seconds() // 60)
        minutes = chosen.credit_minutes if chosen else length
        if minutes <= 0 and not with_meals:
            continue
        out.append(rules.Activity(f"s{session.id}", session.title, session.day, session.starts,
                                  session.ends, minutes, "room", session.id, session.room))
    return sorted(out, key=lambda a: (a.starts, a.ends, a.key))


def blocks_for_editing(event: Event) -> list[dict]:
    """Every plenary block with its credit (meals and breaks shown at 0)."""
    by_block, _ = _choices(event)
    rows = []
    for block in breakouts.program_blocks_of(event):
        chosen = by_block.get(block.id)
        rows.append({
            "block": block,
            "minutes": rules.credit_minutes_for(block.kind, block.minutes,
                                                chosen.credit_minutes if chosen else None),
            "evidence": chosen.evidence if chosen else (
                "table" if block.kind == "homeroom" else "entrance"),
            "meal": block.kind in rules.NO_CREDIT_KINDS,
        })
    return rows


def program_block(event: Event, block_id: int | None):
    """The event's plenary block ``block_id``, or ``CreditError``."""
    block = next((b for b in breakouts.program_blocks_of(event) if b.id == block_id), None)
    if block is None:
        raise CreditError("That block is not on this event's program.")
    return block


def set_block_credit(event: Event, block_id: int, credit_minutes: int | None, evidence: str,
                     *, by_user=None) -> None:
    """An organizer's choice for one plenary block, or ``CreditError``."""
    block = program_block(event, block_id)
    if block.kind in rules.NO_CREDIT_KINDS:
        raise CreditError("Meals and breaks earn no credit.")
    problems = rules.activity_problems(rules.ActivityInput(
        block.title, block.day, block.starts.time(), block.ends.time(), credit_minutes,
        evidence, block.room), event.days)
    if problems:
        raise CreditError(" ".join(problems.values()), problems)
    by_block, _ = _choices(event)
    row = by_block.get(block_id)
    before = {"credit_minutes": row.credit_minutes, "evidence": row.evidence} if row else None
    if row is None:
        row = CreditActivity(event_id=event.id, block_id=block_id)
        db.session.add(row)
    row.credit_minutes, row.evidence = credit_minutes, evidence
    audit.record("credits.activity_changed", event_id=event.id,
                 actor_user_id=getattr(by_user, "id", None), before=before,
                 after={"block": block.title, "credit_minutes": credit_minutes,
                        "evidence": evidence})


def _parse_time(text: str) -> time | None:
    try:
        return time.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        return None


def _parse_int(text: str) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def import_activities(event: Event, text: str, *, by_user=None) -> int:
    """Plenary activities from CSV (``title,day,start,end,credit_minutes,evidence[,room]``):
    every row becomes a plenary block of the program (``breakouts.api.save_program_block``, with
    its rules) with its credit. All or nothing: any bad row raises ``CreditError`` whose
    ``problems`` are ``{row number: message}``, and nothing is saved."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS[:6] if c not in header]
    if missing:
        raise CreditError("The file needs the columns " + ",".join(CSV_COLUMNS[:6])
                          + " (and room for room evidence); missing: " + ", ".join(missing)
                          + ".")
    reader.fieldnames = header
    items: list[tuple[int, rules.ActivityInput]] = []
    problems: dict[int, str] = {}
    for number, raw in enumerate(reader, start=2):
        row = {k: (v or "") for k, v in raw.items() if k is not None}
        if not any(value.strip() for value in row.values()):
            continue
        item = rules.ActivityInput(
            title=row.get("title", "").strip(), day=_parse_int(row.get("day", "")),
            starts=_parse_time(row.get("start", "")), ends=_parse_time(row.get("end", "")),
            credit_minutes=_parse_int(row.get("credit_minutes", "")),
            evidence=row.get("evidence", "").strip().lower(), room=row.get("room", "").strip())
        found = rules.activity_problems(item, event.days)
        if found:
            problems[number] = " ".join(found.values())
        items.append((number, item))
    if not items and not problems:
        raise CreditError("The file has no activities.")
    existing = [(b.day, b.starts.time(), b.ends.time(), b.title)
                for b in breakouts.program_blocks_of(event)
                if b.kind not in rules.NO_CREDIT_KINDS]
    new = [(item.day, item.starts, item.ends, item.title) for number, item in items
           if number not in problems]
    for first, second in rules.overlapping_pairs(existing + new):
        for number, item in items:
            if item.title in (first, second) and number not in problems and \
                    (item.day, item.starts, item.ends, item.title) in new:
                problems[number] = f"“{first}” and “{second}” overlap."
    if problems:
        raise CreditError(f"{len(problems)} row(s) have problems; nothing was imported.",
                          problems)
    try:
        with db.session.begin_nested():
            for number, item in items:
                kind = "homeroom" if item.evidence == "table" else "plenary"
                try:
                    block = breakouts.save_program_block(
                        event, title=item.title, day=item.day, starts=item.starts,
                        ends=item.ends, kind=kind, room=item.room)
                except breakouts.ProgramError as exc:
                    raise CreditError("A row has problems; nothing was imported.", {
                        number: " ".join(str(v) for v in exc.problems.values())}) from exc
                db.session.add(CreditActivity(event_id=event.id, block_id=block.id,
                                              credit_minutes=item.credit_minutes,
                                              evidence=item.evidence))
            db.session.flush()
    except CreditError:
        raise
    audit.record("credits.activities_imported", event_id=event.id,
                 actor_user_id=getattr(by_user, "id", None), after={"rows": len(items)})
    return len(items)


# --- evidence ---------------------------------------------------------------------------------


@dataclass
class _Facts:
    entrance: dict[int, dict[int, datetime]]
    rooms: dict[int, dict[int, datetime]]
    exits: dict[int, dict[int, datetime]]
    table: dict[int, dict[int, datetime]]
    corrections: dict[int, dict[str, bool]]


def _day_of(event: Event, moment: datetime) -> int:
    return (moment.astimezone(event.tz).date() - event.start_date).days + 1


def _facts(event: Event, attendee_ids=None) -> _Facts:
    stmt = select(CreditScan.attendee_id, CreditScan.kind, CreditScan.session_id,
                  CreditScan.at).where(CreditScan.event_id == event.id)
    corrections_stmt = select(CreditCorrection.attendee_id, CreditCorrection.activity_key,
                              CreditCorrection.granted).where(
        CreditCorrection.event_id == event.id).order_by(CreditCorrection.at,
                                                        CreditCorrection.id)
    if attendee_ids is not None:
        stmt = stmt.where(CreditScan.attendee_id.in_(attendee_ids))
        corrections_stmt = corrections_stmt.where(CreditCorrection.attendee_id.in_(attendee_ids))
    facts = _Facts({}, {}, {}, table_presence(event.id, attendee_ids), {})
    for attendee_id, kind, session_id, at in db.session.execute(stmt):
        if kind == "entrance":
            days = facts.entrance.setdefault(attendee_id, {})
            day = _day_of(event, at)
            if day not in days or at < days[day]:
                days[day] = at
        elif kind == "room" and session_id is not None:
            rooms = facts.rooms.setdefault(attendee_id, {})
            if session_id not in rooms or at < rooms[session_id]:
                rooms[session_id] = at
        elif kind == "exit" and session_id is not None:
            exits = facts.exits.setdefault(attendee_id, {})
            if session_id not in exits or at > exits[session_id]:
                exits[session_id] = at
    for attendee_id, key, granted in db.session.execute(corrections_stmt):
        facts.corrections.setdefault(attendee_id, {})[key] = granted
    return facts


def _feedback_days(secret_key: str, event: Event, attendee: Attendee) -> frozenset[int]:
    return frozenset(int(key[1:]) for key in feedback_given(secret_key, event, attendee)
                     if key.startswith("d") and key[1:].isdigit())


def _evidence(facts: _Facts, attendee_id: int, feedback_days: frozenset[int]) -> rules.Evidence:
    return rules.Evidence(entrance=facts.entrance.get(attendee_id, {}),
                          table=facts.table.get(attendee_id, {}),
                          rooms=facts.rooms.get(attendee_id, {}),
                          exits=facts.exits.get(attendee_id, {}),
                          feedback_days=feedback_days,
                          corrections=facts.corrections.get(attendee_id, {}))


def ledger_for(event: Event, attendee: Attendee, secret_key: str) -> rules.Ledger:
    settings = settings_of(event)
    facts = _facts(event, [attendee.id])
    needs_feedback = settings.feedback_required
    feedback = _feedback_days(secret_key, event, attendee) if needs_feedback else frozenset()
    return rules.ledger(activities_of(event), _evidence(facts, attendee.id, feedback),
                        rules_of(settings))


def registered_attendees(event: Event) -> list[Attendee]:
    return list(db.session.scalars(select(Attendee).where(
        Attendee.event_id == event.id, Attendee.status == "registered").order_by(
        Attendee.last_name, Attendee.first_name, Attendee.id)))


def ledgers_of(event: Event, secret_key: str,
               attendees: list[Attendee] | None = None) -> list[tuple[Attendee, rules.Ledger]]:
    """Every registered attendee's ledger (for exports and certificates), in name order."""
    attendees = registered_attendees(event) if attendees is None else attendees
    settings = settings_of(event)
    facts = _facts(event, None)
    activities = activities_of(event)
    rule_set = rules_of(settings)
    out = []
    for attendee in attendees:
        feedback = (_feedback_days(secret_key, event, attendee) if settings.feedback_required
                    else frozenset())
        out.append((attendee, rules.ledger(activities, _evidence(facts, attendee.id, feedback),
                                           rule_set)))
    return out


def record_scan(connection, *, event_id: int, attendee_id: int, kind: str,
                session_id: int | None, at: datetime, source: str,
                checkin_id: int | None = None) -> None:
    """Store one scan in the ledger on ``connection`` (from the ``checked_in`` receiver: the
    check-in's own connection and transaction). An entrance or room scan keeps its check-in's
    id, so undoing the check-in removes it (the foreign key cascades)."""
    connection.execute(_INSERT_SCAN, {
        "event_id": event_id, "attendee_id": attendee_id, "kind": kind,
        "session_id": session_id, "at": at, "source": (source or "")[:16],
        "checkin_id": checkin_id})


_INSERT_SCAN = CreditScan.__table__.insert()


# --- corrections and requests -----------------------------------------------------------------


def _activity(event: Event, key: str) -> rules.Activity:
    found = next((a for a in activities_of(event) if a.key == key), None)
    if found is None:
        raise CreditError(N_("That activity earns no credit at this event."))
    return found


def correct(event: Event, attendee: Attendee, key: str, *, granted: bool, reason: str,
            by_user=None) -> CreditCorrection:
    """Grant or remove one activity for one person, with a reason (audited)."""
    reason = " ".join((reason or "").split())
    if attendee.event_id != event.id:
        raise CreditError("That person is not registered for this event.")
    if not reason:
        raise CreditError("Give a reason for the correction.", {"reason": "Give a reason."})
    if len(reason) > 1000:
        raise CreditError("Keep the reason under 1,000 characters.")
    activity = _activity(event, key)
    row = CreditCorrection(event_id=event.id, attendee_id=attendee.id, activity_key=key,
                           granted=granted, reason=reason, by_user_id=getattr(by_user, "id",
                                                                              None),
                           at=utcnow())
    db.session.add(row)
    db.session.flush()
    audit.record("credits.granted" if granted else "credits.removed", event_id=event.id,
                 target=attendee, actor_user_id=getattr(by_user, "id", None),
                 after={"activity": activity.title, "minutes": activity.credit_minutes,
                        "reason": reason})
    return row


def ask_correction(event: Event, attendee: Attendee, key: str, message: str) -> CreditRequest:
    """An attendee asks the organizers to correct one activity of their ledger."""
    message = (message or "").strip()
    if len(message) > 2000:
        raise CreditError(N_("Keep your message under 2,000 characters."))
    _activity(event, key)
    open_one = db.session.scalar(select(CreditRequest).where(
        CreditRequest.attendee_id == attendee.id, CreditRequest.activity_key == key,
        CreditRequest.status == "open"))
    if open_one is not None:
        open_one.message = message or open_one.message
        return open_one
    row = CreditRequest(event_id=event.id, attendee_id=attendee.id, activity_key=key,
                        message=message, status="open", answer="", created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    audit.record("credits.correction_requested", event_id=event.id, target=attendee,
                 actor_label="attendee", after={"activity": key})
    return row


def answer_request(event: Event, request_row: CreditRequest, *, grant: bool, answer: str,
                   by_user=None) -> None:
    """Grant (a correction with the answer as its reason) or decline an open request."""
    if request_row.event_id != event.id:
        raise CreditError("That request is not for this event.")
    if request_row.status != "open":
        raise CreditError("That request was answered already.")
    answer = " ".join((answer or "").split())
    if grant:
        attendee = db.session.get(Attendee, request_row.attendee_id)
        correct(event, attendee, request_row.activity_key, granted=True,
                reason=answer or "Asked by the attendee", by_user=by_user)
    elif not answer:
        raise CreditError("Say why the request is declined.", {"answer": "Say why."})
    request_row.status = "granted" if grant else "declined"
    request_row.answer = answer[:2000]
    request_row.answered_at = utcnow()
    request_row.answered_by_user_id = getattr(by_user, "id", None)


def requests_of(event: Event, status: str | None = "open") -> list[CreditRequest]:
    stmt = select(CreditRequest).where(CreditRequest.event_id == event.id)
    if status:
        stmt = stmt.where(CreditRequest.status == status)
    return list(db.session.scalars(stmt.order_by(CreditRequest.created_at, CreditRequest.id)))


def my_requests(attendee: Attendee) -> dict[str, CreditRequest]:
    rows = db.session.scalars(select(CreditRequest).where(
        CreditRequest.attendee_id == attendee.id).order_by(CreditRequest.created_at))
    return {row.activity_key: row for row in rows}


# --- certificates -----------------------------------------------------------------------------


def keep_until(event: Event, settings: CreditSettings) -> date:
    end = event.end_date
    try:
        return end.replace(year=end.year + settings.retention_years)
    except ValueError:  # 29 February
        return end.replace(year=end.year + settings.retention_years, day=28)


def _snapshot(event: Event, book: rules.Ledger) -> list[dict]:
    return [{"title": line.activity.title,
             "date": line.activity.starts.date().isoformat(),
             "start": line.activity.starts.strftime("%H:%M"),
             "end": line.activity.ends.strftime("%H:%M"),
             "minutes": line.minutes, "evidence": line.evidence or ""}
            for line in book.lines if line.minutes > 0 and not line.locked]


def current_certificate(attendee_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.attendee_id == attendee_id, Certificate.status == "issued")
        .order_by(Certificate.id.desc()))


def issue(event: Event, attendee: Attendee, book: rules.Ledger,
          settings: CreditSettings | None = None) -> Certificate | None:
    """The attendee's certificate for ``book``: the current one when it still says the same,
    else a new one (the previous one is then marked ``superseded``). ``None`` while the
    requirements are not met. The caller commits."""
    if not book.requirements_met:
        return None
    settings = settings or settings_of(event)
    activities = _snapshot(event, book)
    organization = attendee.organization.name if attendee.organization else ""
    current = current_certificate(attendee.id)
    same = current is not None and (
        current.total_minutes, current.activities, current.first_name, current.last_name,
        current.credit_name, current.organization) == (
        book.total_minutes, activities, attendee.first_name, attendee.last_name,
        settings.credit_name, organization)
    if same:
        return current
    try:
        with db.session.begin_nested():
            row = _replace(event, attendee, book, settings, current, activities, organization)
    except IntegrityError:  # another request issued it at the same moment: theirs stands
        return current_certificate(attendee.id)
    audit.record("credits.certificate_issued", event_id=event.id, target=attendee,
                 actor_label="credits", after={"minutes": book.total_minutes,
                                               "replaces": current.id if current else None})
    return row


def needs_issuing(attendee: Attendee, book: rules.Ledger, settings: CreditSettings) -> bool:
    """Whether ``issue`` would write (a read-only page asks before opening a write)."""
    if not book.requirements_met:
        return False
    current = current_certificate(attendee.id)
    organization = attendee.organization.name if attendee.organization else ""
    return current is None or (
        current.total_minutes, current.activities, current.first_name, current.last_name,
        current.credit_name, current.organization) != (
        book.total_minutes, _snapshot(None, book), attendee.first_name, attendee.last_name,
        settings.credit_name, organization)


def _replace(event, attendee, book, settings, current, activities, organization):
    if current is not None:
        current.status = "superseded"
        current.revoked_at = utcnow()
        current.revoked_reason = "A corrected certificate replaced this one."
        db.session.flush()
    row = Certificate(event_id=event.id, attendee_id=attendee.id,
                      code=new_code(CERTIFICATE_CODE_LENGTH), status="issued",
                      first_name=attendee.first_name, last_name=attendee.last_name,
                      email=attendee.email, organization=organization,
                      role=attendee.role or "", credit_name=settings.credit_name,
                      total_minutes=book.total_minutes, activities=activities,
                      issued_at=utcnow(), revoked_reason="",
                      keep_until=keep_until(event, settings))
    db.session.add(row)
    db.session.flush()
    return row


def revoke(event: Event, certificate: Certificate, reason: str, *, by_user=None) -> None:
    reason = " ".join((reason or "").split())
    if certificate.event_id != event.id:
        raise CreditError("That certificate is not this event's.")
    if not reason:
        raise CreditError("Give a reason for revoking the certificate.")
    if certificate.status != "issued":
        raise CreditError("That certificate is no longer valid already.")
    certificate.status = "revoked"
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason[:1000]
    audit.record("credits.certificate_revoked", event_id=event.id,
                 actor_user_id=getattr(by_user, "id", None),
                 after={"certificate": certificate.id, "reason": reason[:1000]})


def find_certificate(code: str) -> Certificate | None:
    code = (code or "").strip().lower().replace("-", "").replace(" ", "")
    if not code or len(code) != CERTIFICATE_CODE_LENGTH:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def issue_all(event: Event, secret_key: str) -> list[Certificate]:
    """Certificates for everyone whose requirements are met (current ones kept)."""
    settings = settings_of(event)
    issued = []
    for attendee, book in ledgers_of(event, secret_key):
        row = issue(event, attendee, book, settings)
        if row is not None:
            issued.append(row)
    return issued


def short_code(code: str) -> str:
    """``abcdefghjk...`` -> ``abcde-fghjk-...`` (easier to read aloud and type)."""
    return "-".join(code[i:i + 5] for i in range(0, len(code), 5))


# --- privacy ----------------------------------------------------------------------------------


def keep_on_erasure(attendee: Attendee) -> None:
    """Before an attendee's record goes: their certificates stay (the provider must keep the
    credit record), detached from the record; everything else of credits about them goes."""
    for model in (CreditScan, CreditCorrection, CreditRequest):
        db.session.execute(delete(model).where(model.attendee_id == attendee.id))
    db.session.execute(Certificate.__table__.update().where(
        Certificate.attendee_id == attendee.id).values(attendee_id=None))


def purge_expired(today: date | None = None) -> int:
    """Delete the certificates whose retention period is over; returns how many."""
    today = today or date.today()
    count = db.session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.keep_until < today)) or 0
    db.session.execute(delete(Certificate).where(Certificate.keep_until < today))
    return count
