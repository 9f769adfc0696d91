"""Email to attendees: the outbox, automatic messages, segment messages and their delivery.

Every email is a ``MessageRecipient`` row, then delivered by a background job after the commit.
The row records what went to whom, the attempts and the last error. ``(attendee, reason_key)``
is unique, so nobody gets the same mail twice for the same reason, however often the caller
asks. One email (a confirmation, a promotion, "resend my link") is written in the same
transaction as the change that caused it; emails to many people at once (an organizer's
message, a moved breakout) are written by their job, 100 per short transaction (``compose``),
so the request that caused them commits at once.

Other capabilities call :func:`send_to_attendee`; for example "email my plan", from its job::

    send_to_attendee(attendee, f"plan:{plan.id}:job-{job.id}",
                     _l("Your action plan · %(event)s", event=event.name), "plans/email_plan",
                     {"plan": plan}, attachments=[(filename, "application/pdf", pdf)])

``template`` names ``<template>.txt`` (required) and ``<template>.html`` (optional, escaped).
Delivery talks to the mail server with no database transaction open (``deliver_recipient``).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import TemplateNotFound
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from summit import audit, jobs
from summit.access import secret_fingerprint
from summit.database import utcnow, write_transaction
from summit.extensions import db
from summit.i18n import LANGUAGES, attendee_locale
from summit.messages import mail
from summit.messages.models import MailPreference, Message, MessageRecipient
from summit.messages.placeholders import personalize
from summit.registration.api import STATUSES, Attendee, personal_link
from summit.urls import absolute_url

DELIVER_JOB = "messages.deliver"


# --- preferences --------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="mail-preferences")


def preferences_token(attendee: Attendee) -> str:
    return _serializer().dumps([attendee.id, secret_fingerprint(attendee.personal_secret)[:8]])


def attendee_for_token(token: str) -> Attendee | None:
    try:
        attendee_id, fingerprint = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or secret_fingerprint(attendee.personal_secret)[:8] != fingerprint:
        return None
    return attendee


def preferences_url(attendee: Attendee) -> str:
    return absolute_url("messages.preferences", slug=attendee.event.slug,
                             token=preferences_token(attendee))


def wants_optional_mail(attendee_id: int) -> bool:
    pref = db.session.get(MailPreference, attendee_id)
    return pref is None or pref.optional_mail


def set_optional_mail(attendee: Attendee, wanted: bool) -> None:
    pref = db.session.get(MailPreference, attendee.id)
    if pref is None:
        pref = MailPreference(attendee_id=attendee.id)
        db.session.add(pref)
    pref.optional_mail = wanted
    audit.record("attendee.mail_preferences", event_id=attendee.event_id, target=attendee,
                 after={"optional_mail": wanted}, actor_label="attendee")


# --- the generic API ----------------------------------------------------------------------------


def _render(template: str, context: dict) -> tuple[str, str]:
    text = render_template(f"{template}.txt", **context)
    try:
        html = render_template(f"{template}.html", **context)
    except TemplateNotFound:
        html = ""
    return text, html


def _attachment_specs(attachments: Iterable) -> list:
    specs = []
    for item in attachments or ():
        if item in ("qr", "ics"):
            specs.append(item)
        else:
            filename, mimetype, data = item
            specs.append({"filename": filename, "mimetype": mimetype,
                          "data": base64.b64encode(data).decode()})
    return specs


def send_to_attendee(attendee: Attendee, reason_key: str, subject: str, template: str,
                     context: dict | None = None, attachments: Iterable = (), *,
                     optional: bool = False, message: Message | None = None,
                     deliver: bool = True) -> MessageRecipient | None:
    """Queue one email to ``attendee`` unless one was already queued for ``reason_key``.

    ``attachments``: ``"qr"`` (the check-in QR code, inline in the HTML), ``"ics"`` (the event
    in a calendar file) or ``(filename, mimetype, bytes)``. ``optional`` mail carries an
    unsubscribe link and is skipped for attendees who turned optional mail off.
    Returns the new outbox row, or ``None`` if this reason was already handled. The caller
    commits; delivery starts after the commit.
    """
    reason_key = reason_key[:200]
    exists = db.session.scalar(select(MessageRecipient.id).where(
        MessageRecipient.attendee_id == attendee.id, MessageRecipient.reason_key == reason_key))
    if exists is not None:
        return None
    recipient = outbox_row(attendee, reason_key, subject, template, context, attachments,
                           optional=optional, message=message)
    try:
        with db.session.begin_nested():
            db.session.add(recipient)
    except IntegrityError:  # the same reason queued at the same moment by another request
        return None
    if deliver:
        jobs.enqueue(DELIVER_JOB, event_id=attendee.event_id,
                     params={"recipient_ids": [recipient.id]})
    return recipient


def outbox_row(attendee: Attendee, reason_key: str, subject: str, template: str,
               context: dict | None = None, attachments: Iterable = (), *,
               optional: bool = False, message: Message | None = None) -> MessageRecipient:
    """The outbox row of one email, rendered in the attendee's language (not added)."""
    full_context = {
        "attendee": attendee, "event": attendee.event, "link": personal_link(attendee),
        "optional": optional,
        "preferences_url": preferences_url(attendee) if optional else None,
        **(context or {}),
    }
    # In the attendee's language, whatever the language of the page that caused the email.
    # ``subject`` may be a lazy_gettext string: it is translated here too.
    with force_locale(attendee_locale(attendee)):
        text, html = _render(template, full_context)
        subject = str(subject)
    return MessageRecipient(
        event_id=attendee.event_id, attendee_id=attendee.id, reason_key=reason_key[:200],
        optional=optional, to_address=attendee.email,
        subject=" ".join(subject.split())[:300], body_text=text, body_html=html,
        attachments=_attachment_specs(attachments), status="queued",
        message_id=message.id if message else None,
    )


