"""What other capabilities use of action plans: how far someone's plan is (never its content),
the day's discussion prompt chosen from topics, what they said they would take back (for their
own progress notes), and which after-action feedback someone has given (``feedback_given``: the
targets' keys, ``"d2"`` for day 2, ``"s7"`` for session 7; never what they wrote)."""

from summit.plans.feedback import given_keys as feedback_given
from summit.plans.services import plan_progress_for, take_back_items

__all__ = ["feedback_given", "plan_progress_for", "take_back_items"]
