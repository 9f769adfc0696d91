"""Series, members, meetings, topics, RSVPs, attendance, groups and progress notes: the rules
that touch the database. Views call these and commit; email goes through the outbox
(``messages.api.send_to_attendee``), so no network I/O happens in a transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from summit import audit
from summit.community import agenda as agenda_rules
from summit.community import drift as drift_rules
from summit.community import groups as group_rules
from summit.community import recurrence
from summit.community.models import (
    PROGRESS_STATUSES,
    RSVP_ANSWERS,
    CommunityAttendance,
    CommunityGroupSeat,
    CommunityMeeting,
    CommunityMember,
    CommunityProgressNote,
    CommunityRetiredInvite,
    CommunityRsvp,
    CommunitySeries,
    CommunityTopic,
    CommunityTopicVote,
)
from summit.community.recurrence import N_, RecurrenceError
from summit.database import lock_for_update, utcnow
from summit.events.models import Event
from summit.extensions import db
from summit.homerooms.api import table_groups
from summit.messages.api import resolve, segment_kinds, send_to_attendee
from summit.plans.api import take_back_items
from summit.registration.api import Attendee

TOPIC_KINDS = {"topic": N_("Topic"), "question": N_("Question"),
               "problem": N_("Practice problem")}
#: Meetings are kept generated this far ahead.
HORIZON = timedelta(days=400)


class CommunityError(ValueError):
    """Bad input, in words for the person who typed it (translated where shown)."""


@dataclass
class SeriesData:
    title: str
    description: str
    rrule: str
    first_date: date
    timezone: str
    starts: time
    ends: time
    video_url: str = ""
    room: str = ""
    group_size: int = 5
    agenda_days_before: int = 3


def _secret() -> str:
    return secrets.token_urlsafe(30)[:40]


# --- series and meetings ---------------------------------------------------------------------


def check_series(data: SeriesData) -> SeriesData:
    data.title = " ".join(data.title.split())[:200]
    if not data.title:
        raise CommunityError(N_("Please give the series a title."))
    data.rrule = recurrence.normalize_rule(data.rrule)
    recurrence.check_timezone(data.timezone)
    if data.ends <= data.starts:
        raise CommunityError(N_("A meeting ends after it starts."))
    recurrence.rule_dates(data.rrule, data.first_date, data.first_date + HORIZON)
    if not recurrence.rule_dates(data.rrule, data.first_date, data.first_date + HORIZON * 5):
        raise CommunityError(N_("This repeat rule gives no dates: check its days and its end."))
    data.video_url = data.video_url.strip()[:500]
    if data.video_url and not data.video_url.startswith(("https://", "http://")):
        raise CommunityError(N_("A video link starts with https://."))
    data.room = " ".join(data.room.split())[:200]
    if not data.video_url and not data.room:
        raise CommunityError(N_("Give a video link or a room."))
    if not 2 <= data.group_size <= 20:
        raise CommunityError(N_("Small groups have 2 to 20 people."))
    return data


def create_series(event: Event, data: SeriesData, now: datetime | None = None
                  ) -> CommunitySeries:
    data = check_series(data)
    series = CommunitySeries(
        event_id=event.id, title=data.title, description=data.description.strip()[:5000],
        rrule=data.rrule, first_date=data.first_date, timezone=data.timezone,
        starts=data.starts, ends=data.ends, video_url=data.video_url, room=data.room,
        group_size=data.group_size, agenda_days_before=max(0, min(data.agenda_days_before, 30)),
        invite_secret=_secret())
    db.session.add(series)
    db.session.flush()
    sync_meetings(series, now)
    audit.record("community.series_created", event_id=event.id, target=series,
                 after={"title": series.title, "rrule": series.rrule})
    return series


def sync_meetings(series: CommunitySeries, now: datetime | None = None) -> int:
    """Create the rule's meetings up to ``HORIZON`` ahead that have no row yet."""
    now = now or utcnow()
    until = max(now.date(), series.first_date) + HORIZON
    known = set(db.session.scalars(select(CommunityMeeting.occurrence).where(
        CommunityMeeting.series_id == series.id, CommunityMeeting.occurrence.is_not(None))))
    zone = recurrence.check_timezone(series.timezone)
    added = 0
    for day in recurrence.rule_dates(series.rrule, series.first_date, until):
        if day in known:
            continue
        starts_at, ends_at = recurrence.meeting_times(day, series.starts, series.ends, zone)
        db.session.add(CommunityMeeting(series_id=series.id, occurrence=day,
                                        starts_at=starts_at, ends_at=ends_at))
        added += 1
    db.session.flush()
    return added


