"""Live rooms: questions with upvotes, and polls, for one breakout session or one plenary block.

A ``LiveRoom`` belongs to exactly one breakout session (``session_id``) or one plenary block of
the program (``block_id``); it is made the first time someone opens it. ``seq`` counts changes
that every page must show at once (a question shown or hidden, a poll opened); ``tally_seq``
counts votes and upvotes. The projector's ETag is built from both; attendees' phones take new
counts at most every ``rules.PHONE_COUNTS_SECONDS`` (see ``docs/live.md``).

One upvote per person and question, one vote per person and poll: unique constraints, so two
racing requests from one person count once. A question's ``client_key`` (a random key the
phone makes) is unique per room, so a question queued offline and sent twice is saved once.

A question keeps the attendee who asked it even when it is anonymous (their own data download
lists it, marked anonymous); no page, export or download for anybody else shows who asked it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.database import UTCDateTime, utcnow
from summit.extensions import db


class LiveRoom(db.Model):
    __tablename__ = "live_rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("breakout_sessions.id", ondelete="CASCADE"), unique=True)
    block_id: Mapped[int | None] = mapped_column(
        ForeignKey("program_blocks.id", ondelete="CASCADE"), unique=True)
    moderation: Mapped[str] = mapped_column(String(16), default="immediate")  # or "approval"
    seq: Mapped[int] = mapped_column(Integer, default=0)
    tally_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def key(self) -> str:
        return f"s{self.session_id}" if self.session_id else f"b{self.block_id}"


class LiveQuestion(db.Model):
    __tablename__ = "live_questions"
    __table_args__ = (UniqueConstraint("room_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("live_rooms.id", ondelete="CASCADE"),
                                         index=True)
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="SET NULL"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    # The name shown with the question ("" when anonymous).
    display_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="visible")  # see rules.STATUSES
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    upvotes: Mapped[int] = mapped_column(Integer, default=0)
    client_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    room: Mapped[LiveRoom] = relationship()


class LiveUpvote(db.Model):
    __tablename__ = "live_upvotes"
    __table_args__ = (UniqueConstraint("question_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("live_questions.id", ondelete="CASCADE"))
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LivePoll(db.Model):
    __tablename__ = "live_polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("live_rooms.id", ondelete="CASCADE"),
                                         index=True)
    kind: Mapped[str] = mapped_column(String(16))  # see rules.POLL_KINDS
    question: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | open | closed
    # "voted": a person sees the results once they voted; "closed": everyone, once closed.
    results: Mapped[str] = mapped_column(String(16), default="voted")
    votes: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    room: Mapped[LiveRoom] = relationship()
    options: Mapped[list[LivePollOption]] = relationship(
        cascade="all, delete-orphan", order_by="LivePollOption.position")


class LivePollOption(db.Model):
    __tablename__ = "live_poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("live_polls.id", ondelete="CASCADE"),
                                         index=True)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)


class LivePollVote(db.Model):
    """One person's answer to one poll: the options chosen (ids, comma-separated), the scale
    value or the word-cloud text. ``attendee_id`` goes to NULL when the person is erased, and
    the vote stays in the counts."""

    __tablename__ = "live_poll_votes"
    __table_args__ = (UniqueConstraint("poll_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("live_polls.id", ondelete="CASCADE"),
                                         index=True)
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="SET NULL"), index=True)
    option_ids: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
