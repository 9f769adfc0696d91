"""Action plans on phones, the organizers' plan pages, after-action feedback and topics.

Attendee pages live under ``/e/<slug>/...``; organizer and facilitator pages under
``/admin/e/<slug>/...``. Views stay thin: rules are in ``services``, ``reports``, ``feedback``
and ``topics``.
"""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from summit import audit, panels
from summit.access import attendee_required, event_role
from summit.extensions import db
from summit.forms import typed
from summit.homerooms.api import table_labels_for
from summit.i18n import translate
from summit.personal_fields import visible_columns
from summit.plans import documents, mailing, reports, services
from summit.plans import feedback as feedback_service
from summit.plans import topics as topic_service
from summit.plans.forms import (
    AnswerForm,
    CompleteForm,
    FeedbackForm,
    ModerateTopicForm,
    PromptForm,
    QuestionForm,
    SectionForm,
    ShareForm,
    TopicForm,
    VoteForm,
)
from summit.plans.models import (
    QUESTION_KINDS,
    TOPIC_KINDS,
    ActionPlan,
    PlanQuestion,
    PlanSection,
    Topic,
)
from summit.registration.api import membership
from summit.responses import csv_download, is_htmx, no_store, pdf_response
from summit.textfold import natural_key

bp = Blueprint("plans", __name__)



# --- panels ---------------------------------------------------------------------------------


def plan_panel(event, attendee):
    plan = services.existing_plan(attendee)
    team = services.existing_team_plan(attendee)
    member = team is not None and services.is_member(team, attendee)
    return render_template("plans/_my_panel.html", event=event, plan=plan, team=team,
                           member=member, topics_count=len(topic_service.visible_topics(event)))


def organizer_panel(event):
    if not current_user.has_role(event.id, "organizer"):
        return None
    counts = services.count_plans(event)
    return render_template("plans/_home_panel.html", event=event, counts=counts,
                           people=len(services.registered_attendees(event)))


# --- the worksheet --------------------------------------------------------------------------


def _template(event):
    """The event's template; seeding the default one is committed at once, even on a GET."""
    template = services.template_for(event)
    db.session.commit()
    return template


def _worksheet_context(event, attendee, plan, editable: bool = True):
    return documents.worksheet_context(event, attendee, plan, _template(event), editable)


def _target_label(target) -> str:
    """A feedback target in the page's language: "Day 1 · Thursday 21 January"."""
    if target.session_id is None and target.day and g.get("event") is not None:
        dates = g.event.day_dates()
        if 1 <= target.day <= len(dates):
            return _("Day %(n)s · %(date)s", n=target.day,
                     date=format_date(dates[target.day - 1], "EEEE d MMMM"))
    return target.label


def _plan_or_404(event, attendee, plan_id: int, edit: bool = False) -> ActionPlan:
    plan = db.session.get(ActionPlan, plan_id)
    if plan is None or plan.event_id != event.id:
        abort(404)
    allowed = services.can_edit(plan, attendee) if edit else services.can_view(plan, attendee)
    if not allowed:
        abort(403)
    return plan


def _require_registered(attendee):
    if attendee.status != "registered":
        abort(403)


@bp.route("/e/<slug>/plan")
@attendee_required
def my_plan(event, attendee):
    _require_registered(attendee)
    plan = services.plan_for(attendee)
    db.session.commit()
    team = services.existing_team_plan(attendee)
    context = _worksheet_context(event, attendee, plan)
    return no_store(Response(render_template(
        "plans/worksheet.html", team=team,
        member=team is not None and services.is_member(team, attendee),
        confirmed=membership.is_member(attendee),
        shared=services.shared_plans_for(attendee), **context)))


@bp.route("/e/<slug>/plan/team")
@attendee_required
def team_plan(event, attendee):
    _require_registered(attendee)
    team = services.existing_team_plan(attendee)
    if team is None or not services.is_member(team, attendee):
        # Nothing of the team (not even its members' names) before membership is proven.
        confirmed = membership.is_member(attendee)
        return render_template(
            "plans/team_join.html", event=event, attendee=attendee, team=team,
            confirmed=confirmed,
            members=services.team_members(team) if team and confirmed else [])
    context = _worksheet_context(event, attendee, team)
    return no_store(Response(render_template(
        "plans/worksheet.html", team=team, member=True, confirmed=True,
        members=services.team_members(team), shared=[], **context)))


