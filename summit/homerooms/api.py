"""What other capabilities use of homerooms: who sits at which table on which day, and the
day's discussion prompt (which another capability may set)."""

from __future__ import annotations

from summit.events.models import Event
from summit.homerooms.services import discussion_prompt, table_labels_for, use_prompts_from

__all__ = ["discussion_prompt", "table_labels_for", "todays_homeroom", "use_prompts_from"]


def todays_homeroom(event: Event, attendee_id: int) -> tuple[str | None, int, bool]:
    """``(label, day, is_today)``: the table for today while the event runs, else for day 1
    (before it) or the last day (after it). Seating changes every day, so a page that shows
    one table must say which day's it is."""
    day = event.current_day()
    label = table_labels_for(event, [attendee_id], day).get(attendee_id)
    return label, day, event.current_day_or_none() is not None
