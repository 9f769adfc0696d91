"""Building and sending one email: SMTP through Flask-Mailman, or the outbox folder.

Settings come from the environment (``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USE_TLS``,
``MAIL_USE_SSL``, ``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_FROM``, ``MAIL_TIMEOUT``).
Without ``MAIL_SERVER`` every message is written to ``instance/outbox/`` as an ``.eml`` file
that organizers can open on the Messages page: nothing is ever dropped.

Errors are sorted into permanent (the server said 5xx: retrying will not help) and temporary
(4xx, connection refused, time-outs) so the delivery job retries only what may still succeed.
A server that cannot be reached at all (refused, timed out, hung up) is ``MailServerUnreachable``:
the delivery job then stops trying the rest of its batch until its next attempt.

Only background jobs talk SMTP, never a web request, and never with a database transaction open
(``Sender.send`` checks both): a slow or stalled mail server must not hold SQLite's write lock,
or a web worker, while the check-in desk waits.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import Flask, current_app, g, has_request_context
from flask_mailman import Mail

from summit.database import require_no_transaction
from summit.extensions import db
from summit.urls import absolute_url

mail = Mail()


def _env_bool(name: str) -> bool:
    return (os.environ.get(name) or "").strip().lower() in {"1", "true", "yes", "on"}


def init_mail(app: Flask) -> None:
    """Read SMTP settings from the environment (a ``config`` passed to create_app wins)."""
    env = os.environ
    app.config.setdefault("MAIL_SERVER", env.get("MAIL_SERVER", ""))
    app.config.setdefault("MAIL_PORT", int(env.get("MAIL_PORT") or 587))
    app.config.setdefault("MAIL_USE_TLS", _env_bool("MAIL_USE_TLS"))
    app.config.setdefault("MAIL_USE_SSL", _env_bool("MAIL_USE_SSL"))
    app.config.setdefault("MAIL_USERNAME", env.get("MAIL_USERNAME") or None)
    app.config.setdefault("MAIL_PASSWORD", env.get("MAIL_PASSWORD") or None)
    app.config.setdefault("MAIL_TIMEOUT", int(env.get("MAIL_TIMEOUT") or 20))
    app.config.setdefault("MAIL_FROM", env.get("MAIL_FROM", "Summit <no-reply@summit.local>"))
    app.config["MAIL_DEFAULT_SENDER"] = app.config["MAIL_FROM"]
    app.config.setdefault("MAIL_BACKEND", "smtp")
    mail.init_app(app)


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


class PermanentMailError(Exception):
    """The server refused for good (5xx): do not retry."""


class TemporaryMailError(Exception):
    """Try again later (4xx, no connection, time-out)."""


class MailServerUnreachable(TemporaryMailError):
    """No answer from the server at all (refused, timed out, hung up): the next messages would
    only wait the same ``MAIL_TIMEOUT``."""


def classify(exc: BaseException) -> Exception:
    code, detail = None, ""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = list(exc.recipients.values())
        if answers:
            code, detail = max(answers, key=lambda a: a[0])
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, detail = exc.smtp_code, exc.smtp_error
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    if code is not None:
        text = f"The mail server answered {code} {detail}".strip()
    else:
        text = f"Could not reach the mail server ({type(exc).__name__}: {exc})"
    text = text[:1000]
    if code is not None and 500 <= code < 600:
        return PermanentMailError(text)
    # 421: "service not available, closing the channel": the server is busy for everyone.
    if code in (None, 421) or isinstance(exc, smtplib.SMTPServerDisconnected):
        return MailServerUnreachable(text)
    return TemporaryMailError(text)


# --- building -----------------------------------------------------------------------------------


def from_address() -> str:
    return current_app.config.get("MAIL_FROM", "Summit <no-reply@summit.local>")


def event_ics(event) -> bytes:
    """The whole event as one all-day calendar entry (iCalendar, RFC 5545)."""
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    from summit.database import utcnow

    cal = Calendar()
    cal.add("prodid", "-//Summit//Summit//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    item = IcsEvent()
    host = current_app.config["BASE_URL"].split("://", 1)[-1].split("/", 1)[0] or "summit"
    item.add("uid", f"event-{event.id}@{host}")
    item.add("dtstamp", utcnow())
    item.add("summary", event.name)
    item.add("dtstart", event.start_date)
    item.add("dtend", event.end_date + timedelta(days=1))
    if event.venue:
        item.add("location", event.venue)
    item.add("url", absolute_url("events.event_page", slug=event.slug))
    if event.description:
        item.add("description", event.description[:2000])
    cal.add_component(item)
    return cal.to_ical()


QR_CID_DOMAIN = "summit.local"


def new_message(subject: str, to: str, message_id: str | None = None) -> EmailMessage:
    """An email with Summit's headers. The subject is made one line: it carries names people
    typed (an event's, a session's), which may hold line breaks that no header can."""
    message = EmailMessage()
    message["Subject"] = " ".join(str(subject).split())
    message["From"] = from_address()
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain=QR_CID_DOMAIN)
    return message


def build_email(recipient) -> EmailMessage:
    """The MIME message for an outbox row: text + HTML, inline QR code, attachments."""
    from summit.qr import qr_png

    attendee = recipient.attendee
    message = new_message(recipient.subject, recipient.to_address,
                          recipient.message_id_header)
    message["Auto-Submitted"] = "auto-generated"
    if recipient.optional:
        from summit.messages.services import preferences_url

        url = preferences_url(attendee)
        message["List-Unsubscribe"] = f"<{url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(recipient.body_text)
    specs = list(recipient.attachments or [])
    if recipient.body_html:
        message.add_alternative(recipient.body_html, subtype="html")
        if "qr" in specs:
            html_part = message.get_payload()[1]
            png = qr_png(attendee.checkin_url(current_app.config["BASE_URL"]), box_size=8)
            html_part.add_related(png, maintype="image", subtype="png", cid="<qr@summit>",
                                  filename="checkin-qr.png", disposition="inline")
    for spec in specs:
        if spec == "qr":
            continue
        if spec == "ics":
            message.add_attachment(event_ics(attendee.event), maintype="text",
                                   subtype="calendar", filename="event.ics",
                                   params={"method": "PUBLISH"})
        elif isinstance(spec, dict):
            maintype, _, subtype = spec.get("mimetype", "application/octet-stream").partition("/")
            message.add_attachment(base64.b64decode(spec["data"]), maintype=maintype,
                                   subtype=subtype or "octet-stream", filename=spec["filename"])
    return message


# --- sending ------------------------------------------------------------------------------------


def write_outbox(message: EmailMessage) -> Path:
    outbox = Path(current_app.config["OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = formatdate(usegmt=True)[5:25].replace(" ", "-").replace(":", "")
    path = outbox / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    return path


class SmtpInWebRequest(RuntimeError):
    """A web request tried to talk to the mail server: queue the email instead."""


class Sender:
    """Sends messages over one SMTP connection, opened on first use and kept for the next ones
    (a batch of 500 is one conversation, not 500), or to the outbox folder without SMTP.

    Use it in a ``with`` block; an error closes the connection and the next message opens a
    fresh one. Refuses to work inside a web request or while a database transaction is open.
    """

    def __init__(self):
        self.connection = None

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def send(self, message: EmailMessage) -> str | None:
        """Send one message. Returns the outbox file name when no SMTP server is configured.

        Raises ``PermanentMailError``, ``TemporaryMailError`` or ``MailServerUnreachable``.
        """
        if has_request_context() and g.get("job_id") is None:
            raise SmtpInWebRequest("email is sent by the job queue, never inside a web request "
                                   "(summit.messages.services.send_to_attendee queues it)")
        require_no_transaction(db.session, "talking to the mail server")
        if not smtp_configured():
            return write_outbox(message).name
        try:
            if self.connection is None:
                self.connection = mail.get_connection(fail_silently=False)
                self.connection.open()
            self.connection.connection.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise classify(exc) from exc
        return None

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):  # a broken connection must not hide an error
                self.connection.close()
            self.connection = None


def transmit(message: EmailMessage) -> str | None:
    """Send one message on a connection of its own (see ``Sender``)."""
    with Sender() as sender:
        return sender.send(message)


