"""Small look-ups other capabilities provide to registration pages and exports.

Kept in one place so the registration code does not import every later capability directly.
"""

from __future__ import annotations

from summit.events.models import Event


def homeroom_labels(event: Event, attendee_ids: list[int], day: int = 1) -> dict[int, str]:
    """Each attendee's homeroom table on ``day`` (e.g. "Table 12"), when homerooms exist."""
    try:
        from summit.homerooms.services import table_labels_for
    except ImportError:
        return {}
    return table_labels_for(event, attendee_ids, day)


def todays_homeroom(event: Event, attendee_id: int) -> tuple[str | None, int, bool]:
    """``(label, day, is_today)``: the table for today while the event runs, else for day 1
    (before it) or the last day (after it). Seating changes every day, so a page that shows
    one table must say which day's it is."""
    day = event.current_day()
    label = homeroom_labels(event, [attendee_id], day).get(attendee_id)
    return label, day, event.current_day_or_none() is not None

