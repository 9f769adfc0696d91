"""The organizer's attendee search: one query builder shared by the page and its fragment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from summit.checkin import api as checkin
from summit.events.models import Event, Organization
from summit.extensions import db
from summit.privacy.tally import erased_count
from summit.registration.models import STATUSES, Attendee
from summit.registration.services import matches_text, name_order

PAGE_SIZE = 50


@dataclass
class AttendeeFilters:
    q: str = ""
    organization: str = ""
    state: str = ""
    role: str = ""
    status: str = ""
    checked_in: str = ""  # "", "yes", "no"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> AttendeeFilters:
        try:
            page = max(1, min(int(args.get("page", 1)), 10_000))
        except (TypeError, ValueError):
            page = 1
        status = args.get("status", "")
        checked = args.get("checked_in", "")
        return cls(
            q=(args.get("q") or "")[:100].strip(),
            organization=(args.get("organization") or "")[:200],
            state=(args.get("state") or "")[:64],
            role=(args.get("role") or "")[:100],
            status=status if status in STATUSES else "",
            checked_in=checked if checked in ("yes", "no") else "",
            page=page,
        )

    def as_args(self, **overrides) -> dict:
        values = {k: v for k, v in self.__dict__.items() if v and k != "page"}
        values.update(overrides)
        return values

    def address_args(self) -> dict:
        """The filters that may appear in an address: everything but the free-text search,
        which holds names and emails and so travels only in POST bodies."""
        values = self.as_args()
        values.pop("q", None)
        if self.page > 1:
            values["page"] = self.page
        return values

    @property
    def active(self) -> bool:
        return any([self.q, self.organization, self.state, self.role, self.status,
                    self.checked_in])


def _checked_in_clause(event_id: int):
    return Attendee.id.in_(checkin.checked_in_at_entrance(event_id))


def search_attendees(event: Event, f: AttendeeFilters) -> tuple[list[Attendee], int]:
    stmt = select(Attendee).outerjoin(Organization).where(Attendee.event_id == event.id)
    if f.q:
        stmt = stmt.where(matches_text(f.q))
    if f.organization:
        stmt = stmt.where(Organization.name == f.organization)
    if f.state:
        stmt = stmt.where(Organization.state == f.state)
    if f.role:
        stmt = stmt.where(Attendee.role == f.role)
    if f.status:
        stmt = stmt.where(Attendee.status == f.status)
    if f.checked_in == "yes":
        stmt = stmt.where(_checked_in_clause(event.id))
    elif f.checked_in == "no":
        stmt = stmt.where(~_checked_in_clause(event.id))
    total = db.session.scalar(stmt.with_only_columns(func.count(Attendee.id)).order_by(None)) or 0
    rows = db.session.scalars(
        stmt.order_by(*name_order())
        .limit(PAGE_SIZE).offset((f.page - 1) * PAGE_SIZE)
    ).all()
    return list(rows), total


def checked_in_ids(event: Event, attendee_ids: list[int]) -> dict[int, object]:
    if not attendee_ids:
        return {}
    return checkin.arrival_times(event.id, attendee_ids)


def filter_choices(event: Event) -> dict[str, list[str]]:
    base = select(Attendee).outerjoin(Organization).where(Attendee.event_id == event.id)
    orgs = db.session.scalars(base.with_only_columns(Organization.name).distinct()
                              .order_by(Organization.name)).all()
    states = db.session.scalars(base.with_only_columns(Organization.state).distinct()
                                .order_by(Organization.state)).all()
    roles = db.session.scalars(base.with_only_columns(Attendee.role).distinct()
                               .order_by(Attendee.role)).all()
    return {
        "organizations": [o for o in orgs if o],
        "states": [s for s in states if s],
        "roles": [r for r in roles if r],
    }


def event_counts(event: Event) -> dict[str, int]:
    counts = dict(db.session.execute(
        select(Attendee.status, func.count()).where(Attendee.event_id == event.id)
        .group_by(Attendee.status)
    ).all())
    checked = checkin.entrance_count(event.id)
    # Erased attendees' check-ins still count (anonymous tallies, see summit.privacy.tally).
    checked += erased_count(event, checkin.entrance_list_ids(event.id))
    organizations = db.session.scalar(
        select(func.count(func.distinct(Attendee.organization_id)))
        .where(Attendee.event_id == event.id, Attendee.status == "registered")
    ) or 0
    return {
        "registered": counts.get("registered", 0),
        "waitlisted": counts.get("waitlisted", 0),
        "cancelled": counts.get("cancelled", 0),
        "checked_in": checked,
        "organizations": organizations,
    }