def series_of(event: Event) -> list[CommunitySeries]:
    return list(db.session.scalars(select(CommunitySeries).where(
        CommunitySeries.event_id == event.id).order_by(CommunitySeries.id)))


def meetings_of(series: CommunitySeries) -> list[CommunityMeeting]:
    return list(db.session.scalars(select(CommunityMeeting).where(
        CommunityMeeting.series_id == series.id).order_by(CommunityMeeting.starts_at)))


def next_meeting(series: CommunitySeries, now: datetime | None = None
                 ) -> CommunityMeeting | None:
    """The next meeting not cancelled that has not ended."""
    now = now or utcnow()
    return db.session.scalar(select(CommunityMeeting).where(
        CommunityMeeting.series_id == series.id, CommunityMeeting.status == "scheduled",
        CommunityMeeting.ends_at > now).order_by(CommunityMeeting.starts_at).limit(1))


def local_times(series: CommunitySeries, day: date, starts: time, ends: time
                ) -> tuple[datetime, datetime]:
    return recurrence.meeting_times(day, starts, ends, recurrence.check_timezone(series.timezone))


def move_meeting(meeting: CommunityMeeting, day: date, starts: time, ends: time,
                 now: datetime | None = None) -> None:
    if meeting.cancelled:
        raise CommunityError(N_("This meeting is cancelled; add a new one instead."))
    starts_at, ends_at = local_times(meeting.series, day, starts, ends)
    recurrence.check_move(starts_at, ends_at, now or utcnow())
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.sequence += 1
    audit.record("community.meeting_moved", event_id=meeting.series.event_id, target=meeting,
                 after={"starts_at": starts_at.isoformat()})
    tell_members(meeting, "moved")


def cancel_meeting(meeting: CommunityMeeting, now: datetime | None = None) -> None:
    if meeting.cancelled:
        return
    if meeting.ends_at <= (now or utcnow()):
        raise CommunityError(N_("This meeting is over; it can no longer be cancelled."))
    meeting.status = "cancelled"
    meeting.sequence += 1
    audit.record("community.meeting_cancelled", event_id=meeting.series.event_id,
                 target=meeting)
    tell_members(meeting, "cancelled")


def add_meeting(series: CommunitySeries, day: date, starts: time, ends: time,
                now: datetime | None = None) -> CommunityMeeting:
    starts_at, ends_at = local_times(series, day, starts, ends)
    recurrence.check_move(starts_at, ends_at, now or utcnow())
    meeting = CommunityMeeting(series_id=series.id, occurrence=None, starts_at=starts_at,
                               ends_at=ends_at)
    db.session.add(meeting)
    db.session.flush()
    audit.record("community.meeting_added", event_id=series.event_id, target=meeting)
    tell_members(meeting, "added")
    return meeting


# --- email through the outbox ------------------------------------------------------------------

SUBJECTS = {
    "moved": N_("A meeting of %(series)s has moved"),
    "cancelled": N_("A meeting of %(series)s is cancelled"),
    "added": N_("A new meeting of %(series)s"),
    "agenda": N_("The agenda for the next meeting of %(series)s"),
    "invited": N_("You are invited to %(series)s"),
    "approved": N_("Welcome to %(series)s"),
    "reach_out": N_("We miss you at %(series)s"),
}


