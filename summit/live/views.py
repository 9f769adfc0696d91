"""Live Q&A and polls: the attendee's page (``/e/<slug>/qa/<room_key>``), the moderator's page
and the projector (``/admin/e/<slug>/qa/<room_key>``). A room key is ``s<id>`` for a breakout
session or ``b<id>`` for a plenary block. Views stay thin: rules in ``rules``, the database in
``services``, ETags in ``polling``."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select

from summit import audit
from summit.access import attendee_required, event_role
from summit.breakouts.api import facilitates
from summit.database import utcnow
from summit.events.models import Event
from summit.extensions import db
from summit.forms import typed
from summit.i18n import current_language, translate
from summit.live import polling, rules, services
from summit.live.forms import (
    AskForm,
    ModerationForm,
    PollActionForm,
    PollForm,
    QuestionActionForm,
    VoteForm,
)
from summit.live.rules import N_, LiveError, PollClosedError
from summit.qr import qr_svg
from summit.responses import csv_download, is_htmx
from summit.ttlcache import app_cache

bp = Blueprint("live", __name__)

STAFF_ROLES = ("organizer", "facilitator")
QUEUED = "X-Live-Queue"  # sent by static/js/live.js: answer in a few words, not a page
POLL_ANSWER = "X-Live-Poll"  # with a vote: answer with the phone's poll section (JSON)
PAGE_ETAG = "X-Live-ETag"  # with a vote: the ETag of the room the page shows


def _ref_or_404(event, room_key: str) -> services.RoomRef:
    """The session or block the key names (cached a few seconds: phones poll it)."""
    cache = app_cache("live-refs", 10.0)
    ref = cache.get((event.id, room_key))
    if ref is None:
        ref = services.resolve(event, room_key)
        if ref is not None:
            cache.put((event.id, room_key), ref)
    if ref is None:
        abort(404)
    return ref


def _staff_ref(event, room_key: str) -> services.RoomRef:
    """The room, for an organizer or a facilitator of its session (403 for anyone else)."""
    ref = _ref_or_404(event, room_key)
    if current_user.has_role(event.id, "organizer"):
        return ref
    if ref.kind != "session" or not facilitates(event, ref.target_id, current_user):
        abort(403)
    return ref


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _join_url(event, ref) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(
        "live.room", slug=event.slug, room_key=ref.key)


def _qr(url: str) -> Markup:
    svg = qr_svg(url).decode()
    return Markup(svg[svg.index("<svg"):])


# --- the attendee's pages ---------------------------------------------------------------------


@bp.route("/e/<slug>/qa")
@attendee_required
def index(event, attendee):
    refs = services.refs_of(event)
    now = services.happening_now(refs, utcnow().astimezone(event.tz))
    return render_template("live/index.html", event=event, refs=refs, now=now)


CSRF_PLACEHOLDER = "__LIVE_CSRF__"


def _shared_questions(event, ref, room, order: str) -> tuple[str, dict[int, int | None]]:
    """The room's question list as every phone sees it, rendered once per room, version
    (``seq``, ``tally_seq``: poll answers leave it alone), order and language in this
    process (3,000 phones re-rendering it each would cost a core), with the askers of the
    questions shown (kept here, never in the page)."""
    cache = app_cache("live-questions", 30.0)
    key = (event.id, ref.key, room.seq if room else 0, room.tally_seq if room else 0, order,
           current_language())
    found = cache.get(key)
    if found is None:
        view = services.room_view(room, order=order) if room else services.room_view(None)
        html = render_template("live/_questions.html", event=event, ref=ref, view=view,
                               csrf_placeholder=CSRF_PLACEHOLDER)
        found = (html, {q.id: q.attendee_id for q in view.questions})
        cache.put(key, found)
    return found


def _personal_questions(shared: tuple[str, dict], attendee, upvoted: set[int]) -> Markup:
    """The shared list made the viewer's: their CSRF token, the questions they upvoted
    pressed, their own questions marked. (Typed text is escaped, so it cannot contain the
    attributes replaced here.)"""
    html, askers = shared
    html = html.replace(CSRF_PLACEHOLDER, generate_csrf())
    for question_id in upvoted:
        html = html.replace(f'<button class="vote" data-q="{question_id}" aria-pressed="false"',
                            f'<button class="vote voted" data-q="{question_id}" '
                            f'aria-pressed="true" disabled')
    for question_id, asker in askers.items():
        if asker == attendee.id:
            html = html.replace(f'data-mine="{question_id}" hidden', f'data-mine="{question_id}"')
    return Markup(html)  # noqa: S704  (rendered by Jinja with autoescape; see above)


def _phone_context(event, attendee, ref, room, order: str = "top",
                   counters: tuple[int, int] | None = None) -> dict:
    """The phone's page for ``room`` (``None`` until the room has a question or poll);
    ``counters`` when the caller has just read them."""
    view = services.room_view(room, attendee, order=order, questions=False)
    questions_html = _personal_questions(_shared_questions(event, ref, room, order), attendee,
                                         view.upvoted)
    seq, tally = counters or services.room_counters(room)
    etag = polling.phone_etag(
        secret=current_app.config["SECRET_KEY"], slug=event.slug, key=ref.key,
        seq=seq, tally=tally,
        viewer=f"a{attendee.id}", lang=current_language(),
        results=view.poll is not None and view.show_results)
    return {"event": event, "ref": ref, "view": view, "etag": etag, "order": order,
            "questions_html": questions_html,
            "poll_seconds": services.phone_poll_seconds(event, ref), "attendee": attendee,
            "moderation": room.moderation if room else "immediate"}


@bp.route("/e/<slug>/qa/<room_key>")
@attendee_required
def room(event, attendee, room_key: str):
    ref = _ref_or_404(event, room_key)
    order = "new" if request.args.get("order") == "new" else "top"
    return _private(make_response(render_template(
        "live/room.html", **_phone_context(event, attendee, ref, services.find_room(event, ref),
                                           order))))


@bp.route("/e/<slug>/qa/<room_key>/live")
@attendee_required
def room_live(event, attendee, room_key: str):
    """The phone's fragment, polled; 304 while unchanged (``polling``; the fast path answers
    most of these before Flask runs)."""
    ref = _ref_or_404(event, room_key)
    room = services.find_room(event, ref)
    seq, tally = services.room_counters(room)
    if polling.phone_etag_valid(request.headers.get("If-None-Match", ""),
                                secret=current_app.config["SECRET_KEY"], slug=event.slug,
                                key=ref.key, seq=seq, tally=tally):
        response = Response(status=304)
        response.headers["ETag"] = request.headers["If-None-Match"].strip()
        return _private(response)
    order = "new" if request.args.get("order") == "new" else "top"
    context = _phone_context(event, attendee, ref, room, order, (seq, tally))
    response = make_response(render_template("live/_room_live.html", **context))
    response.headers["ETag"] = context["etag"]
    return _private(response)


def counts_payload(slug: str, key: str, results: bool,
                   order: str = "top") -> tuple[int, int, bytes] | None:
    """What ``polling.LiveRoomFastPath`` sends a phone when only counts changed: (seq, tally,
    JSON) with the room's question list as every phone sees it (``_shared_questions``: its
    counts, new, answered or pinned questions; the viewer's marks are carried over by
    ``static/js/live.js``) and, with ``results``, the open poll's results as
    ``_results.html`` renders them (in the request's language). Nothing in it is anyone's.
    ``None`` for an unknown room."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    ref = services.resolve(event, key) if event else None
    room = services.find_room(event, ref) if ref else None
    if room is None:
        return None
    seq, tally = services.room_counters(room)
    html, _askers = _shared_questions(event, ref, room, order)
    data = {"list": html}
    if results:
        poll = services.open_poll_of(room)
        if poll is not None:
            data["results"] = render_template("live/_results.html", poll=poll,
                                              view=SimpleNamespace(tally=services.tally_of(poll)))
    return seq, tally, json.dumps(data, separators=(",", ":")).encode()


def _require_registered(attendee) -> None:
    """Questions and votes are for registered people (not a cancelled or waitlisted one)."""
    if attendee.status != "registered":
        abort(403)


def _answer(event, ref, ok: bool, message: str, status: int = 200):
    """What a phone's POST gets: a few words for the queue (static/js/live.js), a flash and
    the room's page otherwise."""
    if request.headers.get(QUEUED) or is_htmx():
        return Response(message, status=status if not ok else 200,
                        mimetype="text/plain; charset=utf-8")
    flash(message, "success" if ok else "error")
    return redirect(url_for("live.room", slug=event.slug, room_key=ref.key))


def _refuse(event, ref, exc: Exception, status: int = 400):
    db.session.rollback()
    return _answer(event, ref, False, translate(str(exc)), status)


@bp.route("/e/<slug>/qa/<room_key>/ask", methods=["POST"])
@attendee_required
def ask(event, attendee, room_key: str):
    ref = _ref_or_404(event, room_key)
    _require_registered(attendee)
    form = AskForm()
    try:
        room = services.ensure_room(event, ref)
        question, _created = services.ask(
            room, attendee, form.text.data or "", anonymous=form.anonymous.data == "1",
            name=form.name.data or "", client_key=form.client_key.data or "")
    except LiveError as exc:
        if request.headers.get(QUEUED) or is_htmx():
            return _refuse(event, ref, exc)
        # Without the queue (no script): the page again, with the message and what was typed.
        db.session.rollback()
        flash(translate(str(exc)), "error")
        return _private(make_response(render_template(
            "live/room.html", **_phone_context(event, attendee, ref,
                                               services.find_room(event, ref)),
            typed=typed(form)), 400))
    db.session.commit()
    if question.status == "pending":
        return _answer(event, ref, True, _("Thank you: your question will show once the "
                                           "moderators approve it."))
    return _answer(event, ref, True, _("Thank you: your question is up."))


@bp.route("/e/<slug>/qa/<room_key>/questions/<int:live_question_id>/upvote", methods=["POST"])
@attendee_required
def upvote(event, attendee, room_key: str, live_question_id: int):
    ref = _ref_or_404(event, room_key)
    _require_registered(attendee)
    room = services.find_room(event, ref)
    question = services.question_of(room, live_question_id) if room else None
    if question is None:
        abort(404)
    try:
        services.upvote(room, question, attendee)
    except LiveError as exc:
        return _refuse(event, ref, exc, 409)
    db.session.commit()
    return _answer(event, ref, True, _("Your vote is in."))


@bp.route("/e/<slug>/qa/<room_key>/polls/<int:poll_id>/vote", methods=["POST"])
@attendee_required
def vote(event, attendee, room_key: str, poll_id: int):
    ref = _ref_or_404(event, room_key)
    _require_registered(attendee)
    room = services.find_room(event, ref)
    poll = services.poll_of(room, poll_id) if room else None
    if poll is None:
        abort(404)
    form = VoteForm()
    try:
        counted = services.vote(room, poll, attendee, form.option.data, form.value.data,
                                form.text.data, count=False)
    except LiveError as exc:
        return _refuse(event, ref, exc, 409 if isinstance(exc, PollClosedError) else 400)
    # What the answer needs, read before the commit expires the rows.
    slug, viewer, shown = event.slug, f"a{attendee.id}", services.snapshot(poll)
    db.session.commit()
    if counted:
        counted = services.count_answer(shown.id)
    message = _(ANSWER_COUNTED) if counted else _(ANSWERED_ALREADY)
    if request.headers.get(QUEUED) and request.headers.get(POLL_ANSWER):
        answered = _answered_poll(slug, viewer, ref, shown, counted, message)
        if answered is not None:
            return answered
    return _answer(event, ref, True, message)


ANSWER_COUNTED = N_("Your answer is in.")
ANSWERED_ALREADY = N_("You had answered this poll already: your first answer counts.")


def _answered_poll(slug: str, viewer: str, ref, poll, votes: int, message: str):
    """What the phone that just answered gets (``static/js/live.js``): the message, its poll
    section as every voter now sees it (``_voted_section``), and a new ETag for the page's
    room that says whether it shows the results, so the phone need not fetch the whole room.
    The ETag keeps the page's room version and counts: anything else that changed reaches
    the page at its next poll. ``None`` without a valid ETag of this viewer's page (the
    phone then fetches the room)."""
    secret = current_app.config["SECRET_KEY"]
    tag = polling.read_phone_etag(request.headers.get(PAGE_ETAG, ""), secret=secret,
                                  slug=slug, key=ref.key)
    if tag is None or tag.viewer != viewer:
        return None
    html, show = _voted_section(ref, poll, votes)
    etag = polling.phone_etag(secret=secret, slug=slug, key=ref.key, seq=tag.seq,
                              tally=tag.tally, viewer=viewer, lang=current_language(),
                              results=show)
    return _private(jsonify(message=message, etag=etag, poll=html))


VOTED_SECTION_LAG = (0.10, 1.0)  # share of the answers, seconds: see ``_voted_section``


def _voted_section(ref, poll, votes: int) -> tuple[str, bool]:
    """The poll section as every person who answered ``poll`` sees it (nobody's in
    particular: no form, no token), and whether it shows the results. The one this process
    keeps is rendered again when it counts fewer than ``votes`` (the answers once the voter's
    was counted) and is either a second old or short of a tenth of them or more
    (``_lags``). In a room of up to ten, or a quiet one, each voter sees their own answer
    counted; in a keynote, 100 answers a second cost about one render a second per process,
    not one per answer."""
    cache = app_cache("live-voted-section", 60.0)
    key = (poll.id, poll.status, current_language())
    found = cache.get(key)
    if found is None or _lags(found, votes):
        show = rules.results_visible(poll.results, poll.status, True)
        tally = services.tally_of(poll) if show else None
        found = (render_template("live/_poll.html", ref=ref, view=SimpleNamespace(
            poll=poll, voted=True, show_results=show, last_closed=None, tally=tally)),
                 show, tally.votes if tally else votes, time.monotonic())
        cache.put(key, found)
    return found[0], found[1]


def _lags(found: tuple, votes: int) -> bool:
    share, seconds = VOTED_SECTION_LAG
    counted, made_at = found[2], found[3]
    return counted < votes and (counted <= votes * (1 - share)
                                or time.monotonic() - made_at >= seconds)


def voted_section_outside(app, slug: str, key: str, poll_id: int, votes: int,
                          lang: str) -> tuple[str, bool] | None:
    """``_voted_section`` for a vote answered before Flask (``live.fastpath``): the one this
    process keeps, else rendered in a request context of its own, in ``lang``. ``None`` when
    the room or the poll is gone."""
    from flask_babel import force_locale

    found = app_cache("live-voted-section", 60.0, app).get((poll_id, "open", lang))
    if found is not None and not _lags(found, votes):
        return found[0], found[1]
    with app.test_request_context(f"/e/{slug}/qa/{key}/live"), force_locale(lang):
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        ref = services.resolve(event, key) if event else None
        room = services.find_room(event, ref) if ref else None
        poll = services.poll_of(room, poll_id) if room else None
        if poll is None:
            return None
        return _voted_section(ref, services.snapshot(poll), votes)


def vote_messages(app, lang: str) -> tuple[str, str]:
    """What ``vote`` says, in ``lang``: (counted, answered already). For ``live.fastpath``."""
    cache = app.extensions.setdefault("summit_live_vote_messages", {})
    found = cache.get(lang)
    if found is None:
        from flask_babel import force_locale

        with app.test_request_context("/"), force_locale(lang):
            found = cache[lang] = (_(ANSWER_COUNTED), _(ANSWERED_ALREADY))
    return found


# --- panels on other capabilities' pages ------------------------------------------------------


def my_summit_panel(event, attendee):
    """My summit: the rooms happening now (or next), one tap to their live page."""
    refs = services.refs_of(event)
    if not refs:
        return None
    now = services.happening_now(refs, utcnow().astimezone(event.tz))
    return render_template("live/_my_panel.html", event=event, now=now[:3])


def live_link(event, key: str):
    """The agenda's link to a session's live page."""
    return Markup('<a class="live-link" href="{}">{}</a>').format(
        url_for("live.room", slug=event.slug, room_key=key), _("Questions and polls"))


def session_results_panel(event, key: str):
    """The after-action pages (feedback results): what the room asked and answered; for a
    day (``d<n>``), the plenary blocks of that day."""
    keys = [key]
    if key.startswith("d") and key[1:].isdigit():
        keys = [r.key for r in services.refs_of(event)
                if r.kind == "block" and r.day == int(key[1:])]
    summaries = [s for s in (services.results_summary(event, k) for k in keys) if s]
    if not summaries:
        return None
    return "".join(render_template("live/_results_panel.html", event=event, s=summary,
                                   may_moderate=current_user.is_authenticated)
                   for summary in summaries)


# --- staff: moderation, polls, projector, export ---------------------------------------------


@bp.route("/admin/e/<slug>/qa")
@event_role(*STAFF_ROLES)
def staff_index(event):
    refs = services.refs_of(event)
    if not current_user.has_role(event.id, "organizer"):
        refs = [r for r in refs if r.kind == "session"
                and facilitates(event, r.target_id, current_user)]
    now = services.happening_now(refs, utcnow().astimezone(event.tz))
    return render_template("live/staff_index.html", event=event, refs=refs, now=now)


def _moderator_context(event, ref) -> dict:
    room = services.find_room(event, ref)
    view = services.room_view(room, staff=True)
    questions = rules.moderation_order(services.questions_of(room)) if room else []
    polls = services.polls_of(room) if room else []
    return {"event": event, "ref": ref, "room": room, "view": view, "questions": questions,
            "polls": polls, "tallies": {p.id: services.tally_of(p) for p in polls},
            "counts": services.counts(room) if room else dict.fromkeys(rules.STATUSES, 0),
            "etag": polling.screen_etag(*services.room_counters(room)),
            "join_url": _join_url(event, ref), "poll_seconds": polling.SCREEN_POLL_SECONDS,
            "kinds": rules.POLL_KINDS}


@bp.route("/admin/e/<slug>/qa/<room_key>")
@event_role(*STAFF_ROLES)
def moderate_page(event, room_key: str):
    ref = _staff_ref(event, room_key)
    return _private(make_response(render_template("live/moderate.html",
                                                  **_moderator_context(event, ref))))


def _screen_or_304(event, ref, template: str, context_of):
    room = services.find_room(event, ref)
    etag = polling.screen_etag(*services.room_counters(room))
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = make_response(render_template(template, **context_of(event, ref)))
    response.set_etag(etag)
    return _private(response)


@bp.route("/admin/e/<slug>/qa/<room_key>/queue")
@event_role(*STAFF_ROLES)
def moderate_live(event, room_key: str):
    ref = _staff_ref(event, room_key)
    return _screen_or_304(event, ref, "live/_moderate_live.html", _moderator_context)


def _back(event, ref):
    return redirect(url_for("live.moderate_page", slug=event.slug, room_key=ref.key))


@bp.route("/admin/e/<slug>/qa/<room_key>/settings", methods=["POST"])
@event_role(*STAFF_ROLES)
def settings(event, room_key: str):
    ref = _staff_ref(event, room_key)
    room = services.ensure_room(event, ref)
    try:
        services.set_moderation(room, ModerationForm().moderation.data or "")
    except LiveError as exc:
        db.session.rollback()
        flash(translate(str(exc)), "error")
        return _back(event, ref)
    audit.record("live.moderation_set", event_id=event.id, target=room,
                 after={"moderation": room.moderation})
    db.session.commit()
    flash(_("Questions now appear at once.") if room.moderation == "immediate"
          else _("Questions now wait for approval."), "success")
    return _back(event, ref)


@bp.route("/admin/e/<slug>/qa/<room_key>/questions/<int:live_question_id>", methods=["POST"])
@event_role(*STAFF_ROLES)
def moderate_question(event, room_key: str, live_question_id: int):
    ref = _staff_ref(event, room_key)
    room = services.find_room(event, ref)
    question = services.question_of(room, live_question_id) if room else None
    if question is None:
        abort(404)
    try:
        services.moderate(room, question, QuestionActionForm().action.data or "",
                          current_user)
    except LiveError as exc:
        db.session.rollback()
        if is_htmx():
            return Response(translate(str(exc)), 400)
        flash(translate(str(exc)), "error")
        return _back(event, ref)
    db.session.commit()
    if is_htmx():
        return render_template("live/_moderate_live.html", **_moderator_context(event, ref))
    return _back(event, ref)


@bp.route("/admin/e/<slug>/qa/<room_key>/polls", methods=["POST"])
@event_role(*STAFF_ROLES)
def new_poll(event, room_key: str):
    ref = _staff_ref(event, room_key)
    room = services.ensure_room(event, ref)
    form = PollForm()
    try:
        services.create_poll(room, form.kind.data or "", form.question.data or "",
                             form.option_lines, form.results.data or "")
    except LiveError as exc:
        db.session.rollback()
        flash(translate(str(exc)), "error")  # the page again, with what was typed
        return _private(make_response(render_template(
            "live/moderate.html", **_moderator_context(event, ref), typed=typed(form)), 400))
    db.session.commit()
    flash(_("The poll is ready: open it when the time comes."), "success")
    return _back(event, ref)


@bp.route("/admin/e/<slug>/qa/<room_key>/polls/<int:poll_id>", methods=["POST"])
@event_role(*STAFF_ROLES)
def poll_action(event, room_key: str, poll_id: int):
    ref = _staff_ref(event, room_key)
    room = services.find_room(event, ref)
    poll = services.poll_of(room, poll_id) if room else None
    if poll is None:
        abort(404)
    action = PollActionForm().action.data or ""
    try:
        if action == "open":
            services.open_poll(room, poll)
        elif action == "close":
            services.close_poll(room, poll)
        elif action == "delete":
            services.delete_poll(room, poll)
        else:
            raise LiveError(N_("Unknown action."))
    except LiveError as exc:
        db.session.rollback()
        flash(translate(str(exc)), "error")
        return _back(event, ref)
    db.session.commit()
    return _back(event, ref)


def _screen_context(event, ref) -> dict:
    room = services.find_room(event, ref)
    view = services.room_view(room, staff=True, limit=6)
    join = _join_url(event, ref)
    return {"event": event, "ref": ref, "view": view, "join_url": join, "qr": _qr(join),
            "etag": polling.screen_etag(*services.room_counters(room)),
            "poll_seconds": polling.SCREEN_POLL_SECONDS,
            "cloud": rules.cloud_sizes(view.tally.words) if view.tally else []}


@bp.route("/admin/e/<slug>/qa/<room_key>/screen")
@event_role(*STAFF_ROLES)
def screen(event, room_key: str):
    ref = _staff_ref(event, room_key)
    return _private(make_response(render_template("live/screen.html",
                                                  **_screen_context(event, ref))))


@bp.route("/admin/e/<slug>/qa/<room_key>/screen/live")
@event_role(*STAFF_ROLES)
def screen_live(event, room_key: str):
    ref = _staff_ref(event, room_key)
    return _screen_or_304(event, ref, "live/_screen_live.html", _screen_context)


@bp.route("/admin/e/<slug>/qa/<room_key>/export.csv")
@event_role(*STAFF_ROLES)
def export(event, room_key: str):
    ref = _staff_ref(event, room_key)
    room = services.find_room(event, ref)
    rows = services.export_rows(room) if room else []
    audit.record("live.exported", event_id=event.id, after={"room": ref.key})
    db.session.commit()
    return csv_download(rows, services.EXPORT_COLUMNS, f"live-{event.slug}-{ref.key}.csv")
