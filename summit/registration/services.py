"""Registration rules: sign-up with capacity and waitlist, cancel, promote, import, export."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select, update

from summit import audit, signals
from summit.codes import new_code, new_personal_secret
from summit.database import lock_for_update, utcnow
from summit.events.models import Event, Organization
from summit.extensions import db
from summit.registration.csv_io import ParseResult, RegistrationRow
from summit.registration.models import Attendee
from summit.textfold import folded, like_pattern

EDITABLE_FIELDS = ("first_name", "last_name", "email", "role", "dietary", "accessibility",
                   "share_contact", "organization", "state")


class RegistrationError(Exception):
    """A registration that cannot go ahead, with a message for the person."""


class AlreadyRegistered(RegistrationError):
    def __init__(self, attendee: Attendee):
        super().__init__("This email address is already registered for this event.")
        self.attendee = attendee


def find_or_create_organization(name: str, state: str, kind: str = "district") -> Organization:
    name = " ".join(name.split())
    state = " ".join(state.split())
    key = Organization.key_for(name)
    org = db.session.scalar(
        select(Organization).where(Organization.name_key == key, Organization.state == state)
    )
    if org is None:
        org = Organization(name=name, name_key=key, state=state, kind=kind)
        db.session.add(org)
        db.session.flush()
    return org


def matches_text(query: str):
    """WHERE clause: the attendee's name, last name, email or organization contains ``query``,
    accents and case aside ("cote" finds Côté). The statement must join ``Organization``."""
    like = like_pattern(query)
    full_name = Attendee.first_name + " " + Attendee.last_name
    return or_(*(folded(column).ilike(like, escape="\\") for column in (
        full_name, Attendee.last_name, Attendee.email, Organization.name)))


def name_order() -> tuple:
    """ORDER BY last name, then first name, the way a reader sorts (Bélanger before Brown)."""
    return folded(Attendee.last_name), folded(Attendee.first_name), Attendee.id


def registered_count(event_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Attendee)
        .where(Attendee.event_id == event_id, Attendee.status == "registered")
    ) or 0


def next_waitlist_position(event_id: int) -> int:
    current = db.session.scalar(
        select(func.max(Attendee.waitlist_position)).where(Attendee.event_id == event_id)
    )
    return (current or 0) + 1


def waitlist_rank(attendee: Attendee) -> int | None:
    """1 for the first person waiting; positions are never renumbered, ranks are computed."""
    if attendee.status != "waitlisted" or attendee.waitlist_position is None:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Attendee).where(
            Attendee.event_id == attendee.event_id,
            Attendee.status == "waitlisted",
            Attendee.waitlist_position < attendee.waitlist_position,
        )
    ) or 0
    return ahead + 1


def active_registration(event_id: int, email: str) -> Attendee | None:
    """The registration (registered or waitlisted) that uses ``email`` for the event, if any.

    Cancelled registrations are not in the way: each stays its own row, and registering again
    with the same address makes a new attendee (see ``register``)."""
    return db.session.scalar(
        select(Attendee).where(Attendee.event_id == event_id, Attendee.email == email,
                               Attendee.status != "cancelled"))


@dataclass
class NewRegistration:
    first_name: str
    last_name: str
    email: str
    organization: str
    state: str
    role: str = ""
    dietary: str = ""
    accessibility: str = ""
    share_contact: bool = False
    language: str | None = None  # the language the form was shown in ("en", "fr")


def register(event: Event, data: NewRegistration, *, source: str = "form") -> Attendee:
    """Register someone, or put them on the waitlist once the event is full.

    Always a new attendee: a cancelled registration with the same address stays as it was,
    with its plan, feedback, emails and history, so nothing of an earlier registration reaches
    whoever registers next with that address. ``AlreadyRegistered`` when the address has an
    active registration.

    The event row is locked for the check-and-insert, so two people taking the last place at
    the same moment cannot both get it.
    """
    locked = lock_for_update(db.session, Event, event.id)
    existing = active_registration(event.id, data.email)
    if existing is not None:
        raise AlreadyRegistered(existing)
    org = find_or_create_organization(data.organization, data.state)
    full = locked.capacity is not None and registered_count(event.id) >= locked.capacity
    attendee = Attendee(event_id=event.id, organization=org, source=source,
                        registered_at=utcnow())
    for field in ("first_name", "last_name", "email", "role", "dietary", "accessibility",
                  "share_contact"):
        setattr(attendee, field, getattr(data, field))
    if data.language:
        attendee.preferred_language = data.language
    _take_place_or_wait(attendee, full)
    db.session.add(attendee)
    db.session.flush()
    audit.record("attendee.registered" if not full else "attendee.waitlisted",
                 event_id=event.id, target=attendee, after=snapshot(attendee))
    event.bump()
    signals.attendee_registered.send(attendee, source=source)
    return attendee


def _take_place_or_wait(attendee: Attendee, full: bool) -> None:
    if full:
        attendee.status = "waitlisted"
        attendee.waitlist_position = next_waitlist_position(attendee.event_id)
    else:
        attendee.status = "registered"
        attendee.waitlist_position = None


def restore(attendee: Attendee) -> Attendee:
    """An organizer gives a cancelled registration back to the same person.

    Their record (plan, history, ...) stays theirs. Refused when the address was registered
    again since: that newer registration is the current one. As when someone registers, the
    place is taken or the person waits; the badge and link of before stay dead.
    """
    event = lock_for_update(db.session, Event, attendee.event_id)
    db.session.refresh(attendee)
    if attendee.status != "cancelled":
        raise RegistrationError("Only a cancelled registration can be restored.")
    newer = active_registration(attendee.event_id, attendee.email)
    if newer is not None:
        raise RegistrationError(
            f"{attendee.email} registered again since (attendee #{newer.id}): that "
            "registration is the current one.")
    before = snapshot(attendee)
    full = event.capacity is not None and registered_count(event.id) >= event.capacity
    _take_place_or_wait(attendee, full)
    attendee.cancelled_at = None
    attendee.registered_at = utcnow()
    attendee.checkin_code = new_code()
    attendee.personal_secret = new_personal_secret()
    db.session.flush()
    audit.record("attendee.restored", event_id=event.id, target=attendee, before=before,
                 after=snapshot(attendee))
    event.bump()
    signals.attendee_registered.send(attendee, source="restored")
    return attendee


def cancel(attendee: Attendee) -> Attendee | None:
    """Cancel a registration; a freed place goes to the first person waiting.

    Returns the promoted attendee, if any.
    """
    event = lock_for_update(db.session, Event, attendee.event_id)
    db.session.refresh(attendee)
    if attendee.status == "cancelled":
        return None
    was_registered = attendee.status == "registered"
    before = snapshot(attendee)
    attendee.status = "cancelled"
    attendee.cancelled_at = utcnow()
    attendee.waitlist_position = None
    audit.record("attendee.cancelled", event_id=event.id, target=attendee, before=before,
                 after=snapshot(attendee))
    signals.attendee_cancelled.send(attendee)
    promoted = None
    if was_registered:
        promoted = promote_next(event)
    event.bump()
    return promoted


def promote_next(event: Event) -> Attendee | None:
    """Move the first waitlisted person in if there is room (the event row must be locked)."""
    if event.capacity is not None and registered_count(event.id) >= event.capacity:
        return None
    first = db.session.scalar(
        select(Attendee).where(Attendee.event_id == event.id, Attendee.status == "waitlisted")
        .order_by(Attendee.waitlist_position, Attendee.id).limit(1)
    )
    if first is not None:
        promote(first, automatic=True)
    return first


def promote(attendee: Attendee, *, automatic: bool = False) -> None:
    """Give a waitlisted attendee a place (organizers may go over capacity on purpose)."""
    if attendee.status != "waitlisted":
        raise RegistrationError("Only people on the waitlist can be promoted.")
    before = snapshot(attendee)
    attendee.status = "registered"
    attendee.waitlist_position = None
    audit.record("attendee.promoted" + (".auto" if automatic else ""),
                 event_id=attendee.event_id, target=attendee, before=before,
                 after=snapshot(attendee))
    db.session.execute(update(Event).where(Event.id == attendee.event_id)
                       .values(change_seq=Event.change_seq + 1))
    signals.attendee_promoted.send(attendee, automatic=automatic)


def snapshot(attendee: Attendee) -> dict:
    return {
        "first_name": attendee.first_name,
        "last_name": attendee.last_name,
        "email": attendee.email,
        "organization": attendee.organization.name if attendee.organization else "",
        "state": attendee.organization.state if attendee.organization else "",
        "role": attendee.role,
        "dietary": attendee.dietary,
        "accessibility": attendee.accessibility,
        "share_contact": attendee.share_contact,
        "status": attendee.status,
        "waitlist_position": attendee.waitlist_position,
    }


def update_attendee(attendee: Attendee, changes: dict) -> dict:
    """Apply an organizer's edit; returns the audited difference (empty if nothing changed)."""
    before = snapshot(attendee)
    org_name = changes.pop("organization", None)
    state = changes.pop("state", None)
    if org_name is not None or state is not None:
        attendee.organization = find_or_create_organization(
            org_name if org_name is not None else attendee.organization_name,
            state if state is not None else attendee.state,
        )
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            raise KeyError(field)
        setattr(attendee, field, value)
    if attendee.email != before["email"]:
        # The proof was for the old address: the new one has to be proven again.
        attendee.email_confirmed_at = None
    if attendee.email != before["email"] and attendee.status != "cancelled":
        clash = active_registration(attendee.event_id, attendee.email)
        if clash is not None and clash.id != attendee.id:
            raise RegistrationError("Another attendee of this event already uses that email.")
    old, new = audit.diff(before, snapshot(attendee))
    if new:
        audit.record("attendee.updated", event_id=attendee.event_id, target=attendee,
                     before=old, after=new)
        attendee.event.bump()
    return new


