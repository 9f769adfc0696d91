"""Who a message or an announcement goes to.

Built in: everyone registered, one district. Other capabilities add their own kinds in their
``init_app`` (those not checked in yet, homeroom tables, breakout sessions)::

    from summit.messages.api import register_segment

    register_segment(
        "table", "A homeroom table",
        options=lambda event: [("12", "Table 12"), ...],           # choices for the form
        attendee_ids=lambda event, key: [...],                     # who is in it
        keys_for_attendee=lambda event, attendee: {"12"},          # for announcement targets
    )

A kind that is not registered is simply not offered, so messages work before those
capabilities exist. No Flask here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from summit.extensions import db


@dataclass(frozen=True)
class SegmentKind:
    kind: str
    label: str
    attendee_ids: Callable[..., list[int]]
    options: Callable[..., list[tuple[str, str]]] | None = None
    keys_for_attendee: Callable[..., set[str]] | None = None
    order: int = 50


_KINDS: dict[str, SegmentKind] = {}


def register_segment(kind: str, label: str, *, attendee_ids, options=None,
                     keys_for_attendee=None, order: int = 50) -> None:
    _KINDS[kind] = SegmentKind(kind, label, attendee_ids, options, keys_for_attendee, order)


def segment_kinds() -> list[SegmentKind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.kind))


def get_kind(kind: str) -> SegmentKind | None:
    return _KINDS.get(kind)


def announcement_target_kinds() -> list[SegmentKind]:
    """Kinds an announcement can target: those that can tell which keys an attendee has."""
    return [k for k in segment_kinds() if k.keys_for_attendee is not None]


def resolve(event, kind: str, key: str = "") -> list[int]:
    spec = _KINDS.get(kind)
    if spec is None:
        raise KeyError(kind)
    return list(dict.fromkeys(spec.attendee_ids(event, key)))


def option_label(event, kind: str, key: str) -> str:
    spec = _KINDS[kind]
    if spec.options is None:
        return spec.label
    for value, label in spec.options(event):
        if value == key:
            return label
    raise KeyError(key)


# --- built-in kinds ------------------------------------------------------------------------------


def _registered(event):
    from summit.registration.api import Attendee

    return select(Attendee.id).where(Attendee.event_id == event.id,
                                     Attendee.status == "registered")


def _everyone(event, key=""):
    return list(db.session.scalars(_registered(event).order_by(_attendee_order())))


def _attendee_order():
    from summit.registration.api import Attendee

    return Attendee.id


def _district_options(event):
    from summit.events.models import Organization
    from summit.registration.api import Attendee

    rows = db.session.execute(
        select(Organization.id, Organization.name, Organization.state)
        .join(Attendee, Attendee.organization_id == Organization.id)
        .where(Attendee.event_id == event.id, Attendee.status == "registered")
        .distinct().order_by(Organization.name, Organization.state)
    ).all()
    return [(str(i), f"{name} ({state})" if state else name) for i, name, state in rows]


def _district(event, key):
    from summit.registration.api import Attendee

    try:
        org_id = int(key)
    except ValueError:
        return []
    return list(db.session.scalars(
        _registered(event).where(Attendee.organization_id == org_id).order_by(Attendee.id)))


def register_builtin() -> None:
    """The audiences every event has."""
    register_segment("all", "Everyone registered", attendee_ids=_everyone, order=0)
    register_segment("district", "One district", attendee_ids=_district, options=_district_options,
                     order=10)
