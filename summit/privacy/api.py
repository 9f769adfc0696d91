"""What other capabilities use of privacy: describing and registering their personal data, and
the anonymous tallies an erased person's check-ins leave (check-in writes and counts them)."""

from summit.privacy.models import ErasedAttendee, ErasedCheckin
from summit.privacy.registry import add_provider, personal_data
from summit.privacy.tally import (
    erased_checkin_counts,
    erased_checkin_times,
    erased_checkins_by_organization,
    erased_count,
)

__all__ = [
    "ErasedAttendee", "ErasedCheckin", "add_provider", "erased_checkin_counts",
    "erased_checkin_times", "erased_checkins_by_organization", "erased_count", "personal_data",
]
