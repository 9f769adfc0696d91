"""The personal-data registry: every capability declares the personal data it holds.

A capability describes a *provider* in ``summit/<capability>/privacy.py`` and adds it in its
``init_app`` with ``add_provider(Badges)``::

    from summit.privacy.api import personal_data

    @personal_data(order=40)
    class Badges:
        \"\"\"Badge print records: when and where your badge was printed.\"\"\"

        def export(attendee) -> dict:      # everything this capability holds about them
            return {"prints": [...]}

        def erase(attendee) -> None:       # delete or anonymize, in the caller's transaction
            db.session.execute(delete(BadgePrint).where(BadgePrint.attendee_id == attendee.id))

``export_attendee`` gathers every provider's export into one JSON document (the attendee's
"Download my data" and the organizer's copy for a request by email); ``erase_attendee`` in
``summit.privacy.services`` runs every provider's ``erase`` in ``order`` (the attendee record
itself goes last) and keeps anonymous tallies so statistics stay right.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EXPORT_FORMAT = "summit-personal-data/1"


@dataclass(frozen=True)
class Provider:
    name: str
    order: int
    title: str
    description: str
    export: Callable[[Any], dict]
    erase: Callable[[Any], None]


_PROVIDERS: dict[str, Provider] = {}


def personal_data(order: int = 50, *, name: str | None = None, title: str | None = None):
    """Class decorator describing a capability's ``export`` and ``erase`` functions (the
    capability's ``init_app`` then calls ``add_provider(cls)``).

    ``name`` (default: the class name in lower case) is the key in the exported JSON, ``title``
    (default: the class name) and the class docstring are shown on the erasure confirmation.
    """

    def decorator(cls):
        export = cls.__dict__.get("export")
        erase = cls.__dict__.get("erase")
        if not callable(export) or not callable(erase):
            raise TypeError(f"{cls.__name__} needs both export(attendee) and erase(attendee)")
        key = name or cls.__name__.lower()
        cls.provider = Provider(
            name=key, order=order, title=title or cls.__name__,
            description=inspect.cleandoc(cls.__doc__ or ""), export=export, erase=erase)
        return cls

    return decorator


def add_provider(cls) -> None:
    """Register a class decorated with ``personal_data`` (from a capability's ``init_app``)."""
    _PROVIDERS[cls.provider.name] = cls.provider


def providers() -> list[Provider]:
    """Every registered provider, in erasure order."""
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.name))
