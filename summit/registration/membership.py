"""District team membership: who may see a district's team, its members and its plans.

Typing a district's name on the public form says where someone *claims* to work; it proves
nothing. A registered attendee belongs to their organization's team for an event when their
email address is confirmed (they opened a link that only went to it) and either

- the address is at a domain the organizers confirmed for that organization (or a subdomain of
  it), unless an organizer removed them; or
- a confirmed team member or an organizer approved their request to join.

Until then they see nothing of the team: no member names, no shared plans, no team plan.
This module is the interface other capabilities (action plans) use; it imports no Flask.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from summit import audit
from summit.database import utcnow
from summit.events.models import Event, Organization
from summit.extensions import db
from summit.registration.models import Attendee, JoinRequest, OrganizationDomain


def N_(text: str) -> str:  # noqa: N802  (a gettext marker: shown with ``translate``)
    return text


class MembershipError(ValueError):
    """A request or decision that cannot go ahead, with a message for the person."""


# Addresses anyone can get: confirming one would open a team to the whole world.
PUBLIC_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "yahoo.ca", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com",
    "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.net", "mail.com", "zoho.com",
    "yandex.com", "fastmail.com", "hey.com", "tutanota.com", "comcast.net", "att.net",
    "verizon.net", "sbcglobal.net", "bellsouth.net", "cox.net", "charter.net", "shaw.ca",
    "rogers.com", "sympatico.ca", "videotron.ca", "telus.net", "bell.net", "hotmail.ca",
    "outlook.fr", "hotmail.fr", "orange.fr", "free.fr", "laposte.net",
})
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")

# What ``standing`` answers.
NO_DISTRICT = "no_district"          # the registration names no organization
NOT_REGISTERED = "not_registered"    # waitlisted or cancelled: no team yet
UNCONFIRMED = "unconfirmed_email"    # the address was never proven
MEMBER = "member"                    # by domain or by approval
PENDING = "pending"                  # asked, waiting for a decision
DECLINED = "declined"                # refused or removed
NOT_ASKED = "not_asked"              # may ask to join


def email_domain(email: str) -> str:
    """The domain of an address, in its ASCII form (``écoles.ca`` -> ``xn--coles-9ra.ca``) so
    it compares with confirmed domains however either was typed."""
    domain = email.rpartition("@")[2].strip().strip(".").lower()
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def normalize_domain(text: str) -> str:
    """``"@Knox.K12.TN.us "`` -> ``"knox.k12.tn.us"``; ``MembershipError`` (in English: the
    organizers' pages are not translated) for anything an organization could not own."""
    domain = (text or "").strip().lower().lstrip("@").strip(".")
    try:
        domain = email_domain(domain).encode("idna").decode("ascii") if domain else ""
    except UnicodeError:
        domain = ""
    labels = domain.split(".")
    if not domain or len(domain) > 253 or len(labels) < 2 or not all(
            _LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise MembershipError("Please enter a domain such as knoxschools.org.")
    if domain in PUBLIC_MAIL_DOMAINS:
        raise MembershipError(f"Anyone can get an address at {domain}, a public email "
                              "provider, so it cannot prove membership of a team.")
    return domain


def domain_covers(confirmed: str, domain: str) -> bool:
    return domain == confirmed or domain.endswith("." + confirmed)


def confirmed_domains(event_id: int, organization_id: int) -> list[OrganizationDomain]:
    return list(db.session.scalars(
        select(OrganizationDomain).where(OrganizationDomain.event_id == event_id,
                                         OrganizationDomain.organization_id == organization_id)
        .order_by(OrganizationDomain.domain)))


def _domains_by_organization(event_id: int) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for organization_id, domain in db.session.execute(
            select(OrganizationDomain.organization_id, OrganizationDomain.domain)
            .where(OrganizationDomain.event_id == event_id)):
        found[organization_id].append(domain)
    return found


def request_of(attendee: Attendee) -> JoinRequest | None:
    return db.session.scalar(select(JoinRequest).where(JoinRequest.attendee_id == attendee.id))


def _standing(attendee: Attendee, domains: list[str], request: JoinRequest | None) -> str:
    if attendee.organization_id is None:
        return NO_DISTRICT
    if attendee.status != "registered":
        return NOT_REGISTERED
    if attendee.email_confirmed_at is None:
        return UNCONFIRMED
    if request is not None and request.organization_id != attendee.organization_id:
        request = None  # a decision about another organization: it does not apply here
    if request is not None and request.status == "declined":
        return DECLINED
    if request is not None and request.status == "approved":
        return MEMBER
    domain = email_domain(attendee.email)
    if any(domain_covers(confirmed, domain) for confirmed in domains):
        return MEMBER
    return PENDING if request is not None else NOT_ASKED


def standing(attendee: Attendee) -> str:
    """Where ``attendee`` stands with their district's team (one of the constants above)."""
    if attendee.organization_id is None:
        return NO_DISTRICT
    domains = [d.domain for d in confirmed_domains(attendee.event_id, attendee.organization_id)]
    return _standing(attendee, domains, request_of(attendee))


def is_member(attendee: Attendee) -> bool:
    return standing(attendee) == MEMBER


def _people(event_id: int, organization_id: int) -> list[tuple[Attendee, str]]:
    """Every attendee of the event who names the organization, with their standing."""
    people = list(db.session.scalars(
        select(Attendee).where(Attendee.event_id == event_id,
                               Attendee.organization_id == organization_id)
        .order_by(Attendee.first_name, Attendee.last_name, Attendee.id)))
    requests = {r.attendee_id: r for r in db.session.scalars(
        select(JoinRequest).where(JoinRequest.attendee_id.in_([p.id for p in people])))}
    domains = [d.domain for d in confirmed_domains(event_id, organization_id)]
    return [(p, _standing(p, domains, requests.get(p.id))) for p in people]


def members(event_id: int, organization_id: int | None) -> list[Attendee]:
    """The confirmed members of an organization's team for an event."""
    if organization_id is None:
        return []
    return [p for p, s in _people(event_id, organization_id) if s == MEMBER]


def member_ids(event_id: int, organization_id: int | None) -> set[int]:
    return {p.id for p in members(event_id, organization_id)}


def pending_requests(event_id: int, organization_id: int | None = None) -> list[JoinRequest]:
    """Requests waiting for a decision (of one organization, or of the whole event), oldest
    first. A request whose attendee moved to another organization, was cancelled or is a
    member anyway (their domain was confirmed since) is left out."""
    stmt = (select(JoinRequest).join(Attendee, Attendee.id == JoinRequest.attendee_id)
            .where(JoinRequest.event_id == event_id, JoinRequest.status == "pending",
                   Attendee.organization_id == JoinRequest.organization_id,
                   Attendee.status == "registered")
            .order_by(JoinRequest.requested_at, JoinRequest.id))
    if organization_id is not None:
        stmt = stmt.where(JoinRequest.organization_id == organization_id)
    return [r for r in db.session.scalars(stmt) if standing(r.attendee) == PENDING]


def ask_to_join(attendee: Attendee) -> JoinRequest:
    """Ask the team (its members and the organizers) to confirm ``attendee``."""
    current = standing(attendee)
    if current == MEMBER:
        raise MembershipError(N_("You are already a member of your district team."))
    if current in (NO_DISTRICT, NOT_REGISTERED):
        raise MembershipError(N_("Only registered attendees with a district can join a team."))
    if current == UNCONFIRMED:
        raise MembershipError(N_("Open the personal link we emailed you first: it shows the "
                                 "address is yours."))
    if current == DECLINED:
        raise MembershipError(N_("Your request was not approved. Please talk to the "
                                 "organizers."))
    request, created = _request_row(attendee)
    if not created:
        if request.status == "pending" and request.organization_id == attendee.organization_id:
            return request  # asked already (or a double tap): nothing changes
        # A decision about an organization the attendee no longer names.
        request.organization_id = attendee.organization_id
        request.requested_at = utcnow()
    request.status = "pending"
    request.decided_at = None
    request.decided_by_attendee_id = None
    request.decided_by_staff = ""
    db.session.flush()
    audit.record("team.join_requested", event_id=attendee.event_id, target=attendee,
                 after={"organization": attendee.organization_name})
    return request


def _request_row(attendee: Attendee) -> tuple[JoinRequest, bool]:
    """The attendee's request row, made if missing: ``(row, made now)``. Two requests racing
    (a double tap) find one row: the loser of the unique constraint reads the winner's."""
    request = request_of(attendee)
    if request is not None:
        return request, False
    try:
        with db.session.begin_nested():
            request = JoinRequest(event_id=attendee.event_id, attendee_id=attendee.id,
                                  organization_id=attendee.organization_id)
            db.session.add(request)
            db.session.flush()
    except IntegrityError:
        return request_of(attendee), False
    return request, True


def may_decide(member: Attendee, request: JoinRequest) -> bool:
    """Whether the attendee ``member`` may approve or decline ``request``: a confirmed member of
    the same team, deciding on a pending request of someone else."""
    return (request.event_id == member.event_id and request.attendee_id != member.id
            and request.organization_id == member.organization_id
            and request.status == "pending" and is_member(member))


def decide_as_member(member: Attendee, request: JoinRequest, approve: bool) -> None:
    if not may_decide(member, request) or standing(request.attendee) != PENDING:
        raise MembershipError(N_("This request is no longer waiting for a decision."))
    _decide(request, approve, by_attendee=member)


def decide_as_organizer(event: Event, attendee: Attendee, approve: bool, by: str) -> JoinRequest:
    """An organizer approves someone, or declines (removes) them, whatever they asked."""
    if attendee.event_id != event.id or attendee.organization_id is None:
        raise MembershipError("This attendee has no district.")
    request, _created = _request_row(attendee)
    request.organization_id = attendee.organization_id
    _decide(request, approve, by_staff=by)
    return request


def _decide(request: JoinRequest, approve: bool, *, by_attendee: Attendee | None = None,
            by_staff: str = "") -> None:
    request.status = "approved" if approve else "declined"
    request.decided_at = utcnow()
    request.decided_by_attendee_id = by_attendee.id if by_attendee else None
    request.decided_by_staff = by_staff
    db.session.flush()
    audit.record("team.join_approved" if approve else "team.join_declined",
                 event_id=request.event_id, target=request.attendee,
                 after={"organization": request.organization.name,
                        "by": "team member" if by_attendee else "organizer"})


def confirm_domain(event: Event, organization: Organization, text: str,
                   by: str) -> OrganizationDomain:
    domain = normalize_domain(text)
    taken = db.session.scalar(select(OrganizationDomain).where(
        OrganizationDomain.event_id == event.id, OrganizationDomain.domain == domain))
    if taken is not None:
        if taken.organization_id == organization.id:
            return taken
        raise MembershipError(f"{domain} is already confirmed for {taken.organization.name} "
                              f"({taken.organization.state}).")
    try:
        with db.session.begin_nested():
            row = OrganizationDomain(event_id=event.id, organization_id=organization.id,
                                     domain=domain, confirmed_by=by)
            db.session.add(row)
            db.session.flush()
    except IntegrityError:  # confirmed at this very moment by another organizer
        return confirm_domain(event, organization, domain, by)
    audit.record("team.domain_confirmed", event_id=event.id,
                 after={"organization": organization.name, "domain": domain})
    return row


def remove_domain(row: OrganizationDomain) -> None:
    audit.record("team.domain_removed", event_id=row.event_id,
                 before={"organization": row.organization.name, "domain": row.domain})
    db.session.delete(row)
    db.session.flush()


@dataclass
class OrganizationSummary:
    organization: Organization
    registered: int
    members: int
    pending: int
    confirmed: list[str]
    # Email domains of the organization's registered attendees, most common first, with the
    # public providers left out: what the organizers may want to confirm.
    seen: list[tuple[str, int]]


def organizations_of(event: Event) -> list[OrganizationSummary]:
    """Every organization attendees of ``event`` named, for the organizers' districts page."""
    rows = db.session.execute(
        select(Attendee, Organization).join(Organization,
                                            Organization.id == Attendee.organization_id)
        .where(Attendee.event_id == event.id, Attendee.status == "registered")).all()
    people: dict[int, list[Attendee]] = defaultdict(list)
    organizations: dict[int, Organization] = {}
    for attendee, organization in rows:
        people[organization.id].append(attendee)
        organizations[organization.id] = organization
    domains = _domains_by_organization(event.id)
    requests = {r.attendee_id: r for r in db.session.scalars(
        select(JoinRequest).where(JoinRequest.event_id == event.id))}
    summaries = []
    for organization_id, attendees in people.items():
        confirmed = sorted(domains.get(organization_id, []))
        standings = [_standing(a, confirmed, requests.get(a.id)) for a in attendees]
        seen = Counter(email_domain(a.email) for a in attendees)
        summaries.append(OrganizationSummary(
            organization=organizations[organization_id], registered=len(attendees),
            members=standings.count(MEMBER), pending=standings.count(PENDING),
            confirmed=confirmed,
            seen=[(d, n) for d, n in seen.most_common() if d not in PUBLIC_MAIL_DOMAINS]))
    return sorted(summaries, key=lambda s: (-s.pending, s.organization.name.casefold()))


def people_of(event: Event, organization: Organization
              ) -> list[tuple[Attendee, str, JoinRequest | None]]:
    """Attendees of ``event`` naming ``organization``, with their standing and their request
    (for the organizers: an approval waits there until the person proves their address)."""
    people = _people(event.id, organization.id)
    requests = {r.attendee_id: r for r in db.session.scalars(
        select(JoinRequest).where(JoinRequest.attendee_id.in_([p.id for p, _s in people]),
                                  JoinRequest.organization_id == organization.id))}
    return [(p, s, requests.get(p.id)) for p, s in people]