def active_members(series: CommunitySeries) -> list[CommunityMember]:
    return list(db.session.scalars(select(CommunityMember).where(
        CommunityMember.series_id == series.id, CommunityMember.status == "active")
        .order_by(CommunityMember.id)))


def _mail(member: CommunityMember, kind: str, reason: str, meeting=None) -> None:
    series = member.series
    send_to_attendee(member.attendee, f"community:{series.id}:{reason}",
                     _l(SUBJECTS[kind], series=series.title), "community/email",
                     {"series": series, "meeting": meeting, "kind": kind, "member": member})


def tell_members(meeting: CommunityMeeting, kind: str) -> int:
    """One email per active member about a change, through the outbox (a change made twice
    is told twice: the reason names the meeting's sequence)."""
    members = active_members(meeting.series)
    for member in members:
        _mail(member, kind, f"meeting:{meeting.id}:{kind}:{meeting.sequence}", meeting)
    meeting.series.event.bump()
    return len(members)


# --- membership --------------------------------------------------------------------------------


def segment_choices(event: Event) -> list[tuple[str, str]]:
    """``[("kind:key", label)]`` for every message audience (everyone, a district, a role, a
    homeroom table ...)."""
    choices = []
    for kind in segment_kinds():
        if kind.options is None:
            choices.append((f"{kind.kind}:", str(kind.label)))
        else:
            choices += [(f"{kind.kind}:{value}", f"{kind.label}: {label}")
                        for value, label in kind.options(event)]
    return choices


def invite_segment(series: CommunitySeries, choice: str) -> int:
    """Invite everyone of a message audience who is not a member yet (or left): one email
    each with a link to accept. Returns how many were invited."""
    kind, _sep, key = choice.partition(":")
    event = series.event
    if choice not in dict(segment_choices(event)):
        raise CommunityError(N_("Choose who to invite from the list."))
    ids = resolve(event, kind, key)
    existing = {m.attendee_id: m for m in db.session.scalars(select(CommunityMember).where(
        CommunityMember.series_id == series.id))}
    invited = 0
    for attendee_id in ids:
        member = existing.get(attendee_id)
        if member is not None and member.status in ("active", "invited"):
            continue
        if member is None:
            member = CommunityMember(series_id=series.id, attendee_id=attendee_id,
                                     calendar_secret=_secret())
            db.session.add(member)
        member.status = "invited"
        db.session.flush()
        _mail(member, "invited", f"invited:{member.id}:{member.created_at:%Y%m%d%H%M%S}")
        invited += 1
    audit.record("community.invited", event_id=event.id, target=series,
                 after={"segment": choice, "count": invited})
    return invited


def member_for(series: CommunitySeries, attendee: Attendee) -> CommunityMember | None:
    return db.session.scalar(select(CommunityMember).where(
        CommunityMember.series_id == series.id, CommunityMember.attendee_id == attendee.id))


def memberships(attendee: Attendee) -> list[CommunityMember]:
    return list(db.session.scalars(select(CommunityMember).where(
        CommunityMember.attendee_id == attendee.id,
        CommunityMember.status.in_(("invited", "active", "requested")))
        .order_by(CommunityMember.id)))


def accept(member: CommunityMember) -> None:
    if member.status != "invited":
        raise CommunityError(N_("There is no invitation waiting."))
    member.status, member.joined_at, member.left_at = "active", utcnow(), None


def series_for_invite(event: Event, invite: str) -> tuple[CommunitySeries | None, bool]:
    """The series an invitation link opens, and whether the link is one that was replaced or
    revoked (so the view says so, where a link that never existed is simply not found)."""
    if not invite or len(invite) > 40:
        return None, False
    series = db.session.scalar(select(CommunitySeries).where(
        CommunitySeries.event_id == event.id, CommunitySeries.invite_secret == invite))
    if series is not None:
        return series, False
    retired = db.session.scalar(select(CommunityRetiredInvite.id).join(
        CommunitySeries, CommunitySeries.id == CommunityRetiredInvite.series_id).where(
        CommunitySeries.event_id == event.id, CommunityRetiredInvite.secret == invite))
    return None, retired is not None


