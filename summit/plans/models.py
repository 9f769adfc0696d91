"""Action plans, their worksheet template, after-action feedback and participant-led topics.

- ``PlanTemplate`` (one per event, ``version`` bumped on every edit) holds ``PlanSection`` rows
  which hold ``PlanQuestion`` rows. A question's id is its stable key: rewording or moving it
  keeps the id, removing it only sets ``removed_at``, so answers never lose their question.
- ``ActionPlan`` is an attendee's own plan (``attendee_id``) or a district team plan
  (``organization_id``). ``PlanAnswer`` is one field of one question with its own ``version``:
  every save says which version it was based on, so two devices never overwrite each other.
- ``Feedback`` is an after-action review of a day or a breakout (``session_id`` is a plain
  integer so this capability does not depend on breakouts).
- ``Topic`` / ``TopicVote`` are participant-led topics with one vote per attendee (a unique
  constraint), and ``DiscussionPrompt`` is what homeroom tables discuss on a given day.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.database import UTCDateTime, utcnow
from summit.extensions import db

QUESTION_KINDS = {
    "text": "Long answer",
    "short": "Short answer",
    "readiness": "Readiness score (1–4) with a note",
    "priorities": "Choose and rank from a list",
    "actions": "Concrete actions (first step, owner, date, success measure)",
}


class PlanTemplate(db.Model):
    __tablename__ = "plan_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sections: Mapped[list[PlanSection]] = relationship(
        back_populates="template", order_by="PlanSection.position",
        cascade="all, delete-orphan")


class PlanSection(db.Model):
    __tablename__ = "plan_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("plan_templates.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    template: Mapped[PlanTemplate] = relationship(back_populates="sections")
    questions: Mapped[list[PlanQuestion]] = relationship(
        back_populates="section", order_by="PlanQuestion.position",
        cascade="all, delete-orphan")

    @property
    def live_questions(self) -> list[PlanQuestion]:
        return [q for q in self.questions if q.removed_at is None]


class PlanQuestion(db.Model):
    __tablename__ = "plan_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("plan_sections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A machine name for questions the reports know ("take_back", "readiness_technical", ...).
    key: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(16), default="text")
    prompt: Mapped[str] = mapped_column(Text)
    help: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[list | None] = mapped_column(JSON)
    max_items: Mapped[int] = mapped_column(Integer, default=5)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    section: Mapped[PlanSection] = relationship(back_populates="questions")

    @property
    def is_live(self) -> bool:
        return self.removed_at is None and self.section.removed_at is None


class ActionPlan(db.Model):
    __tablename__ = "action_plans"
    __table_args__ = (
        UniqueConstraint("event_id", "attendee_id"),
        UniqueConstraint("event_id", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    # Exactly one of these: an attendee's own plan, or the district's team plan.
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"))
    shared_with_team: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendee = relationship("Attendee")
    organization = relationship("Organization")
    answers: Mapped[list[PlanAnswer]] = relationship(
        back_populates="plan", cascade="all, delete-orphan")

    @property
    def is_team(self) -> bool:
        return self.organization_id is not None

    @property
    def status(self) -> str:
        if self.completed_at:
            return "completed"
        return "started" if self.started_at else "not started"


class PlanAnswer(db.Model):
    __tablename__ = "plan_answers"
    __table_args__ = (UniqueConstraint("plan_id", "question_id", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("plan_questions.id", ondelete="CASCADE"), index=True)
    # "" for a plain answer; "score"/"note" for readiness; "rank:<option>"; "a1.owner" ...
    field: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who wrote the last version (shown in a team plan's conflict message).
    updated_by: Mapped[str] = mapped_column(String(200), default="")

    plan: Mapped[ActionPlan] = relationship(back_populates="answers")
    question: Mapped[PlanQuestion] = relationship()


class PlanTeamMember(db.Model):
    """An attendee who chose to work on their district's team plan."""

    __tablename__ = "plan_team_members"
    __table_args__ = (UniqueConstraint("plan_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id", ondelete="CASCADE"))
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"),
                                             index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendee = relationship("Attendee")


class Feedback(db.Model):
    """One after-action review of a day (``session_id`` empty) or of a breakout session."""

    __tablename__ = "plan_feedback"
    __table_args__ = (
        UniqueConstraint("event_id", "target_key", "submitter_token"),
        Index("ix_plan_feedback_event_target", "event_id", "target_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    day: Mapped[int] = mapped_column(Integer, default=1)
    session_id: Mapped[int | None] = mapped_column(Integer)
    target_key: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(300), default="")
    # Empty when the feedback is anonymous; the token still prevents a second submission.
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="SET NULL"))
    submitter_token: Mapped[str] = mapped_column(String(64))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    supposed: Mapped[str] = mapped_column(Text, default="")
    actual: Mapped[str] = mapped_column(Text, default="")
    learned: Mapped[str] = mapped_column(Text, default="")
    adjust: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendee = relationship("Attendee")


def N_(text: str) -> str:  # noqa: N802
    """A gettext marker with no Flask: default texts are stored in English and translated when
    shown (``summit.i18n.translate``), so text an organizer edits stays exactly as typed."""
    return text


TOPIC_KINDS = {"topic": N_("Topic"), "question": N_("Question"),
               "problem": N_("Practice problem")}


class Topic(db.Model):
    __tablename__ = "plan_topics"
    __table_args__ = (Index("ix_plan_topics_event_status", "event_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16), default="topic")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="visible")  # visible|hidden|merged
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_topics.id", ondelete="SET NULL"))
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendee = relationship("Attendee")


class TopicVote(db.Model):
    __tablename__ = "plan_topic_votes"
    __table_args__ = (UniqueConstraint("topic_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("plan_topics.id", ondelete="CASCADE"),
                                          index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DiscussionPrompt(db.Model):
    """A prompt homeroom tables discuss on ``day`` (the newest one of a day is "today's")."""

    __tablename__ = "discussion_prompts"
    __table_args__ = (Index("ix_discussion_prompts_event_day", "event_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    day: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_topics.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