@bp.route("/e/<slug>/plan/team/join", methods=["POST"])
@attendee_required
def join_team(event, attendee):
    _require_registered(attendee)
    if not membership.is_member(attendee):
        abort(403)
    try:
        services.join_team(attendee)
    except services.PlanError as exc:
        flash(translate(str(exc)), "error")
        return redirect(url_for("plans.my_plan", slug=event.slug))
    db.session.commit()
    return redirect(url_for("plans.team_plan", slug=event.slug))


@bp.route("/e/<slug>/plan/team/leave", methods=["POST"])
@attendee_required
def leave_team(event, attendee):
    services.leave_team(attendee)
    db.session.commit()
    flash(_("You left the team plan. What the team wrote stays with the team."), "info")
    return redirect(url_for("plans.my_plan", slug=event.slug))


@bp.route("/e/<slug>/plan/<int:plan_id>/save", methods=["POST"])
@attendee_required
def save(event, attendee, plan_id: int):
    """Autosave of one field: 200 with the new version, 409 with both texts on a conflict."""
    plan = _plan_or_404(event, attendee, plan_id, edit=True)
    form = AnswerForm()
    question = db.session.get(PlanQuestion, form.question.data or 0)
    if question is None or question.section.template.event_id != event.id:
        abort(400)
    field = form.field.data or ""
    value = form.value.data or ""
    base = form.base.data or 0
    try:
        answer = services.save_answer(plan, question, field, value, base,
                                      by=attendee.full_name)
    except services.PlanError as exc:
        db.session.rollback()
        return Response(Markup('<span class="save-error">{}</span>').format(translate(str(exc))),
                        400)
    except services.Conflict as conflict:
        db.session.rollback()
        theirs = conflict.answer
        response = Response(render_template(
            "plans/_conflict.html", question=question, field=field, mine=conflict.mine,
            theirs=theirs, plan=plan, attendee=attendee,
            mergeable=question.kind in ("text", "short") or field == "note"
            or (question.kind == "actions" and not field.endswith(".date"))), 409)
        response.headers["X-Answer-Version"] = str(theirs.version)
        return no_store(response)
    db.session.commit()
    response = Response(render_template("plans/_saved.html", answer=answer, event=event))
    response.headers["X-Answer-Version"] = str(answer.version)
    return no_store(response)


@bp.route("/e/<slug>/plan/<int:plan_id>/complete", methods=["POST"])
@attendee_required
def complete(event, attendee, plan_id: int):
    plan = _plan_or_404(event, attendee, plan_id, edit=True)
    services.set_completed(plan, CompleteForm().completed.data == "1")
    db.session.commit()
    flash(_("Marked as complete. You can keep editing it.") if plan.completed_at
          else _("Marked as still in progress."), "success")
    return redirect(url_for("plans.team_plan" if plan.is_team else "plans.my_plan",
                            slug=event.slug))


@bp.route("/e/<slug>/plan/share", methods=["POST"])
@attendee_required
def share(event, attendee):
    plan = services.plan_for(attendee)
    plan.shared_with_team = ShareForm().shared.data == "1"
    db.session.commit()
    flash(_("Your district colleagues can now read your plan.") if plan.shared_with_team
          else _("Your plan is private again."), "success")
    return redirect(url_for("plans.my_plan", slug=event.slug))


@bp.route("/e/<slug>/plan/<int:plan_id>")
@attendee_required
def view_plan(event, attendee, plan_id: int):
    plan = _plan_or_404(event, attendee, plan_id)
    return no_store(Response(render_template(
        "plans/plan_view.html", **_worksheet_context(event, attendee, plan, editable=False))))