def ask_to_join(series: CommunitySeries, attendee: Attendee) -> CommunityMember:
    """Through the invitation link: an invited attendee joins at once; others ask and a host
    approves; a member is simply a member."""
    member = member_for(series, attendee)
    if member is None:
        member = CommunityMember(series_id=series.id, attendee_id=attendee.id,
                                 calendar_secret=_secret(), status="requested")
        try:
            with db.session.begin_nested():
                db.session.add(member)
        except IntegrityError:  # the same person asking twice at once
            return member_for(series, attendee)
    elif member.status == "invited":
        accept(member)
    elif member.status == "left":
        member.status = "requested"
    return member


def renew_invite(series: CommunitySeries, revoke: bool = False) -> None:
    if series.invite_secret:
        db.session.add(CommunityRetiredInvite(series_id=series.id, secret=series.invite_secret))
    series.invite_secret = None if revoke else _secret()
    audit.record("community.invite_link", event_id=series.event_id, target=series,
                 after={"revoked": revoke})


def decide(member: CommunityMember, action: str) -> None:
    """A host's decision on a member: approve or decline a request, make or unmake co-lead."""
    if action == "approve" and member.status == "requested":
        member.status, member.joined_at = "active", utcnow()
        _mail(member, "approved", f"approved:{member.id}:{member.joined_at:%Y%m%d%H%M%S}")
    elif action == "decline" and member.status == "requested":
        db.session.delete(member)
    elif action == "colead" and member.status == "active":
        member.role = "colead"
    elif action == "member" and member.role == "colead":
        member.role = "member"
    else:
        raise CommunityError(N_("That cannot be done for this member now."))
    audit.record("community.member_decided", event_id=member.series.event_id, target=member,
                 after={"action": action})


def leave(member: CommunityMember, now: datetime | None = None) -> None:
    now = now or utcnow()
    member.status, member.left_at, member.role = "left", now, "member"
    future = select(CommunityMeeting.id).where(CommunityMeeting.series_id == member.series_id,
                                               CommunityMeeting.starts_at > now)
    db.session.execute(delete(CommunityRsvp).where(CommunityRsvp.member_id == member.id,
                                                   CommunityRsvp.meeting_id.in_(future)))


def members_of(series: CommunitySeries) -> list[CommunityMember]:
    return list(db.session.scalars(select(CommunityMember).where(
        CommunityMember.series_id == series.id).order_by(CommunityMember.id)))


# --- topics and the agenda ---------------------------------------------------------------------


def submit_topic(member: CommunityMember, kind: str, title: str, body: str = ""
                 ) -> CommunityTopic:
    title = " ".join(title.split())
    if not title:
        raise CommunityError(N_("Please write your topic in a few words."))
    if kind not in TOPIC_KINDS:
        raise CommunityError(N_("Please choose topic, question or practice problem."))
    topic = CommunityTopic(series_id=member.series_id, member_id=member.id, kind=kind,
                           title=title[:200], body=body.strip()[:2000])
    db.session.add(topic)
    db.session.flush()
    return topic


def _recount(topic_id: int) -> None:
    db.session.execute(update(CommunityTopic).where(CommunityTopic.id == topic_id).values(
        vote_count=select(func.count(CommunityTopicVote.id))
        .where(CommunityTopicVote.topic_id == topic_id).scalar_subquery()))


