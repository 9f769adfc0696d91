"""Communities' personal data: memberships, the topics a member wrote and their votes, RSVPs,
attendance, small-group seats and progress notes. Erasing a person removes all of it (their
topics too: a topic's text can name them); meetings and other members' rows stay."""

from __future__ import annotations

from sqlalchemy import delete, select

from summit.community.models import (
    CommunityAttendance,
    CommunityGroupSeat,
    CommunityMeeting,
    CommunityMember,
    CommunityProgressNote,
    CommunityRsvp,
    CommunitySeries,
    CommunityTopic,
    CommunityTopicVote,
)
from summit.extensions import db
from summit.privacy.api import personal_data


def _member_ids(attendee) -> list[int]:
    return list(db.session.scalars(select(CommunityMember.id).where(
        CommunityMember.attendee_id == attendee.id)))


@personal_data(order=70, name="community", title="Communities of practice")
class Community:
    """Each series the attendee was invited to or joined, with their status and role, the
    topics they wrote and voted for, their RSVPs, attendance, groups and progress notes."""

    def export(attendee) -> dict:
        out = []
        for member in db.session.scalars(select(CommunityMember).where(
                CommunityMember.attendee_id == attendee.id).order_by(CommunityMember.id)):
            series = db.session.get(CommunitySeries, member.series_id)

            def when(model, member_id=member.id):
                return db.session.execute(
                    select(CommunityMeeting.starts_at, model)
                    .join(CommunityMeeting, CommunityMeeting.id == model.meeting_id)
                    .where(model.member_id == member_id)
                    .order_by(CommunityMeeting.starts_at)).all()

            out.append({
                "series": series.title, "status": member.status, "role": member.role,
                "name_shown_to_members": member.show_name,
                "joined_at": member.joined_at.isoformat() if member.joined_at else None,
                "left_at": member.left_at.isoformat() if member.left_at else None,
                "topics": [{"kind": t.kind, "title": t.title, "body": t.body,
                            "votes": t.vote_count} for t in db.session.scalars(
                    select(CommunityTopic).where(CommunityTopic.member_id == member.id))],
                "voted_for": list(db.session.scalars(
                    select(CommunityTopic.title).join(
                        CommunityTopicVote, CommunityTopicVote.topic_id == CommunityTopic.id)
                    .where(CommunityTopicVote.member_id == member.id))),
                "rsvps": [{"meeting": at.isoformat(), "answer": r.answer}
                          for at, r in when(CommunityRsvp)],
                "attended": [{"meeting": at.isoformat(), "reported_by": a.source}
                             for at, a in when(CommunityAttendance)],
                "groups": [{"meeting": at.isoformat(), "group": s.number}
                           for at, s in when(CommunityGroupSeat)],
                "progress_notes": [{"meeting": at.isoformat(), "item": n.item_text,
                                    "status": n.status, "note": n.note}
                                   for at, n in when(CommunityProgressNote)],
            })
        return {"memberships": out}

    def erase(attendee) -> None:
        ids = _member_ids(attendee)
        if not ids:
            return
        for model in (CommunityTopicVote, CommunityRsvp, CommunityAttendance,
                      CommunityGroupSeat, CommunityProgressNote):
            db.session.execute(delete(model).where(model.member_id.in_(ids)))
        topic_ids = select(CommunityTopic.id).where(CommunityTopic.member_id.in_(ids))
        db.session.execute(delete(CommunityTopicVote).where(
            CommunityTopicVote.topic_id.in_(topic_ids)))
        db.session.execute(delete(CommunityTopic).where(CommunityTopic.member_id.in_(ids)))
        db.session.execute(delete(CommunityMember).where(CommunityMember.id.in_(ids)))