@bp.route("/e/<slug>/plan/<int:plan_id>/pdf")
@attendee_required
def plan_pdf(event, attendee, plan_id: int):
    plan = _plan_or_404(event, attendee, plan_id)
    html = documents.pdf_html(event, attendee, plan, _template(event))
    return no_store(pdf_response(documents.render_pdf(html), documents.pdf_name(event, plan),
                                 attachment=True))


@bp.route("/e/<slug>/plan/<int:plan_id>/email", methods=["POST"])
@attendee_required
def email_plan(event, attendee, plan_id: int):
    """Queue the PDF by email: rendered and sent by background jobs, not in this request."""
    plan = _plan_or_404(event, attendee, plan_id)
    mailing.queue_plan_email(event, attendee, plan)
    db.session.commit()
    flash(_("Your plan is on its way to %(email)s.", email=attendee.email), "success")
    return redirect(url_for("plans.team_plan" if plan.is_team else "plans.my_plan",
                            slug=event.slug))


# --- organizers: progress, aggregates, export -----------------------------------------------


def _table_labels(event, attendees) -> dict[int, str]:
    return table_labels_for(event, [a.id for a in attendees])


@bp.route("/admin/e/<slug>/plans")
@event_role("organizer")
def dashboard(event):
    _template(event)
    attendees = services.registered_attendees(event)
    progress = services.plan_progress_for(a.id for a in attendees)
    tables = _table_labels(event, attendees)
    return render_template(
        "plans/dashboard.html", event=event, counts=services.count_plans(event),
        total=services.progress_counts(progress.values()),
        by_district=services.progress_by(attendees, progress, lambda a: a.organization_name),
        by_table=services.progress_by(attendees, progress, lambda a: tables.get(a.id, ""))
        if tables else [],
        priorities=reports.priority_counts(event), readiness=reports.readiness_averages(event),
        terms=reports.take_back_terms(event), template=services.template_for(event))


@bp.route("/admin/e/<slug>/plans/export.csv")
@event_role("organizer")
def export_csv(event):
    kind = "progress" if request.args.get("kind") == "progress" else "responses"
    _template(event)
    if kind == "progress":
        columns = reports.PROGRESS_COLUMNS
        rows = reports.progress_rows_csv(event, lambda a: a.organization_name)
    else:
        columns, rows = reports.response_rows_csv(event)
    audit.record("plans.exported", event_id=event.id, after={"kind": kind})
    db.session.commit()
    stamp = datetime.now().strftime("%Y%m%d")
    return csv_download(rows, columns, f"{event.slug}-plans-{kind}-{stamp}.csv")


@bp.route("/admin/e/<slug>/plans/tables")
@event_role("facilitator")
def table_progress(event):
    """Who at each table has started a plan: status only, never the content."""
    attendees = services.registered_attendees(event)
    progress = services.plan_progress_for(a.id for a in attendees)
    tables = _table_labels(event, attendees)
    groups: dict[str, list] = {}
    for attendee in attendees:
        label = tables.get(attendee.id) or (attendee.organization_name if not tables else "")
        groups.setdefault(label or "No table yet", []).append(attendee)
    chosen = request.args.get("group", "")
    day = event.current_day_or_none() or 1
    return render_template(
        "plans/table_progress.html", event=event,
        groups=sorted(groups.items(), key=lambda g: natural_key(g[0])),
        chosen=chosen, progress=progress, by_table=bool(tables),
        prompt=topic_service.prompt_for_day(event, day), day=day)


# --- organizers: the template editor --------------------------------------------------------


def _editor(event, error: str | None = None, status: int = 200):
    template = _template(event)
    context = {"event": event, "template": template, "sections": services.live_sections(template),
               "kinds": QUESTION_KINDS, "error": error}
    if is_htmx():
        return render_template("plans/_template_editor.html", **context), status
    if error:
        flash(error, "error")
    return render_template("plans/template_editor.html", **context), status


def _after_edit(event, action: str, target=None):
    audit.record(f"plans.template.{action}", event_id=event.id, target=target)
    db.session.commit()
    if is_htmx():
        return _editor(event)
    return redirect(url_for("plans.edit_template", slug=event.slug))


