"""What other capabilities use of messages: queueing an email to an attendee through the outbox,
and offering an audience to organizer messages and announcements (or using those audiences:
community series invite a segment in one click)."""

from summit.messages.segments import register_segment, resolve, segment_kinds
from summit.messages.services import send_to_attendee

__all__ = ["register_segment", "resolve", "segment_kinds", "send_to_attendee"]