def vote(topic: CommunityTopic, member: CommunityMember, on: bool = True) -> bool:
    """Add (or remove) the member's one vote; ``False`` when nothing changed. Two requests
    racing count once: the topic row is locked and a unique constraint backs it."""
    topic = lock_for_update(db.session, CommunityTopic, topic.id)
    if topic.status != "open":
        raise CommunityError(N_("This topic is no longer open for votes."))
    if topic.member_id == member.id:
        raise CommunityError(N_("This is your own topic: the votes are for the others to give."))
    if not on:
        removed = db.session.execute(delete(CommunityTopicVote).where(
            CommunityTopicVote.topic_id == topic.id,
            CommunityTopicVote.member_id == member.id)).rowcount
        if removed:
            _recount(topic.id)
        return bool(removed)
    try:
        with db.session.begin_nested():
            db.session.add(CommunityTopicVote(topic_id=topic.id, member_id=member.id))
            db.session.flush()
    except IntegrityError:
        return False
    _recount(topic.id)
    return True


def open_topics(series: CommunitySeries) -> list[CommunityTopic]:
    topics = db.session.scalars(select(CommunityTopic).where(
        CommunityTopic.series_id == series.id, CommunityTopic.status == "open")
        .execution_options(populate_existing=True))
    facts = {t.id: t for t in topics}
    ranked = agenda_rules.ranked(_facts(facts.values()))
    return [facts[f.id] for f in ranked]


def _facts(topics) -> list[agenda_rules.TopicFacts]:
    return [agenda_rules.TopicFacts(t.id, t.vote_count, t.carried_over, t.created_at, t.title)
            for t in topics]


def chosen_topics(meeting: CommunityMeeting) -> list[CommunityTopic]:
    return list(db.session.scalars(select(CommunityTopic).where(
        CommunityTopic.meeting_id == meeting.id).order_by(CommunityTopic.vote_count.desc())))


def my_votes(member: CommunityMember) -> set[int]:
    return set(db.session.scalars(select(CommunityTopicVote.topic_id).where(
        CommunityTopicVote.member_id == member.id)))


def draft_agenda(meeting: CommunityMeeting, count: int = 3) -> tuple[list[int], str]:
    top = agenda_rules.top_topics(_facts(open_topics(meeting.series)), count)
    return [t.id for t in top], agenda_rules.agenda_text(top)


def publish_agenda(meeting: CommunityMeeting, text: str, topic_ids: list[int],
                   notify: bool = True) -> int:
    """Publish the agenda with the chosen topics; the other open topics carry over to the
    next meeting. Every active member is told by email (unless ``notify`` is false: the demo
    loads a history nobody needs mailing about). Returns how many were told."""
    text = text.strip()[:5000]
    if not text:
        raise CommunityError(N_("Please write the agenda."))
    if meeting.cancelled:
        raise CommunityError(N_("This meeting is cancelled."))
    topics = open_topics(meeting.series)
    by_id = {t.id: t for t in topics}
    if any(i not in by_id for i in topic_ids):
        raise CommunityError(N_("Choose topics of this series that are still open."))
    for topic_id in topic_ids:
        by_id[topic_id].status, by_id[topic_id].meeting_id = "chosen", meeting.id
    for topic_id, carried in agenda_rules.carry_over(_facts(topics), topic_ids).items():
        by_id[topic_id].carried_over = carried
    meeting.agenda, meeting.agenda_published_at = text, utcnow()
    meeting.sequence += 1
    audit.record("community.agenda_published", event_id=meeting.series.event_id,
                 target=meeting, after={"topics": topic_ids})
    return tell_members(meeting, "agenda") if notify else 0


# --- RSVP, attendance, groups, progress --------------------------------------------------------


