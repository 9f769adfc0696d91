"""Placeholders an organizer can write in a message: ``{first_name}`` becomes each person's.

Plain functions, no Flask. Only the names in ``PLACEHOLDERS`` are replaced; anything else in
braces is reported by ``unknown_placeholders`` so the form can say so before anything is sent
(a literal "{frist_name}" must never reach 3,000 inboxes). ``{{`` and ``}}`` write a brace.
"""

from __future__ import annotations

import re

PLACEHOLDERS = {
    "first_name": lambda a: a.first_name,
    "last_name": lambda a: a.last_name,
    "organization": lambda a: a.organization_name or "",
}
_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def unknown_placeholders(text: str) -> list[str]:
    """The ``{names}`` in ``text`` that are not placeholders, in order, once each."""
    seen = []
    for match in _FIELD.finditer(text or ""):
        name = match.group(1)
        if name is not None and name.strip() not in PLACEHOLDERS and match.group(0) not in seen:
            seen.append(match.group(0))
    return seen


def personalize(text: str, attendee) -> str:
    """``text`` with each placeholder replaced by the attendee's value."""

    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        fill = PLACEHOLDERS.get(match.group(1).strip())
        return fill(attendee) if fill else token

    return _FIELD.sub(replace, text or "")
