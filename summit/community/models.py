"""Communities of practice that meet after the summit.

- ``CommunitySeries``: one community of an event ("Leadership AI Roundtable"): its recurrence
  (an RFC 5545 RRULE read by python-dateutil), local start and end times in an IANA time zone,
  its place (a video link or a room), the size of its small groups and its invitation link
  (``invite_secret``; ``None`` once revoked).
- ``CommunityRetiredInvite``: an invitation link replaced or revoked, kept so that using it says
  "this link no longer works" (410) where a made-up link is simply not found (404).
- ``CommunityMember``: an attendee of the event in a series (invited, requested, active, left;
  member or co-lead), with their own calendar-feed secret and whether other members may see
  their name.
- ``CommunityMeeting``: one meeting, generated from the rule (``occurrence`` is the rule's
  local date) or added by hand (``occurrence`` empty). Moving or cancelling changes the row;
  ``sequence`` counts changes, as iCalendar's SEQUENCE.
- ``CommunityTopic`` / ``CommunityTopicVote``: what members bring, one vote per member (a
  unique constraint). A topic stays open (carried over) until an agenda takes it.
- ``CommunityRsvp``, ``CommunityAttendance``, ``CommunityGroupSeat``: a member's answer, their
  presence (marked by a host or reported by themselves) and their small group at a meeting.
- ``CommunityProgressNote``: a member's note on one of their action plan's "take back" items.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.database import UTCDateTime, utcnow
from summit.extensions import db

MEMBER_STATUSES = ("invited", "requested", "active", "left")
MEMBER_ROLES = ("member", "colead")
RSVP_ANSWERS = ("yes", "no", "maybe")
PROGRESS_STATUSES = ("done", "in_progress", "stuck")


class CommunitySeries(db.Model):
    __tablename__ = "community_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    rrule: Mapped[str] = mapped_column(String(500))
    first_date: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64), default="America/Los_Angeles")
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    video_url: Mapped[str] = mapped_column(String(500), default="")
    room: Mapped[str] = mapped_column(String(200), default="")
    group_size: Mapped[int] = mapped_column(Integer, default=5)
    # Days before a meeting by which the hosts publish its agenda.
    agenda_days_before: Mapped[int] = mapped_column(Integer, default=3)
    invite_secret: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event = relationship("Event")


class CommunityRetiredInvite(db.Model):
    __tablename__ = "community_retired_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        ForeignKey("community_series.id", ondelete="CASCADE"), index=True)
    secret: Mapped[str] = mapped_column(String(40), unique=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommunityMember(db.Model):
    __tablename__ = "community_members"
    __table_args__ = (UniqueConstraint("series_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        ForeignKey("community_series.id", ondelete="CASCADE"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"),
                                             index=True)
    status: Mapped[str] = mapped_column(String(16), default="invited")
    role: Mapped[str] = mapped_column(String(16), default="member")
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_secret: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    series: Mapped[CommunitySeries] = relationship()
    attendee = relationship("Attendee")


class CommunityMeeting(db.Model):
    __tablename__ = "community_meetings"
    __table_args__ = (UniqueConstraint("series_id", "occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        ForeignKey("community_series.id", ondelete="CASCADE"), index=True)
    occurrence: Mapped[date | None] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # or cancelled
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    agenda: Mapped[str] = mapped_column(Text, default="")
    agenda_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    group_prompt: Mapped[str] = mapped_column(Text, default="")
    groups_report: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    series: Mapped[CommunitySeries] = relationship()

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


class CommunityTopic(db.Model):
    __tablename__ = "community_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        ForeignKey("community_series.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_members.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16), default="topic")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|chosen|hidden
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_meetings.id", ondelete="SET NULL"))
    carried_over: Mapped[int] = mapped_column(Integer, default=0)
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommunityTopicVote(db.Model):
    __tablename__ = "community_topic_votes"
    __table_args__ = (UniqueConstraint("topic_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("community_topics.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("community_members.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommunityRsvp(db.Model):
    __tablename__ = "community_rsvps"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("community_meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("community_members.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommunityAttendance(db.Model):
    __tablename__ = "community_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("community_meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("community_members.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(8), default="host")  # host | self
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommunityGroupSeat(db.Model):
    __tablename__ = "community_group_seats"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("community_meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("community_members.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)


class CommunityProgressNote(db.Model):
    __tablename__ = "community_progress_notes"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("community_meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("community_members.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(String(64))
    item_text: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
