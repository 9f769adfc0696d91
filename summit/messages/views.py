"""Messages pages: organizer email to segments, the outbox, announcements, the live banner,
and the attendee's email preferences."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from summit.access import attendee_required, current_attendee, event_role, public
from summit.extensions import csrf, db
from summit.jobs import Job
from summit.messages import live, segments, services
from summit.messages.forms import AnnouncementForm, MessageForm, PreferencesForm, RetryForm
from summit.messages.mail import init_mail, smtp_configured
from summit.messages.models import Announcement, Message, MessageRecipient
from summit.registration.api import Attendee
from summit.responses import is_htmx

bp = Blueprint("messages", __name__)


@bp.record_once
def _init(state):
    init_mail(state.app)

STAFF_ROLES = ("organizer", "checkin", "facilitator")


# --- segments in forms ---------------------------------------------------------------------------


def segment_choices(event, kinds) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group label, [(value, label)])] with values "kind:key"."""
    groups = []
    for kind in kinds:
        if kind.options is None:
            groups.append(("", [(f"{kind.kind}:", kind.label)]))
        else:
            options = [(f"{kind.kind}:{key}", label) for key, label in kind.options(event)]
            if options:
                groups.append((kind.label, options))
    return groups


def parse_segment(value: str) -> tuple[str, str]:
    kind, _, key = (value or "").partition(":")
    return kind, key


# --- organizer: messages ------------------------------------------------------------------------


@bp.route("/admin/e/<slug>/messages")
@event_role("organizer")
def index(event):
    sent = db.session.scalars(select(Message).where(Message.event_id == event.id)
                              .order_by(Message.created_at.desc()).limit(50)).all()
    counts = {m.id: services.status_counts(event.id, m.id) for m in sent}
    status = request.args.get("status") or ""
    query = (select(MessageRecipient).where(MessageRecipient.event_id == event.id)
             .order_by(MessageRecipient.created_at.desc(), MessageRecipient.id.desc()))
    if status in ("queued", "sending", "retrying", "sent", "failed", "skipped"):
        query = query.where(MessageRecipient.status == status)
    emails = db.session.scalars(query.limit(100)).all()
    return render_template("messages/index.html", event=event, sent=sent, counts=counts,
                           emails=emails, status=status, totals=services.status_counts(event.id),
                           smtp=smtp_configured())


@bp.route("/admin/e/<slug>/messages/new", methods=["GET", "POST"])
@event_role("organizer")
def compose(event):
    form = MessageForm()
    groups = segment_choices(event, segments.segment_kinds())
    preview = None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        kind, key = parse_segment(form.segment.data)
        try:
            label = segments.option_label(event, kind, key)
            ids = segments.resolve(event, kind, key)
        except KeyError:
            form.segment.errors = ["Choose who gets it."]
            status = 400
        else:
            draft = services.Draft(form.subject.data, form.body.data, kind, key)
            if not ids:
                form.segment.errors = ["Nobody is in this group."]
                status = 400
            elif form.action.data == "send":
                message = services.send_segment_message(event, draft, ids, label, current_user)
                db.session.commit()
                flash(f"Sending to {len(ids)} {'person' if len(ids) == 1 else 'people'}.",
                      "success")
                return redirect(url_for("messages.detail", slug=event.slug,
                                        message_id=message.id))
            else:
                people = db.session.scalars(select(Attendee).where(Attendee.id.in_(ids[:500]))
                                            .order_by(Attendee.last_name, Attendee.first_name)
                                            ).all()
                sample = people[0]
                text, html = services.render_preview(event, draft, sample)
                opted_out = sum(1 for i in ids if not services.wants_optional_mail(i))
                preview = {"count": len(ids), "label": label, "people": people[:20],
                           "sample": sample, "text": text, "opted_out": opted_out}
    elif request.method == "POST":
        status = 400
    return render_template("messages/compose.html", event=event, form=form, groups=groups,
                           preview=preview), status


@bp.route("/admin/e/<slug>/messages/<int:message_id>")
@event_role("organizer")
def detail(event, message_id: int):
    message = db.session.get(Message, message_id)
    if message is None or message.event_id != event.id:
        abort(404)
    job = db.session.get(Job, message.job_id) if message.job_id else None
    recipients = db.session.scalars(
        select(MessageRecipient).where(MessageRecipient.message_id == message.id)
        .order_by(MessageRecipient.id)).all()
    context = {"event": event, "message": message, "job": job, "recipients": recipients,
               "counts": services.status_counts(event.id, message.id)}
    if is_htmx():
        return render_template("messages/_delivery.html", **context)
    return render_template("messages/detail.html", **context)


@bp.route("/admin/e/<slug>/messages/retry", methods=["POST"])
@event_role("organizer")
def retry(event):
    message_id = RetryForm().message_id.data
    count = services.retry_failed(event, message_id, current_user)
    db.session.commit()
    flash(f"{count} email(s) queued again." if count else "Nothing to retry.", "success")
    if message_id:
        return redirect(url_for("messages.detail", slug=event.slug, message_id=message_id))
    return redirect(url_for("messages.index", slug=event.slug))


