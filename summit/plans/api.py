"""What other capabilities use of action plans: how far someone's plan is (never its content),
what they said they would take back (for their own progress notes), and the day's discussion
prompt chosen from topics."""

from summit.plans.services import plan_progress_for, take_back_items

__all__ = ["plan_progress_for", "take_back_items"]
