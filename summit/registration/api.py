"""What other capabilities use of registration: the attendee (the person every capability
hangs its data on), looking people up, registering a walk-in, and district team membership
(``membership``: who is a proven member of their district's team).

``Attendee`` is exported as the model itself: other capabilities keep foreign keys to it and
join it in their queries. Everything else they need is a function here.
"""

from __future__ import annotations

from sqlalchemy import select

from summit.events.models import Event, Organization
from summit.extensions import db
from summit.registration import membership
from summit.registration.forms import ResendLinkForm
from summit.registration.links import personal_link
from summit.registration.models import ROLES, STATUSES, Attendee, JoinRequest
from summit.registration.services import (
    NewRegistration,
    RegistrationError,
    matches_text,
    name_order,
    promote_next,
    register,
    registered_count,
    waitlist_rank,
)

__all__ = [
    "ROLES", "STATUSES", "Attendee", "JoinRequest", "NewRegistration", "RegistrationError",
    "ResendLinkForm",
    "matches_text", "membership", "name_order", "personal_link", "promote_next", "register",
    "registered_count", "search", "waitlist_rank",
]


def search(event: Event, query: str, limit: int = 12) -> list[Attendee]:
    """Attendees whose name, email or organization contains ``query``, accents and case aside
    (registered people first, then by name)."""
    text = " ".join((query or "").split())[:100]
    if len(text) < 2:
        return []
    return list(db.session.scalars(
        select(Attendee).outerjoin(Organization)
        .where(Attendee.event_id == event.id, matches_text(text))
        .order_by((Attendee.status != "registered"), *name_order())
        .limit(limit)))