# --- automatic messages -------------------------------------------------------------------------


def _secret_tag(attendee: Attendee) -> str:
    # A new registration after a cancellation gets fresh secrets, hence a fresh confirmation.
    return secret_fingerprint(attendee.personal_secret)[:10]


def on_registered(attendee: Attendee, *, deliver: bool = True) -> MessageRecipient | None:
    """A registration (``attendee_registered``): the confirmation, or the waitlist notice."""
    if attendee.status == "registered":
        return send_to_attendee(
            attendee, f"confirmation:{_secret_tag(attendee)}",
            _l("You are registered for %(event)s", event=attendee.event.name),
            "messages/email/confirmation",
            attachments=("qr", "ics"), deliver=deliver)
    if attendee.status == "waitlisted":
        from summit.registration.api import waitlist_rank

        return send_to_attendee(
            attendee, f"waitlisted:{_secret_tag(attendee)}",
            _l("You are on the waitlist for %(event)s", event=attendee.event.name),
            "messages/email/waitlisted",
            {"rank": waitlist_rank(attendee)}, deliver=deliver)
    return None


WELCOME_REASONS = ("confirmation", "waitlisted", "promoted")


def _welcome_keys(attendee: Attendee) -> tuple[str, ...]:
    """The reasons whose email told this attendee their registration and link."""
    tag = _secret_tag(attendee)
    if attendee.status == "waitlisted":
        return (f"waitlisted:{tag}",)
    return (f"confirmation:{tag}", f"promoted:{tag}")


def never_welcomed(event) -> list[Attendee]:
    """Registered or waitlisted attendees who were never sent their confirmation (or waitlist
    notice) with their personal link: people imported from a spreadsheet, typically."""
    sent = set(db.session.execute(
        select(MessageRecipient.attendee_id, MessageRecipient.reason_key)
        .where(MessageRecipient.event_id == event.id,  # not every organizer message too
               or_(*(MessageRecipient.reason_key.startswith(f"{reason}:", autoescape=True)
                     for reason in WELCOME_REASONS)))).tuples())
    people = db.session.scalars(
        select(Attendee).where(Attendee.event_id == event.id,
                               Attendee.status.in_(("registered", "waitlisted")))
        .order_by(Attendee.id))
    return [a for a in people if not any((a.id, key) in sent for key in _welcome_keys(a))]


def welcome(event, attendees: list[Attendee], user=None) -> int:
    """Send each of ``attendees`` the email a self-registered person gets (never twice), in
    one delivery job. Returns how many were queued."""
    ids = [r.id for r in (on_registered(a, deliver=False) for a in attendees) if r is not None]
    if ids:
        jobs.enqueue(DELIVER_JOB, event_id=event.id, params={"recipient_ids": ids},
                     created_by=user)
        audit.record("registrations.welcomed", event_id=event.id, after={"emails": len(ids)})
    return len(ids)


def on_promoted(attendee: Attendee) -> MessageRecipient | None:
    """A waitlisted attendee got a place (``attendee_promoted``)."""
    return send_to_attendee(
        attendee, f"promoted:{_secret_tag(attendee)}",
        _l("Good news: you have a place at %(event)s", event=attendee.event.name),
        "messages/email/promoted",
        attachments=("qr", "ics"))


