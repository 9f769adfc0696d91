"""What the organizer should do next about breakouts, for the event overview."""

from __future__ import annotations

from summit.events.models import Event
from summit.panels import NextStep, event_over


def breakout_steps(*, sessions: int, unscheduled: int, conflicts: int) -> list[NextStep]:
    if sessions == 0:
        return [NextStep("No breakout sessions yet", "add sessions", "breakouts.schedule",
                         "later", 30)]
    steps = []
    if conflicts:
        problem = "conflict" if conflicts == 1 else "conflicts"
        steps.append(NextStep(f"{conflicts} scheduling {problem} in the breakouts",
                              "fix the schedule", "breakouts.schedule", "now", 30))
    if unscheduled:
        session = "session has" if unscheduled == 1 else "sessions have"
        steps.append(NextStep(f"{unscheduled} breakout {session} no room or time yet",
                              "schedule them", "breakouts.schedule", "soon", 31))
    return steps


def steps(event: Event) -> list[NextStep]:
    from summit.breakouts.services import conflicts_for, sessions_of

    if event_over(event):
        return []
    sessions = sessions_of(event)
    return breakout_steps(
        sessions=len(sessions),
        unscheduled=sum(1 for s in sessions if s.slot_id is None or s.room_id is None),
        conflicts=len(conflicts_for(event)) if sessions else 0)