def regenerate_personal_link(attendee: Attendee) -> None:
    attendee.personal_secret = new_personal_secret()
    audit.record("attendee.link_regenerated", event_id=attendee.event_id, target=attendee)


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def import_rows(event: Event, parsed: ParseResult) -> ImportSummary:
    """Import clean rows in the current transaction. Re-importing the same file adds nobody.

    Imported people are registered whatever the capacity: the spreadsheet is the organizer's
    own list. The caller commits, or rolls back on any error so nothing is half-imported.
    """
    if not parsed.ok:
        raise RegistrationError("The file has errors; nothing was imported.")
    lock_for_update(db.session, Event, event.id)
    summary = ImportSummary()
    # By address: the active registration, else the latest cancelled one.
    existing = {
        a.email: a for a in db.session.scalars(
            select(Attendee).where(Attendee.event_id == event.id)
            .order_by(Attendee.status != "cancelled", Attendee.id))
    }
    for row in parsed.rows:
        attendee = existing.get(row.email)
        if attendee is None:
            attendee = _attendee_from_row(event, row)
            db.session.add(attendee)
            summary.added += 1
            continue
        changes = {
            "first_name": row.first_name, "last_name": row.last_name, "role": row.role,
            "organization": row.organization, "state": row.state,
        }
        if row.dietary:
            changes["dietary"] = row.dietary
        if row.accessibility:
            changes["accessibility"] = row.accessibility
        if update_attendee(attendee, changes):
            summary.updated += 1
        else:
            summary.unchanged += 1
    db.session.flush()
    audit.record("registrations.imported", event_id=event.id,
                 after={"added": summary.added, "updated": summary.updated,
                        "unchanged": summary.unchanged})
    event.bump()
    return summary


def _attendee_from_row(event: Event, row: RegistrationRow) -> Attendee:
    return Attendee(
        event_id=event.id,
        organization=find_or_create_organization(row.organization, row.state),
        first_name=row.first_name, last_name=row.last_name, email=row.email, role=row.role,
        dietary=row.dietary, accessibility=row.accessibility, status="registered",
        source="import",
    )

