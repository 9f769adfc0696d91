"""What other capabilities use of action plans: how far someone's plan is (never its content),
and the day's discussion prompt chosen from topics."""

from summit.plans.services import plan_progress_for

__all__ = ["plan_progress_for"]