def _section_or_404(event, section_id: int) -> PlanSection:
    section = db.session.get(PlanSection, section_id)
    if section is None or section.template.event_id != event.id or section.removed_at:
        abort(404)
    return section


def _question_or_404(event, question_id: int) -> PlanQuestion:
    question = db.session.get(PlanQuestion, question_id)
    if question is None or question.section.template.event_id != event.id \
            or question.removed_at:
        abort(404)
    return question


@bp.route("/admin/e/<slug>/plans/template")
@event_role("organizer")
def edit_template(event):
    return _editor(event)


@bp.route("/admin/e/<slug>/plans/template/sections", methods=["POST"])
@event_role("organizer")
def add_section(event):
    form = SectionForm()
    try:
        section = services.add_section(services.template_for(event), form.title.data or "",
                                       form.intro.data or "")
    except services.PlanError as exc:
        db.session.rollback()
        return _editor(event, str(exc), 400)
    return _after_edit(event, "section_added", section)


@bp.route("/admin/e/<slug>/plans/template/sections/<int:section_id>", methods=["POST"])
@event_role("organizer")
def update_section(event, section_id: int):
    section = _section_or_404(event, section_id)
    form = SectionForm()
    action = form.action.data
    try:
        if action == "up":
            services.move_section(section, -1)
        elif action == "down":
            services.move_section(section, 1)
        elif action == "remove":
            services.remove_section(section)
        else:
            services.update_section(section, form.title.data or "", form.intro.data or "")
    except services.PlanError as exc:
        db.session.rollback()
        return _editor(event, str(exc), 400)
    # The audit action names what was done, never the raw form value.
    done = action if action in ("up", "down", "remove") else "save"
    return _after_edit(event, f"section_{done}", section)


@bp.route("/admin/e/<slug>/plans/template/sections/<int:section_id>/questions",
          methods=["POST"])
@event_role("organizer")
def add_question(event, section_id: int):
    section = _section_or_404(event, section_id)
    form = QuestionForm()
    try:
        question = services.add_question(section, form.prompt.data or "", form.kind.data or "",
                                         form.help.data or "", form.option_lines)
    except services.PlanError as exc:
        db.session.rollback()
        return _editor(event, str(exc), 400)
    return _after_edit(event, "question_added", question)


@bp.route("/admin/e/<slug>/plans/template/questions/<int:question_id>", methods=["POST"])
@event_role("organizer")
def update_question(event, question_id: int):
    question = _question_or_404(event, question_id)
    form = QuestionForm()
    action = form.action.data
    try:
        if action == "up":
            services.move_question(question, -1)
        elif action == "down":
            services.move_question(question, 1)
        elif action == "remove":
            services.remove_question(question)
        else:
            services.update_question(question, form.prompt.data or "", form.help.data or "")
    except services.PlanError as exc:
        db.session.rollback()
        return _editor(event, str(exc), 400)
    # The audit action names what was done, never the raw form value.
    done = action if action in ("up", "down", "remove") else "save"
    return _after_edit(event, f"question_{done}", question)


# --- after-action feedback ------------------------------------------------------------------


@bp.route("/e/<slug>/feedback")
@attendee_required
def feedback_list(event, attendee):
    """Days that have started, and sessions the attendee took part in once they started (and
    whatever they already answered)."""
    _require_registered(attendee)
    given = feedback_service.given_keys(current_app.config["SECRET_KEY"], event, attendee)
    offered = {t.key for t in feedback_service.offered_targets(event, attendee)}
    targets = [t for t in feedback_service.targets(event) if t.key in offered or t.key in given]
    return render_template(
        "plans/feedback_list.html", event=event, targets=targets, target_label=_target_label,
        given=given)


def _target_from_key(event, key: str):
    target = None
    if key[:1] == "d" and key[1:].isdigit():
        target = feedback_service.find_target(event, int(key[1:]), None)
    elif key[:1] == "s" and key[1:].isdigit():
        target = feedback_service.find_target(event, None, int(key[1:]))
    if target is None:
        abort(404)
    return target


