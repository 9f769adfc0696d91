"""The audit log: who changed what, when, with the values before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, ForeignKey, Index, String, insert
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.database import UTCDateTime, utcnow
from summit.extensions import db


class AuditLog(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_event_at", "event_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    # Readable actor when there is no staff user: "attendee", "cli", "api", "system".
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[int | None] = mapped_column()
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor = relationship("StaffUser")

    @property
    def actor_name(self) -> str:
        if self.actor is not None:
            return self.actor.display_name
        return ACTOR_LABELS.get(self.actor_label or "system", self.actor_label)

    @property
    def action_label(self) -> str:
        """What happened, for people ("Checked in"); the code itself stays in ``action``."""
        return ACTION_LABELS.get(self.action) or self.action.replace("_", " ").replace(".", ": ")


ACTOR_LABELS = {
    "attendee": "The attendee", "public": "Someone on a public page", "cli": "Command line",
    "api": "API", "system": "Summit",
}
ACTION_LABELS = {
    "announcement.posted": "Announcement posted",
    "announcement.withdrawn": "Announcement withdrawn",
    "attendee.registered": "Registered",
    "attendee.waitlisted": "Put on the waitlist",
    "attendee.promoted": "Given a place from the waitlist",
    "attendee.cancelled": "Registration cancelled",
    "attendee.restored": "Cancelled registration given back",
    "attendee.updated": "Details changed",
    "attendee.code_regenerated": "New check-in code (old badge stops working)",
    "attendee.link_regenerated": "Personal link replaced",
    "attendee.link_sent": "Personal link sent",
    "attendee.mail_preferences": "Email preferences changed",
    "attendee.data_downloaded": "Downloaded their data",
    "attendee.data_exported": "Data exported",
    "attendee.erased": "Erased",
    "badge.corrected": "Badge text corrected",
    "community.series_created": "Community of practice created",
    "community.invited": "Members invited to a community of practice",
    "community.invite_link": "Community invitation link replaced or revoked",
    "community.member_decided": "Community member approved, declined or made co-lead",
    "community.meeting_added": "Community meeting added",
    "community.meeting_moved": "Community meeting moved",
    "community.meeting_cancelled": "Community meeting cancelled",
    "community.agenda_published": "Community meeting agenda published",
    "credits.activities_imported": "Credit activities imported",
    "credits.activity_changed": "Credit activity changed",
    "credits.certificate_issued": "Certificate issued",
    "credits.certificate_revoked": "Certificate revoked",
    "credits.correction_requested": "Credit correction requested",
    "credits.granted": "Credit granted by an organizer",
    "credits.removed": "Credit removed by an organizer",
    "credits.settings_changed": "Learning credit settings changed",
    "credits.signature_set": "Certificate signature added",
    "credits.signature_removed": "Certificate signature removed",
    "live.exported": "Live Q&A exported",
    "live.moderation_set": "Live Q&A moderation changed",
    "live.poll_created": "Poll prepared",
    "live.poll_opened": "Poll opened",
    "live.poll_closed": "Poll closed",
    "live.question_approve": "Question approved",
    "live.question_hide": "Question hidden",
    "live.question_show": "Question shown again",
    "live.question_answer": "Question marked answered",
    "live.question_reopen": "Question reopened",
    "live.question_pin": "Question pinned",
    "live.question_unpin": "Question unpinned",
    "badges.batch_requested": "Badge batch requested",
    "badges.logo_added": "Badge logo added",
    "badges.logo_replaced": "Badge logo replaced",
    "badges.logo_removed": "Badge logo removed",
    "breakouts.imported": "Sessions imported",
    "breakouts.left": "Gave up a breakout seat",
    "breakouts.promoted": "Given a breakout seat from the waitlist",
    "breakouts.room_saved": "Room saved",
    "breakouts.room_deleted": "Room deleted",
    "breakouts.slot_saved": "Time slot saved",
    "breakouts.slot_deleted": "Time slot deleted",
    "breakouts.session_created": "Session created",
    "breakouts.session_updated": "Session changed",
    "breakouts.session_moved": "Session moved",
    "breakouts.session_deleted": "Session deleted",
    "breakouts.calendar_link_renewed": "Calendar link renewed",
    "checkin.created": "Checked in",
    "checkin.undone": "Check-in undone",
    "checkin.kiosk_started": "Kiosk mode started",
    "checkin.kiosk_stopped": "Kiosk mode ended",
    "event.created": "Event created",
    "event.updated": "Event settings changed",
    "homeroom.present": "Present at their homeroom table",
    "homerooms.assigned": "Homeroom seating assigned",
    "homerooms.moved": "Moved to another table",
    "homerooms.latecomer_seated": "Seated at a table on registering late",
    "homerooms.accessibility_set": "Table accessibility changed",
    "homerooms.prompt_set": "Table prompt set",
    "homerooms.rules_updated": "Seating rules changed",
    "homerooms.tables_created": "Tables added",
    "homerooms.table_updated": "Table changed",
    "homerooms.table_deleted": "Table deleted",
    "homerooms.table_locked": "Table locked",
    "homerooms.table_unlocked": "Table unlocked",
    "homerooms.seat_locked": "Seat locked",
    "homerooms.seat_unlocked": "Seat unlocked",
    "homerooms.seat_pinned": "Seat pinned",
    "homerooms.seat_unpinned": "Seat unpinned",
    "message.sent": "Message sent",
    "message.retried": "Failed emails retried",
    "plans.exported": "Plans exported",
    "plans.feedback_exported": "Feedback exported",
    "program.block_added": "Program block added",
    "program.block_changed": "Program block changed",
    "program.block_deleted": "Program block deleted",
    "program.embed_origins_changed": "Websites allowed to embed the program changed",
    "registrations.imported": "Registrations imported",
    "registrations.exported": "Registrations exported",
    "registrations.welcomed": "Confirmations emailed to imported people",
    "staff.role_granted": "Staff role given",
    "staff.role_removed": "Staff role removed",
    "staff.token_created": "API token created",
    "staff.token_revoked": "API token revoked",
    "team.join_requested": "Asked to join their district team",
    "team.join_approved": "Approved as a district team member",
    "team.join_declined": "Not approved as a district team member",
    "team.domain_confirmed": "District email domain confirmed",
    "team.domain_removed": "District email domain removed",
    "staff.tokens_revoked": "API tokens revoked (password changed or account removed)",
}


# Built once: ``record_now`` runs on every check-in. ``inline``: nothing is read back (no
# RETURNING of the new id on PostgreSQL).
_INSERT = insert(AuditLog.__table__).inline()


def current_actor() -> tuple[int | None, str]:
    """The signed-in staff user, or a label for who else is acting."""
    from flask import g, has_request_context
    from flask_login import current_user

    if has_request_context():
        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.email
        attendee = getattr(g, "attendee", None)
        if attendee is not None:
            return None, "attendee"
        return None, "public"
    return None, "cli"


def record(
    action: str,
    *,
    event_id: int | None = None,
    target: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    actor_user_id: int | None = None,
    actor_label: str | None = None,
) -> AuditLog:
    """Add an audit entry to the current transaction (the caller commits)."""
    if actor_user_id is None and actor_label is None:
        actor_user_id, actor_label = current_actor()
    entry = AuditLog(
        event_id=event_id,
        actor_user_id=actor_user_id,
        actor_label=actor_label or "",
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def record_now(
    conn: Connection,
    action: str,
    *,
    event_id: int | None,
    target_type: str,
    target_id: int | None,
    before: dict | None = None,
    after: dict | None = None,
    actor_user_id: int | None = None,
    actor_label: str = "",
) -> None:
    """The same entry as ``record``, written at once with one plain INSERT (hot paths: no ORM
    object, no flush) on ``conn``, in the caller's transaction; the caller commits."""
    conn.execute(_INSERT, {
        "event_id": event_id, "actor_user_id": actor_user_id, "actor_label": actor_label or "",
        "action": action, "target_type": target_type, "target_id": target_id, "before": before,
        "after": after, "at": utcnow(),
    })


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep only the keys whose values changed."""
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}