def rsvp(meeting: CommunityMeeting, member: CommunityMember, answer: str) -> None:
    if answer not in RSVP_ANSWERS:
        raise CommunityError(N_("Answer yes, no or maybe."))
    if meeting.cancelled:
        raise CommunityError(N_("This meeting is cancelled."))
    row = db.session.scalar(select(CommunityRsvp).where(
        CommunityRsvp.meeting_id == meeting.id, CommunityRsvp.member_id == member.id))
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(CommunityRsvp(meeting_id=meeting.id, member_id=member.id,
                                             answer=answer))
            return
        except IntegrityError:
            row = db.session.scalar(select(CommunityRsvp).where(
                CommunityRsvp.meeting_id == meeting.id, CommunityRsvp.member_id == member.id))
    row.answer, row.at = answer, utcnow()


def rsvps(meeting: CommunityMeeting) -> dict[int, str]:
    return dict(db.session.execute(select(CommunityRsvp.member_id, CommunityRsvp.answer).where(
        CommunityRsvp.meeting_id == meeting.id)).all())


def mark_attendance(meeting: CommunityMeeting, present_ids: set[int], source: str = "host"
                    ) -> None:
    members = {m.id for m in members_of(meeting.series) if m.status in ("active", "left")}
    if present_ids - members:
        raise CommunityError(N_("Mark members of this series only."))
    if source == "host":
        db.session.execute(delete(CommunityAttendance).where(
            CommunityAttendance.meeting_id == meeting.id))
    for member_id in sorted(present_ids):
        db.session.add(CommunityAttendance(meeting_id=meeting.id, member_id=member_id,
                                           present=True, source=source))
    db.session.flush()


def report_own_attendance(meeting: CommunityMeeting, member: CommunityMember,
                          now: datetime | None = None) -> None:
    now = now or utcnow()
    if meeting.cancelled or now < meeting.starts_at:
        raise CommunityError(N_("You can say you came once the meeting has started."))
    exists = db.session.scalar(select(CommunityAttendance.id).where(
        CommunityAttendance.meeting_id == meeting.id, CommunityAttendance.member_id == member.id))
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(CommunityAttendance(meeting_id=meeting.id, member_id=member.id,
                                                   present=True, source="self"))
        except IntegrityError:
            pass


def present_ids(meeting: CommunityMeeting) -> set[int]:
    return set(db.session.scalars(select(CommunityAttendance.member_id).where(
        CommunityAttendance.meeting_id == meeting.id, CommunityAttendance.present.is_(True))))


def form_groups(meeting: CommunityMeeting, prompt: str, seed: int = 0
                ) -> group_rules.GroupPlan:
    """Groups for this meeting among members who said yes or maybe (all active members when
    nobody answered), avoiding pairs from earlier meetings and the summit's tables."""
    series = meeting.series
    members = active_members(series)
    answers = rsvps(meeting)
    coming = [m for m in members if answers.get(m.id) in ("yes", "maybe")] or members
    by_attendee = {m.attendee_id: m.id for m in members_of(series)}
    history: list[list[list[int]]] = []
    for day in table_groups(series.event):
        history.append([[by_attendee[a] for a in table if a in by_attendee] for table in day])
    rows = db.session.execute(select(CommunityGroupSeat.meeting_id, CommunityGroupSeat.number,
                                     CommunityGroupSeat.member_id)
                              .join(CommunityMeeting,
                                    CommunityMeeting.id == CommunityGroupSeat.meeting_id)
                              .where(CommunityMeeting.series_id == series.id,
                                     CommunityMeeting.id != meeting.id)).all()
    earlier: dict[int, dict[int, list[int]]] = {}
    for meeting_id, number, member_id in rows:
        earlier.setdefault(meeting_id, {}).setdefault(number, []).append(member_id)
    history += [list(groups.values()) for groups in earlier.values()]
    people = [group_rules.GroupMember(m.id, m.attendee.organization.name
                                      if m.attendee.organization else "",
                                      m.attendee.role or "") for m in coming]
    plan = group_rules.form_groups(people, series.group_size, history, seed=seed or meeting.id)
    db.session.execute(delete(CommunityGroupSeat).where(
        CommunityGroupSeat.meeting_id == meeting.id))
    for number, group in enumerate(plan.groups, 1):
        db.session.add_all(CommunityGroupSeat(meeting_id=meeting.id, member_id=member_id,
                                              number=number) for member_id in group)
    meeting.group_prompt = prompt.strip()[:2000]
    meeting.groups_report = plan.summary[:300]
    db.session.flush()
    return plan


