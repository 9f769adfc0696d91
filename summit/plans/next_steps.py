"""What the organizer should do next about plans and feedback, for the event overview."""

from __future__ import annotations

from sqlalchemy import func, select

from summit.events.models import Event
from summit.extensions import db
from summit.panels import NextStep, days_to_start
from summit.plans.models import Feedback


def plan_steps(*, days_ahead: int, days: int, feedback: int) -> list[NextStep]:
    """Once the last day has begun: read the feedback."""
    if days_ahead > 1 - max(days, 1):
        return []
    if feedback == 0:
        return [NextStep("No feedback yet", "see the feedback page", "plans.feedback_results",
                         "later", 60)]
    answer = "answer" if feedback == 1 else "answers"
    return [NextStep(f"{feedback} feedback {answer}", "read the feedback",
                     "plans.feedback_results", "soon", 60)]


def steps(event: Event) -> list[NextStep]:
    feedback = db.session.scalar(select(func.count(Feedback.id)).where(
        Feedback.event_id == event.id)) or 0
    return plan_steps(days_ahead=days_to_start(event), days=event.days, feedback=feedback)