LINK_RESEND_WINDOW = 600  # seconds: one "resend my link" email per window and attendee


def send_personal_link(attendee: Attendee, *, requested_by_attendee: bool = True):
    """"Resend my link". Public requests send at most one email per 10 minutes per attendee
    (the answer shown is the same either way); an organizer's resend always goes."""
    if requested_by_attendee:
        reason = f"link:{_secret_tag(attendee)}:{int(time.time() // LINK_RESEND_WINDOW)}"
    else:
        reason = f"link:organizer:{utcnow().isoformat()}"
    return send_to_attendee(attendee, reason,
                            _l("Your link for %(event)s", event=attendee.event.name),
                            "messages/email/link", attachments=("qr",)
                            if attendee.status == "registered" else ())


SESSION_CHANGED_JOB = "messages.session_changed"


def notify_session_changed(session, attendee_ids: Iterable[int], *, before: dict,
                           after: dict, change_key: str,
                           waitlisted_ids: Iterable[int] = ()) -> jobs.Job | None:
    """Queue the emails telling people that ``session`` (a breakout) moved from ``before`` to
    ``after`` (``{"where", "when"}``, lazy strings read in each language).

    Runs in the mover's transaction, so it only queues one job, whatever the number of people:
    the job writes the outbox rows in short transactions, then sends them. Each language's
    texts are read now, while the rooms and slots they describe are at hand. ``change_key``
    identifies the change: nobody gets two emails for it, however often this is called.
    """
    ids = sorted(set(attendee_ids))
    if not ids:
        return None
    event = session.event
    texts = {}
    for language in LANGUAGES:
        with force_locale(language):
            texts[language] = {
                "subject": gettext("Moved: %(title)s (%(event)s)", title=session.title,
                                   event=event.name),
                "before": {key: str(value) for key, value in before.items()},
                "after": {key: str(value) for key, value in after.items()},
            }
    return jobs.enqueue(SESSION_CHANGED_JOB, event_id=event.id, params={
        "reason_key": f"session-changed:{change_key}"[:200], "attendee_ids": ids,
        "waitlisted_ids": sorted(set(waitlisted_ids) & set(ids)),
        "session_title": session.title, "texts": texts})


def session_changed_job(job, report_progress):
    """Write one outbox row per person still registered, then deliver them."""
    params = job.params
    reason_key = params["reason_key"]
    waiting = set(params["waitlisted_ids"])

    def email_for(attendee: Attendee) -> MessageRecipient:
        texts = params["texts"].get(attendee_locale(attendee)) or params["texts"]["en"]
        return outbox_row(
            attendee, reason_key, texts["subject"], "breakouts/email/session_moved",
            {"session": {"title": params["session_title"]}, "before": texts["before"],
             "after": texts["after"], "waiting": attendee.id in waiting,
             "agenda_url": f"{current_app.config['BASE_URL']}/e/{attendee.event.slug}/agenda"})

    ids = compose(reason_key, params["attendee_ids"], email_for)
    return deliver_all(job, ids, report_progress)


COMPOSE_CHUNK = 100


def compose(reason_key: str, attendee_ids: list[int], email_for, *,
            statuses: tuple[str, ...] = ("registered",)) -> list[int]:
    """Write the outbox rows for ``reason_key`` of the attendees in ``attendee_ids`` (whose
    registration is in ``statuses``) that have none yet, ``COMPOSE_CHUNK`` at a time: each
    chunk is read and rendered with no write lock held, then inserted in one short write
    transaction. Returns the ids of the rows for this reason still to send (a retried job finds
    the ones it wrote before).

    ``email_for(attendee)`` gives the row (``outbox_row``). For jobs, not requests.
    """
    attendee_ids = sorted(set(attendee_ids))
    for i in range(0, len(attendee_ids), COMPOSE_CHUNK):
        chunk = attendee_ids[i:i + COMPOSE_CHUNK]
        have = set(db.session.scalars(select(MessageRecipient.attendee_id).where(
            MessageRecipient.reason_key == reason_key,
            MessageRecipient.attendee_id.in_(chunk))))
        people = db.session.scalars(select(Attendee).where(
            Attendee.id.in_([a for a in chunk if a not in have]),
            Attendee.status.in_(statuses)).order_by(Attendee.id)).all()
        rows = [email_for(attendee) for attendee in people]
        db.session.commit()  # end the read
        if rows:
            with write_transaction(db.session):
                db.session.add_all(rows)
    ids: list[int] = []
    for i in range(0, len(attendee_ids), 500):
        ids.extend(db.session.scalars(select(MessageRecipient.id).where(
            MessageRecipient.reason_key == reason_key,
            MessageRecipient.attendee_id.in_(attendee_ids[i:i + 500]),
            MessageRecipient.status.in_(("queued", "retrying")))))
    db.session.commit()
    return sorted(ids)