@bp.route("/e/<slug>/feedback/<key>", methods=["GET", "POST"])
@attendee_required
def give_feedback(event, attendee, key: str):
    _require_registered(attendee)
    target = _target_from_key(event, key)
    secret = current_app.config["SECRET_KEY"]
    already = target.key in feedback_service.given_keys(secret, event, attendee)
    closed = None if already else feedback_service.why_not_offered(event, attendee, target)
    if closed:
        return render_template("plans/feedback_form.html", event=event, target=target,
                               target_label=_target_label, closed=closed, already=False,
                               questions=[], error=None, form={}), 403
    error = None
    status = 200
    form = FeedbackForm()
    if request.method == "POST" and not already:
        try:
            feedback_service.submit(secret, event, attendee, target, form.answers,
                                    form.rating.data, form.anonymous.data == "1")
        except feedback_service.FeedbackError as exc:
            db.session.rollback()
            error, status = translate(str(exc)), 400
        except feedback_service.AlreadyGiven:
            db.session.rollback()
            already = True
        else:
            db.session.commit()
            flash(_("Thank you: your feedback on %(target)s is in.",
                    target=_target_label(target)), "success")
            return redirect(url_for("plans.feedback_list", slug=event.slug))
    if request.method == "POST" and already:
        status = 409
    return render_template("plans/feedback_form.html", event=event, target=target,
                           target_label=_target_label,
                           questions=feedback_service.QUESTIONS, already=already, error=error,
                           form=typed(form)), status


@bp.route("/admin/e/<slug>/feedback")
@event_role("organizer")
def feedback_results(event):
    rows = feedback_service.summary(event)
    spread = feedback_service.distributions(event)
    empty = [0] * len(feedback_service.RATINGS)
    for row in rows:
        row["distribution"] = spread.get(row["key"], empty)
    overall = [sum(d[i] for d in spread.values()) for i in range(len(empty))]
    given = sum(overall)
    overall_average = (round(sum(r * n for r, n in zip(feedback_service.RATINGS, overall,
                                                       strict=True)) / given, 2)
                       if given else None)
    key = request.args.get("target", "")
    chosen = next((r for r in rows if r["key"] == key), None)
    entries = feedback_service.entries(event, key) if chosen else []
    results = panels.session_results(event, key) if chosen else []
    return render_template("plans/feedback_results.html", event=event, rows=rows,
                           session_results=results,
                           chosen=chosen, questions=feedback_service.QUESTIONS,
                           overall=overall, overall_average=overall_average, entries=entries,
                           answered=feedback_service.answer_counts(entries))


@bp.route("/admin/e/<slug>/feedback.csv")
@event_role("organizer")
def feedback_export(event):
    """Every answer, or one day's or session's (``?target=``), as CSV."""
    key = request.args.get("target", "")
    if key and not any(r["key"] == key for r in feedback_service.summary(event)):
        abort(404)
    columns = visible_columns(feedback_service.EXPORT_COLUMNS,
                              current_user.roles_for(event.id))
    audit.record("plans.feedback_exported", event_id=event.id, after={"target": key or "all"})
    db.session.commit()
    stamp = datetime.now().strftime("%Y%m%d")
    return csv_download(feedback_service.export_rows(event, key or None), columns,
                        f"{event.slug}-feedback{f'-{key}' if key else ''}-{stamp}.csv")


# --- participant-led topics -----------------------------------------------------------------


