"""Who sees which personal field of an attendee: declared once, here.

Every page, fragment and export that shows one of these fields to someone other than an
organizer asks this table (``may_see``), through ``summit.access.staff_may_see`` for staff
pages and directly for attendee pages and exports. The registration form shows the promises
written here (``form_note``, ``SHARE_WITH_TABLEMATES``; French in the catalog), and the table
in docs/privacy.md says the same. ``tests/privacy/test_personal_fields.py`` plants a marker in
every field, renders every page and export as every audience, fails wherever a marker reaches
someone not listed here, and checks the form's words and the docs against this table.

Audiences:

- ``organizer``: the event's organizers.
- ``checkin``: check-in volunteers (the desk, the badge desk, the scanner API).
- ``facilitator``: homeroom-table and breakout-session facilitators: the people at their
  tables and sessions, and the names on the table-progress page (status only, never content).
- ``table_facilitator``: the staff member who facilitates the homeroom table a person sits at,
  about the people at that table only (a facilitator of another table, or of a breakout
  session, is ``facilitator``): they host the table, so they need to know that a tablemate
  needs an accessible seat or has an accessibility need.
- ``self``: the attendee (My summit, "Download my data").
- ``tablemate``: another attendee seated at their homeroom table, only when the person ticked
  "share my name, district and email with my tablemates" (``share_contact``).
- ``attendee``: any other attendee.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from summit.i18n import N_

ORGANIZER = "organizer"
CHECKIN = "checkin"
FACILITATOR = "facilitator"
TABLE_FACILITATOR = "table_facilitator"
SELF = "self"
TABLEMATE = "tablemate"
ATTENDEE = "attendee"
AUDIENCES = (ORGANIZER, CHECKIN, FACILITATOR, TABLE_FACILITATOR, SELF, TABLEMATE, ATTENDEE)


@dataclass(frozen=True)
class PersonalField:
    key: str
    label: str
    seen_by: frozenset[str]
    columns: tuple[str, ...]  # the names this field goes by in exports and rows
    form_note: str = ""  # the promise under the field on the registration form (translated)


FIELDS: dict[str, PersonalField] = {f.key: f for f in (
    PersonalField("name", "Name", frozenset({ORGANIZER, CHECKIN, FACILITATOR, TABLE_FACILITATOR,
                                             SELF, TABLEMATE}), ("first_name", "last_name")),
    PersonalField("district", "District and state",
                  frozenset({ORGANIZER, CHECKIN, FACILITATOR, TABLE_FACILITATOR, SELF, TABLEMATE}),
                  ("organization", "state")),
    PersonalField("role", "Role", frozenset({ORGANIZER, CHECKIN, FACILITATOR, TABLE_FACILITATOR,
                                             SELF}), ("role",)),
    PersonalField("email", "Email", frozenset({ORGANIZER, SELF, TABLEMATE}), ("email",)),
    PersonalField("dietary", "Dietary note", frozenset({ORGANIZER, SELF}), ("dietary",),
                  N_("Optional. Seen only by the organizers, who arrange the meals with the "
                     "caterers.")),
    PersonalField("accessibility", "Accessibility note",
                  frozenset({ORGANIZER, CHECKIN, TABLE_FACILITATOR, SELF}), ("accessibility",),
                  N_("Optional. Seen only by the organizers, the check-in desk and the "
                     "facilitator of your homeroom table, so we can help on the day.")),
)}
# The smallest group any aggregate shows (averages, counts of a word, a district suggested
# on the public form): a smaller one could show one person's answer. The one rule, here.
SMALLEST_GROUP = 3


def large_enough(count: int) -> bool:
    """Whether a group of ``count`` people (or answers) may be shown in an aggregate."""
    return count >= SMALLEST_GROUP


# The registration form's "share" box: what a tablemate sees (name, district, email above).
SHARE_WITH_TABLEMATES = N_("Share my name, district and email with my tablemates")
_BY_COLUMN = {column: f for f in FIELDS.values() for column in f.columns}


def may_see(field: str, audiences: Iterable[str]) -> bool:
    """Whether someone in any of ``audiences`` may see ``field`` (a key of ``FIELDS``).

    An unknown field is a ``KeyError``: a page cannot ask about a field nobody declared."""
    seen_by = FIELDS[field].seen_by
    return any(audience in seen_by for audience in audiences)


def visible_columns(columns: Iterable[str], audiences: Iterable[str]) -> list[str]:
    """The columns of an export (or keys of a record) that ``audiences`` may see: columns
    that are not personal fields (status, table, day...) are kept."""
    audiences = tuple(audiences)
    return [c for c in columns if c not in _BY_COLUMN or may_see(_BY_COLUMN[c].key, audiences)]
