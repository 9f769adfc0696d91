"""Communities of practice: the organizer's pages (series, meetings, members, agenda,
attendance, groups, drift) and the member's pages on a phone (next meeting, RSVP, topics and
votes, their group, progress notes, leaving), plus each member's calendar feed.

Member pages are the attendee's: they sign in with their personal link (``attendee_required``)
and see a series only while they are invited, asking or a member; anyone else gets 404.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from summit.access import attendee_required, event_role, load_event, public
from summit.community import ical, services
from summit.community.forms import (
    MeetingActionForm,
    MeetingTimeForm,
    MemberActionForm,
    SeriesActionForm,
    SeriesForm,
)
from summit.community.models import (
    PROGRESS_STATUSES,
    RSVP_ANSWERS,
    CommunityMeeting,
    CommunityMember,
    CommunitySeries,
    CommunityTopic,
)
from summit.community.recurrence import RecurrenceError, describe_rule
from summit.database import utcnow
from summit.extensions import db
from summit.forms import posted_or_400, typed
from summit.i18n import translate

bp = Blueprint("community", __name__)


def _series(event, series_id: int) -> CommunitySeries:
    series = db.session.get(CommunitySeries, series_id)
    if series is None or series.event_id != event.id:
        abort(404)
    return series


def _meeting(series, meeting_id: int | None) -> CommunityMeeting:
    meeting = db.session.get(CommunityMeeting, meeting_id) if meeting_id else None
    if meeting is None or meeting.series_id != series.id:
        abort(404)
    return meeting


# Form fields naming rows of a series (``RowIds`` in the form classes), and the rows they name.
_ROW_FIELDS = {"topic": CommunityTopic, "meeting": CommunityMeeting, "member": CommunityMember,
               "present": CommunityMember}


def _posted_in_series(form_class, series):
    """The posted form (400 if an id is not a whole number). A form that names any row
    outside this series is refused as a whole (404), whatever its action, before anything is
    changed: a hostile id is never half applied."""
    form = posted_or_400(form_class)
    _refuse_foreign_rows(series, form)
    return form


def _refuse_foreign_rows(series, form) -> None:
    for name, model in _ROW_FIELDS.items():
        for row_id in form[name].data if name in form else ():
            row = db.session.get(model, row_id)
            if row is None or row.series_id != series.id:
                abort(404)


def _meeting_time() -> MeetingTimeForm:
    """The day and times posted to add or move a meeting, or the first thing wrong, in words."""
    when = MeetingTimeForm()
    if not when.validate():
        raise services.CommunityError(when.first_error())
    return when


def _error_text(exc: Exception) -> str:
    return translate(str(exc))


# --- organizer -----------------------------------------------------------------------------------


@bp.route("/admin/e/<slug>/community", methods=["GET", "POST"])
@event_role("organizer")
def admin_index(event):
    error, status = None, 200
    form = SeriesForm()
    if form.is_submitted():
        try:
            if not form.validate():
                raise services.CommunityError(form.first_error())
            data = services.SeriesData(
                title=form.title.data, description=form.description.data or "",
                rrule=form.rrule.data, first_date=form.first_date.data,
                timezone=form.timezone.data, starts=form.starts.data, ends=form.ends.data,
                video_url=form.video_url.data or "", room=form.room.data or "",
                group_size=form.group_size.data or 5,
                agenda_days_before=(3 if form.agenda_days_before.data is None
                                    else form.agenda_days_before.data))
            series = services.create_series(event, data)
        except (services.CommunityError, RecurrenceError) as exc:
            db.session.rollback()
            error, status = _error_text(exc), 422
        else:
            db.session.commit()
            flash(_("Series created with its meetings."), "success")
            return redirect(url_for("community.admin_series", slug=event.slug,
                                    series_id=series.id))
    return render_template("community/admin_index.html", event=event,
                           series_list=services.series_of(event), error=error,
                           form=typed(form) if form.is_submitted() else {},
                           describe=describe_rule), status


@bp.route("/admin/e/<slug>/community/<int:series_id>", methods=["GET", "POST"])
@event_role("organizer")
def admin_series(event, series_id: int):
    series = _series(event, series_id)
    if request.method == "POST":
        form = _posted_in_series(SeriesActionForm, series)
        action = form.action.data
        try:
            if action == "invite":
                count = services.invite_segment(series, form.segment.data)
                flash(_("%(count)d invitations queued.", count=count), "success")
            elif action in ("renew_link", "revoke_link"):
                services.renew_invite(series, revoke=action == "revoke_link")
                flash(_("Invitation link revoked.") if action == "revoke_link"
                      else _("New invitation link made; the old one no longer works."),
                      "success")
            elif action == "decide":
                member = db.session.get(CommunityMember, form.member.first or 0)
                if member is None or member.series_id != series.id:
                    abort(404)
                services.decide(member, form.decision.data)
                flash(_("Saved."), "success")
            elif action == "add_meeting":
                when = _meeting_time()
                services.add_meeting(series, when.day.data, when.starts.data, when.ends.data)
                flash(_("Meeting added; members are told by email."), "success")
            elif action == "reach_out":
                count = services.reach_out(series)
                flash(_("%(count)d members who drifted away will get a note.", count=count),
                      "success")
            else:
                raise services.CommunityError(_("Unknown action."))
        except (services.CommunityError, RecurrenceError) as exc:
            db.session.rollback()
            flash(_error_text(exc), "error")
        else:
            db.session.commit()
        return redirect(url_for("community.admin_series", slug=event.slug, series_id=series.id))
    if services.sync_meetings(series):
        db.session.commit()
    members = services.members_of(series)
    return render_template(
        "community/admin_series.html", event=event, series=series,
        meetings=services.meetings_of(series), members=members,
        counts={s: sum(1 for m in members if m.status == s)
                for s in ("invited", "requested", "active", "left")},
        requests=[m for m in members if m.status == "requested"],
        coleads=[m for m in members if m.role == "colead"],
        active=[m for m in members if m.status == "active"],
        segments=services.segment_choices(event), drift=services.drift_report(series),
        progress=services.progress_summary(series), describe=describe_rule,
        invite_url=(url_for("community.join", slug=event.slug, invite=series.invite_secret,
                            _external=False) if series.invite_secret else None),
        topics=services.open_topics(series), now=utcnow())


@bp.route("/admin/e/<slug>/community/<int:series_id>/meetings/<int:meeting_id>",
          methods=["GET", "POST"])
@event_role("organizer")
def admin_meeting(event, series_id: int, meeting_id: int):
    series = _series(event, series_id)
    meeting = _meeting(series, meeting_id)
    if request.method == "POST":
        form = _posted_in_series(MeetingActionForm, series)
        action = form.action.data
        try:
            if action == "move":
                when = _meeting_time()
                services.move_meeting(meeting, when.day.data, when.starts.data, when.ends.data)
                flash(_("Meeting moved; members are told by email."), "success")
            elif action == "cancel":
                services.cancel_meeting(meeting)
                flash(_("Meeting cancelled; members are told by email."), "success")
            elif action == "publish":
                told = services.publish_agenda(meeting, form.agenda.data, form.topic.data)
                flash(_("Agenda published; %(count)d members are told by email.", count=told),
                      "success")
            elif action == "attendance":
                services.mark_attendance(meeting, set(form.present.data))
                flash(_("Attendance saved."), "success")
            elif action == "groups":
                plan = services.form_groups(meeting, form.prompt.data)
                flash(_("%(count)d groups formed.", count=len(plan.groups)), "success")
            else:
                raise services.CommunityError(_("Unknown action."))
        except (services.CommunityError, RecurrenceError) as exc:
            db.session.rollback()
            flash(_error_text(exc), "error")
        else:
            db.session.commit()
        return redirect(url_for("community.admin_meeting", slug=event.slug,
                                series_id=series.id, meeting_id=meeting.id))
    chosen_ids, draft = services.draft_agenda(meeting)
    answers = services.rsvps(meeting)
    return render_template(
        "community/admin_meeting.html", event=event, series=series, meeting=meeting,
        topics=services.open_topics(series), chosen_ids=chosen_ids,
        draft=meeting.agenda or draft, chosen=services.chosen_topics(meeting),
        answer_counts={a: sum(1 for v in answers.values() if v == a) for a in RSVP_ANSWERS},
        members=services.active_members(series), present=services.present_ids(meeting),
        zone=series.timezone)


# --- members -----------------------------------------------------------------------------------


def _my_membership(event, attendee, series_id: int) -> tuple[CommunitySeries, CommunityMember]:
    series = _series(event, series_id)
    member = services.member_for(series, attendee)
    if member is None or member.status == "left":
        abort(404)  # someone who is not a member sees nothing of a series
    return series, member


@bp.route("/e/<slug>/community")
@attendee_required
def my_communities(event, attendee):
    return render_template("community/mine.html", event=event,
                           memberships=services.memberships(attendee))


@bp.route("/e/<slug>/community/<int:series_id>", methods=["GET", "POST"])
@attendee_required
def member_page(event, attendee, series_id: int):
    series, member = _my_membership(event, attendee, series_id)
    if request.method == "POST":
        return _member_action(event, series, member)
    now = utcnow()
    meeting = services.next_meeting(series, now)
    topics = services.open_topics(series) if member.status == "active" else []
    group = None
    if meeting is not None and member.status == "active" and meeting.starts_at <= now:
        group = services.my_group(meeting, member)
    answers = services.rsvps(meeting) if meeting else {}
    return render_template(
        "community/member.html", event=event, series=series, member=member, meeting=meeting,
        my_answer=answers.get(member.id), topics=topics, voted=services.my_votes(member),
        kinds=services.TOPIC_KINDS, group=group, now=now,
        items=services.take_back(member) if member.status == "active" else [],
        notes=services.my_notes(meeting, member) if meeting else {},
        statuses=PROGRESS_STATUSES, describe=describe_rule,
        upcoming=[m for m in services.meetings_of(series) if m.ends_at > now][:6],
        feed_url=url_for("community.feed", slug=event.slug, secret=member.calendar_secret,
                         _external=True))


def _member_action(event, series, member):
    form = _posted_in_series(MemberActionForm, series)
    action = form.action.data
    back = url_for("community.member_page", slug=event.slug, series_id=series.id)
    try:
        if action == "accept":
            services.accept(member)
            flash(_("Welcome! You are a member."), "success")
        elif member.status != "active":
            raise services.CommunityError(_("Accept the invitation first."))
        elif action == "leave":
            services.leave(member)
            db.session.commit()
            flash(_("You left %(series)s.", series=series.title), "success")
            return redirect(url_for("community.my_communities", slug=event.slug))
        elif action == "share_name":
            member.show_name = form.show.data == "1"
        elif action == "topic":
            services.submit_topic(member, form.kind.data, form.title.data, form.body.data)
            flash(_("Thank you: your topic is up for votes."), "success")
        elif action == "vote":
            topic = db.session.get(CommunityTopic, form.topic.first or 0)
            if topic is None or topic.series_id != series.id:
                abort(404)
            services.vote(topic, member, form.vote.data != "0")
        elif action not in ("rsvp", "attended", "progress"):
            raise services.CommunityError(_("Unknown action."))
        else:
            meeting = _meeting(series, form.meeting.first)
            if action == "rsvp":
                services.rsvp(meeting, member, form.answer.data)
                flash(_("Thank you for answering."), "success")
            elif action == "attended":
                services.report_own_attendance(meeting, member)
                flash(_("Thank you: you are marked present."), "success")
            elif action == "progress":
                services.save_progress(meeting, member, form.item.data, form.status.data,
                                       form.note.data)
                flash(_("Progress note saved."), "success")
    except (services.CommunityError, RecurrenceError) as exc:
        db.session.rollback()
        flash(_error_text(exc), "error")
        return redirect(back), 303
    db.session.commit()
    return redirect(back + ("#topics" if action in ("topic", "vote") else ""), 303)


@bp.route("/e/<slug>/community/join/<secret:invite>", methods=["GET", "POST"])
@attendee_required
def join(event, attendee, invite: str):
    series, retired = services.series_for_invite(event, invite)
    if series is None:
        if not retired:
            abort(404)
        return render_template("community/join_invalid.html", event=event), 410
    member = services.member_for(series, attendee)
    if request.method == "POST":
        member = services.ask_to_join(series, attendee)
        db.session.commit()
        if member.status == "active":
            return redirect(url_for("community.member_page", slug=event.slug,
                                    series_id=series.id))
    return render_template("community/join.html", event=event, series=series, member=member,
                           describe=describe_rule)


@bp.route("/e/<slug>/community/feed/<secret:secret>.ics")
@public
def feed(slug: str, secret: str):
    event = load_event(slug)
    member = None
    if 16 <= len(secret) <= 64:
        member = db.session.scalar(select(CommunityMember).where(
            CommunityMember.calendar_secret == secret))
    if (member is None or member.status != "active" or member.series.event_id != event.id
            or member.attendee.status == "cancelled"):
        abort(404)
    series = member.series
    place = series.video_url or series.room
    body = ical.feed(series.title, series.timezone,
                     re.sub(r"^https?://", "", current_app.config["BASE_URL"]).split("/")[0],
                     [ical.FeedMeeting(
                         uid=f"community-{m.id}", title=series.title, starts_at=m.starts_at,
                         ends_at=m.ends_at, cancelled=m.cancelled, sequence=m.sequence,
                         location=place, url=series.video_url,
                         agenda=m.agenda if m.agenda_published_at else "")
                      for m in services.meetings_of(series)])
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="community-{series.id}.ics"',
        "Cache-Control": "private, max-age=300"})


def my_summit_panel(event, attendee) -> str | None:
    memberships = services.memberships(attendee)
    if not memberships:
        return None
    return render_template("community/_my_panel.html", event=event, memberships=memberships)


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))