@bp.route("/admin/e/<slug>/messages/email/<int:recipient_id>")
@event_role("organizer")
def email(event, recipient_id: int):
    """One email as it was (or will be) sent; with the .eml from the outbox folder if any."""
    recipient = db.session.get(MessageRecipient, recipient_id)
    if recipient is None or recipient.event_id != event.id:
        abort(404)
    parsed = None
    if recipient.outbox_file:
        path = _outbox_path(recipient.outbox_file)
        if path.exists():
            parsed = _describe_eml(path.read_bytes())
    return render_template("messages/email.html", event=event, recipient=recipient,
                           parsed=parsed)


@bp.route("/admin/e/<slug>/messages/email/<int:recipient_id>/eml")
@event_role("organizer")
def email_file(event, recipient_id: int):
    recipient = db.session.get(MessageRecipient, recipient_id)
    if recipient is None or recipient.event_id != event.id or not recipient.outbox_file:
        abort(404)
    path = _outbox_path(recipient.outbox_file)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="message/rfc822", as_attachment=True,
                     download_name=recipient.outbox_file)


def _outbox_path(name: str) -> Path:
    outbox = Path(current_app.config["OUTBOX_DIR"]).resolve()
    path = (outbox / Path(name).name).resolve()
    if path.parent != outbox:
        abort(404)
    return path


def _describe_eml(data: bytes) -> dict:
    """Headers, text, inline images (as data: URIs) and attachments of an .eml file."""
    import base64

    msg = BytesParser(policy=policy.default).parsebytes(data)
    text_part = msg.get_body(preferencelist=("plain",))
    images, files = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if part.get("Content-ID") and ctype.startswith("image/"):
            images.append(f"data:{ctype};base64,"
                          + base64.b64encode(part.get_payload(decode=True)).decode())
        elif part.get_filename():
            files.append((part.get_filename(), ctype, len(part.get_payload(decode=True) or b"")))
    return {
        "headers": [(k, str(msg[k])) for k in ("From", "To", "Subject", "Date", "Message-ID",
                                                "List-Unsubscribe") if msg[k]],
        "text": text_part.get_content() if text_part else "",
        "images": images, "files": files,
    }


# --- organizer: announcements --------------------------------------------------------------------


@bp.route("/admin/e/<slug>/announcements", methods=["GET", "POST"])
@event_role("organizer")
def announcements(event):
    form = AnnouncementForm()
    groups = segment_choices(event, segments.announcement_target_kinds())
    status = 200
    if form.validate_on_submit():
        kind, key = parse_segment(form.target.data or "everyone:")
        try:
            live.post(event, form.text.data, link=form.link.data, level=form.level.data,
                      target_kind=kind or "everyone", target_key=key, user=current_user)
        except live.AnnouncementError as exc:
            db.session.rollback()
            form.text.errors = [str(exc)]
            status = 400
        else:
            db.session.commit()
            flash("Posted. Open pages show it within a few seconds.", "success")
            return redirect(url_for("messages.announcements", slug=event.slug))
    elif request.method == "POST":
        status = 400
    return render_template("messages/announcements.html", event=event, form=form,
                           groups=groups, items=live.recent_for_organizer(event)), status


@bp.route("/admin/e/<slug>/announcements/<int:announcement_id>/withdraw", methods=["POST"])
@event_role("organizer")
def withdraw(event, announcement_id: int):
    item = db.session.get(Announcement, announcement_id)
    if item is None or item.event_id != event.id:
        abort(404)
    live.withdraw(item)
    db.session.commit()
    flash("Withdrawn: it disappears from open pages within a few seconds.", "success")
    return redirect(url_for("messages.announcements", slug=event.slug))


# --- the live banner ------------------------------------------------------------------------------


def _etag(event, viewer: str) -> str:
    return live.etag_for(live.channel_seq(event.id), viewer, slug=event.slug,
                         secret=current_app.config["SECRET_KEY"])


def _banner_response(event, attendee, viewer: str):
    etag = _etag(event, viewer)
    if etag in request.headers.get("If-None-Match", ""):
        response = make_response("", 304)
    else:
        response = make_response(_render_banner(event, attendee))
    response.headers["ETag"] = etag
    # The page script keeps the ETag itself; the browser must not answer from its cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _render_banner(event, attendee, hidden: set[int] | None = None) -> str:
    if attendee is None and hidden is None:
        hidden = _staff_hidden(event)
    return render_template("messages/_banner.html", event=event, attendee=attendee,
                           items=live.for_viewer(event, attendee, hidden=hidden or ()))


# Staff dismiss announcements in their browser: the ids they dismissed, in a cookie per event
# (staff accounts are shared at desks, and one volunteer's "seen" is not the next one's).
STAFF_HIDDEN_COOKIE = "live_hidden_{event_id}"
STAFF_HIDDEN_MAX = 30


