"""Communities of practice that meet after the summit: a series repeating by an RRULE, its
members, meetings (moved, cancelled, added), the topics members bring and vote on, RSVPs,
attendance, small groups formed by the homeroom engine, and progress notes on action plans.

Pure modules (no Flask): ``recurrence``, ``agenda``, ``drift``, ``groups``, ``ical``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing registered yet."""
