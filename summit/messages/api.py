"""What other capabilities use of messages: queueing an email to an attendee through the outbox,
and offering an audience to organizer messages and announcements."""

from summit.messages.segments import register_segment
from summit.messages.services import send_to_attendee

__all__ = ["register_segment", "send_to_attendee"]