def _topic_or_404(event, topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None or topic.event_id != event.id:
        abort(404)
    return topic


def _topic_list_context(event, attendee, order: str) -> dict:
    """What plans/_topic_list.html needs: included by the page, or rendered alone when polled."""
    topics = topic_service.visible_topics(event, order)
    return {"event": event, "topics": topics, "order": order, "kinds": TOPIC_KINDS,
            "voted": topic_service.voted_ids(attendee, [t.id for t in topics]),
            "me": attendee.id}


@bp.route("/e/<slug>/topics", methods=["GET", "POST"])
@attendee_required
def topics(event, attendee):
    _require_registered(attendee)
    error = None
    status = 200
    form = TopicForm()
    if request.method == "POST":
        try:
            topic_service.submit(event, attendee, form.kind.data or "", form.title.data or "",
                                 form.body.data or "")
        except topic_service.TopicError as exc:
            db.session.rollback()
            error, status = translate(str(exc)), 400
        else:
            db.session.commit()
            flash(_("Thank you: your topic is up for votes."), "success")
            return redirect(url_for("plans.topics", slug=event.slug))
    order = request.args.get("order", "top")
    day = event.current_day_or_none()
    return render_template("plans/topics.html", error=error, form=typed(form),
                           prompt=topic_service.prompt_for_day(event, day) if day else None,
                           **_topic_list_context(event, attendee, order)), status


@bp.route("/e/<slug>/topics/list")
@attendee_required
def topic_list(event, attendee):
    """The live list: polled by htmx; answers 304 while nothing changed (ETag)."""
    order = "new" if request.args.get("order") == "new" else "top"
    db.session.refresh(event)
    etag = f"t{event.change_seq}-a{attendee.id}-{order}"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(render_template("plans/_topic_list.html",
                                            **_topic_list_context(event, attendee, order)))
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/e/<slug>/topics/<int:topic_id>/vote", methods=["POST"])
@attendee_required
def vote(event, attendee, topic_id: int):
    _require_registered(attendee)
    topic = _topic_or_404(event, topic_id)
    try:
        if VoteForm().vote.data == "0":
            topic_service.unvote(event, topic, attendee)
        else:
            topic_service.vote(event, topic, attendee)
    except topic_service.TopicError as exc:
        db.session.rollback()
        return Response(Markup('<p class="error">{}</p>').format(translate(str(exc))), 409)
    db.session.commit()
    db.session.refresh(topic)
    if is_htmx():
        return render_template("plans/_topic.html", event=event, topic=topic, kinds=TOPIC_KINDS,
                               voted=topic_service.voted_ids(attendee, [topic.id]),
                               me=attendee.id)
    return redirect(url_for("plans.topics", slug=event.slug))


@bp.route("/admin/e/<slug>/topics")
@event_role("organizer")
def moderate_topics(event):
    day = event.current_day_or_none() or 1
    return render_template("plans/topics_admin.html", event=event,
                           topics=topic_service.all_topics(event), kinds=TOPIC_KINDS,
                           prompts=topic_service.prompts(event), today=day,
                           breakouts_available=_breakouts_available())


def _breakouts_available() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("summit.breakouts.models") is not None
    except ModuleNotFoundError:
        return False


@bp.route("/admin/e/<slug>/topics/<int:topic_id>", methods=["POST"])
@event_role("organizer")
def moderate_topic(event, topic_id: int):
    topic = _topic_or_404(event, topic_id)
    form = ModerateTopicForm()
    action = form.action.data or ""
    try:
        if action in ("hide", "show"):
            topic_service.hide(event, topic, hidden=action == "hide")
            message = f"“{topic.title}” is {'hidden' if action == 'hide' else 'shown again'}."
        elif action == "merge":
            into = _topic_or_404(event, form.into.data or 0)
            topic_service.merge(event, topic, into)
            message = f"“{topic.title}” is merged into “{into.title}”."
        elif action == "prompt":
            topic_service.make_prompt(event, form.day.data or 1, form.text.data or topic.title,
                                      topic)
            message = "The discussion prompt is ready for the homeroom tables."
        elif action == "breakout":
            topic_service.make_breakout(event, topic)
            message = ("A breakout session is created from this topic: give it a room and a "
                       "time on the breakouts page.")
        else:
            abort(400)
    except topic_service.TopicError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("plans.moderate_topics", slug=event.slug))
    audit.record(f"topics.{action}", event_id=event.id, target=topic)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("plans.moderate_topics", slug=event.slug))


@bp.route("/admin/e/<slug>/prompts", methods=["POST"])
@event_role("organizer")
def add_prompt(event):
    form = PromptForm()
    try:
        topic_service.make_prompt(event, form.day.data or 1, form.text.data or "")
    except topic_service.TopicError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("The discussion prompt is ready for the homeroom tables.", "success")
    return redirect(url_for("plans.moderate_topics", slug=event.slug))