# --- segment messages ---------------------------------------------------------------------------


@dataclass
class Draft:
    subject: str
    body: str
    segment_kind: str
    segment_key: str = ""


def render_preview(event, draft: Draft, attendee: Attendee) -> tuple[str, str]:
    context = {"attendee": attendee, "event": event, "link": personal_link(attendee),
               "optional": True, "preferences_url": preferences_url(attendee),
               "body_paragraphs": paragraphs(personalize(draft.body, attendee)),
               "subject": personalize(draft.subject, attendee)}
    with force_locale(attendee_locale(attendee)):  # the preview shows what they will get
        return _render("messages/email/organizer", context)


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]


SEGMENT_JOB = "messages.segment"


def send_segment_message(event, draft: Draft, attendee_ids: list[int], segment_label: str,
                         user) -> Message:
    """Record the message and queue one job that writes an email per attendee to the outbox
    and delivers them: the organizer's request commits at once, for 30 people or 3,000."""
    message = Message(event_id=event.id, subject=draft.subject, body=draft.body,
                      segment_kind=draft.segment_kind, segment_key=draft.segment_key,
                      segment_label=segment_label, created_by_user_id=getattr(user, "id", None))
    db.session.add(message)
    db.session.flush()
    ids = sorted(set(attendee_ids))
    job = jobs.enqueue(SEGMENT_JOB, event_id=event.id,
                       params={"message_id": message.id, "attendee_ids": ids}, created_by=user)
    message.job_id = job.id
    audit.record("message.sent", event_id=event.id, target=message,
                 after={"subject": draft.subject, "segment": segment_label,
                        "recipients": len(ids)})
    return message


def segment_job(job, report_progress):
    """Write the message's email to each attendee (whatever their registration's status, as
    the organizer chose them), then deliver them."""
    message = db.session.get(Message, job.params["message_id"])
    if message is None:
        db.session.commit()
        return "the message was deleted"
    reason_key, subject, body = f"message:{message.id}", message.subject, message.body

    def email_for(attendee: Attendee) -> MessageRecipient:
        personal_subject = personalize(subject, attendee)
        return outbox_row(attendee, reason_key, personal_subject, "messages/email/organizer",
                          {"body_paragraphs": paragraphs(personalize(body, attendee)),
                           "subject": personal_subject},
                          optional=True, message=message)

    ids = compose(reason_key, job.params["attendee_ids"], email_for, statuses=STATUSES)
    return deliver_all(job, ids, report_progress)


def retry_failed(event, message_id: int | None = None, user=None) -> int:
    """Queue the failed emails of an event (or of one message) again."""
    query = select(MessageRecipient.id).where(MessageRecipient.event_id == event.id,
                                              MessageRecipient.status == "failed")
    if message_id is not None:
        query = query.where(MessageRecipient.message_id == message_id)
    ids = list(db.session.scalars(query))
    if ids:
        db.session.execute(update(MessageRecipient).where(MessageRecipient.id.in_(ids))
                           .values(status="queued", last_error=None)
                           .execution_options(synchronize_session=False))
        jobs.enqueue(DELIVER_JOB, event_id=event.id, params={"recipient_ids": ids},
                     created_by=user)
        audit.record("message.retried", event_id=event.id, after={"recipients": len(ids)})
    return len(ids)


def status_counts(event_id: int, message_id: int | None = None) -> dict[str, int]:
    query = (select(MessageRecipient.status, func.count())
             .where(MessageRecipient.event_id == event_id).group_by(MessageRecipient.status))
    if message_id is not None:
        query = query.where(MessageRecipient.message_id == message_id)
    return dict(db.session.execute(query).all())


# --- delivery -----------------------------------------------------------------------------------


def _record_delivery(recipient_id: int, **values) -> None:
    with write_transaction(db.session):
        db.session.execute(update(MessageRecipient).where(MessageRecipient.id == recipient_id)
                           .values(**values).execution_options(synchronize_session=False))