def _staff_hidden(event) -> set[int]:
    raw = request.cookies.get(STAFF_HIDDEN_COOKIE.format(event_id=event.id), "")
    return {int(part) for part in raw.split(".")[:STAFF_HIDDEN_MAX]
            if part.isdigit() and len(part) < 12}


@bp.route("/e/<slug>/live/banner")
@attendee_required
def banner(event, attendee):
    return _banner_response(event, attendee, f"a{attendee.id}")


@bp.route("/admin/e/<slug>/live/banner")
@event_role(*STAFF_ROLES)
def staff_banner(event):
    return _banner_response(event, None, "s")


def _announcement_or_404(event, announcement_id: int) -> Announcement:
    item = db.session.get(Announcement, announcement_id)
    if item is None or item.event_id != event.id:
        abort(404)
    return item


@bp.route("/e/<slug>/live/dismiss/<int:announcement_id>", methods=["POST"])
@attendee_required
def dismiss(event, attendee, announcement_id: int):
    _announcement_or_404(event, announcement_id)
    live.dismiss(attendee, announcement_id)
    db.session.commit()
    if is_htmx():
        return _render_banner(event, attendee)
    return redirect(request.referrer or url_for("registration.my_summit", slug=event.slug))


@bp.route("/admin/e/<slug>/live/dismiss/<int:announcement_id>", methods=["POST"])
@event_role(*STAFF_ROLES)
def staff_dismiss(event, announcement_id: int):
    """Staff dismiss a banner in this browser (a cookie), for every staff page of the event."""
    _announcement_or_404(event, announcement_id)
    hidden = [announcement_id] + [i for i in sorted(_staff_hidden(event), reverse=True)
                                  if i != announcement_id]
    hidden = hidden[:STAFF_HIDDEN_MAX]
    if is_htmx():
        response = make_response(_render_banner(event, None, set(hidden)))
    else:
        response = redirect(request.referrer or url_for("admin.event_home", slug=event.slug))
    response.set_cookie(STAFF_HIDDEN_COOKIE.format(event_id=event.id),
                        ".".join(str(i) for i in hidden), max_age=14 * 24 * 3600, path="/",
                        samesite="Lax", httponly=True, secure=bool(request.is_secure))
    return response


@bp.app_context_processor
def inject_live_banner():
    return {"live_banner": _live_banner}


def _live_banner():
    """For base.html: the banner poller on event pages of signed-in staff and attendees."""
    event = getattr(g, "event", None)
    if event is None:
        return None
    try:
        if current_user.is_authenticated and current_user.has_role(event.id, *STAFF_ROLES):
            url = url_for("messages.staff_banner", slug=event.slug)
            attendee, viewer = None, "s"
        else:
            attendee = getattr(g, "attendee", None) or current_attendee(event)
            if attendee is None:
                return None
            url = url_for("messages.banner", slug=event.slug)
            viewer = f"a{attendee.id}"
        return {"url": url, "html": Markup(_render_banner(event, attendee)),
                "etag": _etag(event, viewer)}
    except Exception:  # never break a page because of the banner
        current_app.logger.exception("live banner")
        return None


# --- attendee: preferences ----------------------------------------------------------------------


# The signed token in the address is the credential (RFC 8058 one-click POST has no CSRF token).
@csrf.exempt
@bp.route("/e/<slug>/mail/preferences/<secret:token>", methods=["GET", "POST"])
@public
def preferences(slug: str, token: str):
    attendee = services.attendee_for_token(token)
    if attendee is None or attendee.event.slug != slug:
        return render_template("messages/preferences_invalid.html"), 404
    g.event = attendee.event
    g.locale_attendee = attendee  # the page speaks the language of the person's emails
    saved = False
    if request.method == "POST":
        services.set_optional_mail(attendee, PreferencesForm().wanted)
        db.session.commit()
        saved = True
    return render_template("messages/preferences.html", event=attendee.event, attendee=attendee,
                           wanted=services.wants_optional_mail(attendee.id), saved=saved,
                           token=token)


# --- panels -------------------------------------------------------------------------------------


def announcements_panel(event, attendee):
    """My summit's earlier announcements: those the banner above no longer shows (dismissed,
    older, or beyond its three), so none is on the page twice."""
    in_banner = {a.id for a in live.for_viewer(event, attendee)}
    items = [a for a in live.for_viewer(event, attendee, banner=False) if a.id not in in_banner]
    if not items:
        return None
    return render_template("messages/_my_announcements.html", event=event, items=items,
                           dismissed=live.dismissed_ids(attendee))


def delivery_panel(event):
    if not current_user.has_role(event.id):
        return None
    counts = services.status_counts(event.id)
    if not counts:
        return None
    return render_template("messages/_home_panel.html", event=event, counts=counts,
                           smtp=smtp_configured())