def my_group(meeting: CommunityMeeting, member: CommunityMember
             ) -> tuple[int, list[CommunityMember]] | None:
    number = db.session.scalar(select(CommunityGroupSeat.number).where(
        CommunityGroupSeat.meeting_id == meeting.id, CommunityGroupSeat.member_id == member.id))
    if number is None:
        return None
    mates = db.session.scalars(select(CommunityMember).join(
        CommunityGroupSeat, CommunityGroupSeat.member_id == CommunityMember.id).where(
        CommunityGroupSeat.meeting_id == meeting.id, CommunityGroupSeat.number == number,
        CommunityMember.id != member.id).order_by(CommunityMember.id))
    return number, list(mates)


def take_back(member: CommunityMember) -> list[tuple[str, str]]:
    return take_back_items(member.attendee_id)


def save_progress(meeting: CommunityMeeting, member: CommunityMember, item_key: str,
                  status: str, note: str) -> None:
    items = dict(take_back(member))
    if item_key not in items:
        raise CommunityError(N_("Choose one of your action plan's items."))
    if status not in PROGRESS_STATUSES:
        raise CommunityError(N_("Choose done, in progress or stuck."))
    row = db.session.scalar(select(CommunityProgressNote).where(
        CommunityProgressNote.meeting_id == meeting.id,
        CommunityProgressNote.member_id == member.id,
        CommunityProgressNote.item_key == item_key))
    if row is None:
        row = CommunityProgressNote(meeting_id=meeting.id, member_id=member.id,
                                    item_key=item_key)
        db.session.add(row)
    row.item_text, row.status = items[item_key], status
    row.note, row.updated_at = " ".join(note.split())[:500], utcnow()
    db.session.flush()


def my_notes(meeting: CommunityMeeting, member: CommunityMember
             ) -> dict[str, CommunityProgressNote]:
    return {n.item_key: n for n in db.session.scalars(select(CommunityProgressNote).where(
        CommunityProgressNote.meeting_id == meeting.id,
        CommunityProgressNote.member_id == member.id))}


# --- what hosts see, without names ---------------------------------------------------------------


def drift_report(series: CommunitySeries, now: datetime | None = None
                 ) -> drift_rules.DriftReport:
    now = now or utcnow()
    members = [m for m in members_of(series) if m.status == "active"]
    facts = [drift_rules.MemberFacts(
        m.id, m.attendee.organization.name if m.attendee.organization else "",
        m.attendee.role or "", m.joined_at or m.created_at) for m in members]
    held = [m for m in meetings_of(series) if not m.cancelled and m.starts_at <= now]
    meetings = [drift_rules.HeldMeeting(m.starts_at, frozenset(present_ids(m))) for m in held]
    return drift_rules.drift_report(facts, meetings)


def reach_out(series: CommunitySeries, now: datetime | None = None) -> int:
    """Email the drifting members (the hosts never see who they are)."""
    report = drift_report(series, now)
    stamp = (now or utcnow()).strftime("%Y%m")
    for member in db.session.scalars(select(CommunityMember).where(
            CommunityMember.id.in_(report.drifting))):
        _mail(member, "reach_out", f"reach_out:{member.id}:{stamp}")
    return report.drifting_count


def progress_summary(series: CommunitySeries) -> dict | None:
    statuses = list(db.session.scalars(select(CommunityProgressNote.status).join(
        CommunityMeeting, CommunityMeeting.id == CommunityProgressNote.meeting_id).where(
        CommunityMeeting.series_id == series.id)))
    return drift_rules.progress_counts(statuses)


__all__ = ["CommunityError", "RecurrenceError"]