def deliver_recipient(recipient_id: int, *, final_attempt: bool,
                      sender: mail.Sender | None = None) -> str:
    """Send one queued email. Returns sent | failed | retry | unreachable | skipped | busy.

    No transaction is open while the mail server answers: the row is claimed in a short write
    transaction, read and built (reads only, then committed), sent, and the outcome recorded in
    another short write transaction. ``unreachable``: the server did not answer at all; the
    email waits for the next attempt (or failed, on the last one).
    """
    with write_transaction(db.session):
        claimed = db.session.execute(
            update(MessageRecipient)
            .where(MessageRecipient.id == recipient_id,
                   MessageRecipient.status.in_(("queued", "retrying")))
            .values(status="sending", attempts=MessageRecipient.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
    if not claimed:
        return "busy"  # already sent, or being sent by someone else
    recipient = db.session.get(MessageRecipient, recipient_id)
    attendee = recipient.attendee
    if recipient.optional and (not wants_optional_mail(attendee.id)
                               or attendee.status == "cancelled"):
        db.session.commit()
        _record_delivery(recipient_id, status="skipped", last_error=(
            "unsubscribed from optional mail" if attendee.status != "cancelled"
            else "registration cancelled"))
        return "skipped"
    try:
        email = mail.build_email(recipient)
    except Exception as exc:  # a bug, not the server: the email stays queued for the retry
        db.session.rollback()
        _record_delivery(recipient_id, status="retrying", last_error=f"not built: {exc}"[:1000])
        raise
    values: dict = {"message_id_header": email["Message-ID"]}
    db.session.commit()  # end the read: nothing is held while the mail server answers
    try:
        values["outbox_file"] = sender.send(email) if sender else mail.transmit(email)
    except mail.PermanentMailError as exc:
        values.update(status="failed", last_error=str(exc))
        outcome = "failed"
    except mail.TemporaryMailError as exc:
        outcome = "unreachable" if isinstance(exc, mail.MailServerUnreachable) else "retry"
        values.update(status="failed" if final_attempt else "retrying", last_error=str(exc))
    else:
        values.update(status="sent", sent_at=utcnow(), last_error=None)
        outcome = "sent"
    _record_delivery(recipient_id, **values)
    return outcome


def _still_to_send(ids: list[int]) -> set[int]:
    pending: set[int] = set()
    for i in range(0, len(ids), 500):
        pending.update(db.session.scalars(select(MessageRecipient.id).where(
            MessageRecipient.id.in_(ids[i:i + 500]),
            MessageRecipient.status.in_(("queued", "retrying")))))
    db.session.commit()
    return pending


def deliver_job(job, report_progress):
    """Deliver the outbox rows named in the job's ``recipient_ids``."""
    return deliver_all(job, list(job.params.get("recipient_ids", [])), report_progress)


def deliver_all(job, ids: list[int], report_progress) -> str:
    """Deliver outbox rows over one SMTP connection, for a job. Temporary failures make the job
    retry later (with backoff), and the retry only sends what has not gone out yet. A server
    that does not answer at all stops the batch at once: the rest wait for the next attempt
    rather than each waiting ``MAIL_TIMEOUT`` in turn."""
    final = job.attempts >= job.max_attempts
    pending = _still_to_send(ids)
    outcomes: dict[str, int] = {}
    not_tried: list[int] = []
    with mail.Sender() as sender:
        for done, recipient_id in enumerate(ids, 1):
            outcome = deliver_recipient(recipient_id, final_attempt=final, sender=sender) \
                if recipient_id in pending else "busy"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            report_progress(done, len(ids))
            if outcome == "unreachable":
                not_tried = [i for i in ids[done:] if i in pending]
                break
    if not_tried and final:
        with write_transaction(db.session):
            db.session.execute(
                update(MessageRecipient)
                .where(MessageRecipient.id.in_(not_tried),
                       MessageRecipient.status.in_(("queued", "retrying")))
                .values(status="failed", last_error="not sent: the mail server could not be "
                                                    "reached")
                .execution_options(synchronize_session=False))
    left = outcomes.get("retry", 0) + outcomes.get("unreachable", 0) + len(not_tried)
    if left:  # on the last attempt this fails the job, with the emails marked failed
        why = ": the mail server could not be reached" if outcomes.get("unreachable") else ""
        raise mail.TemporaryMailError(
            f"{left} of {len(ids)} email(s) could not be sent{why}" if final
            else f"{left} of {len(ids)} email(s) not sent yet{why}; retrying")
    return ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())) or "nothing to send"
