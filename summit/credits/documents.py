"""What credit produces for people: certificate PDFs (one, or a batch in a job with progress),
the exports for the provider, and certificates by email after the event.

PDFs render with no transaction open (read, commit, render, then record the result in a short
write transaction), as badges do. ``summit.credits.render`` (WeasyPrint) is imported where a
PDF is made, so web workers start without WeasyPrint, as badges' do.
"""

from __future__ import annotations

import os
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from summit import jobs
from summit.credits import rules, services
from summit.credits.models import Certificate, CertificateBatch
from summit.database import require_no_transaction, utcnow, write_transaction
from summit.events.models import Event
from summit.extensions import db
from summit.i18n import attendee_locale
from summit.messages.api import send_to_attendee
from summit.registration.api import Attendee

BATCH_JOB = "credits.certificates"
EMAIL_JOB = "credits.email"

ACTIVITY_COLUMNS = ("email", "first_name", "last_name", "organization", "role", "activity",
                    "date", "start", "end", "evidence", "credited_minutes")
SUMMARY_COLUMNS = ("email", "first_name", "last_name", "organization", "role", "total_hours",
                   "requirements_met", "certificate_code", "verify_url")


def verify_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{code}"


def _dates(event: Event) -> str:
    first, last = event.start_date, event.end_date
    if first == last:
        return first.isoformat()
    return f"{first.isoformat()} – {last.isoformat()}"


def certificate_event(event: Event, lang: str = "en"):
    from summit.credits.render import CertificateEvent

    settings = services.settings_of(event)
    signature = db.session.scalar(select(type(settings).signature).where(
        type(settings).id == settings.id))
    with force_locale(lang):
        labels = {
            "title": _("Certificate of professional learning"),
            "certifies": _("This certifies that"),
            "earned": _("took part and earned"),
            "date": _("Date"), "activity": _("Activity"), "hours": _("Hours"),
            "verify": _("Check this certificate: scan the code or open the address with this "
                        "code."),
            "provider": _("Provider"), "activity_number": _("Activity number"),
        }
    return CertificateEvent(
        name=event.name, dates=_dates(event), venue=getattr(event, "venue", "") or "",
        credit_name=settings.credit_name, provider=settings.provider_name,
        activity_number=settings.activity_number, signer_name=settings.signer_name,
        signer_title=settings.signer_title, signature_png=signature, labels=labels)


def certificate_page(certificate: Certificate, base_url: str, lang: str = "en"):
    from summit.credits.render import CertificatePage

    return CertificatePage(
        name=certificate.name, organization=certificate.organization,
        total_hours=rules.format_hours(certificate.total_minutes),
        code=services.short_code(certificate.code),
        verify_url=verify_url(base_url, certificate.code),
        activities=tuple((a["date"], a["title"], rules.format_hours(a["minutes"]))
                         for a in certificate.activities),
        lang=lang)


def render_one(event: Event, certificate: Certificate, *, base_url: str) -> bytes:
    attendee = db.session.get(Attendee, certificate.attendee_id) \
        if certificate.attendee_id else None
    lang = attendee_locale(attendee) if attendee else "en"
    page = certificate_page(certificate, base_url, lang)
    document = certificate_event(event, lang)
    db.session.commit()
    require_no_transaction(db.session, "rendering a certificate")
    from summit.credits.render import render_chunk

    return render_chunk([page], document)


# --- exports ---------------------------------------------------------------------------------


def export_rows(event: Event, secret_key: str, *, summary: bool, base_url: str
                ) -> tuple[tuple[str, ...], list[dict]]:
    """The provider's files: one row per person per credited activity, or with ``summary``
    one row per person (``total_hours`` after rounding)."""
    rows = []
    for attendee, book in services.ledgers_of(event, secret_key):
        person = {"email": attendee.email, "first_name": attendee.first_name,
                  "last_name": attendee.last_name,
                  "organization": attendee.organization.name if attendee.organization else "",
                  "role": attendee.role or ""}
        if summary:
            certificate = services.issue(event, attendee, book)
            rows.append({**person, "total_hours": rules.format_hours(book.total_minutes),
                         "requirements_met": "yes" if book.requirements_met else "no",
                         "certificate_code": certificate.code if certificate else "",
                         "verify_url": verify_url(base_url, certificate.code)
                         if certificate else ""})
            continue
        for line in book.lines:
            if line.minutes <= 0:
                continue
            activity = line.activity
            rows.append({**person, "activity": activity.title,
                         "date": activity.starts.date().isoformat(),
                         "start": activity.starts.strftime("%H:%M"),
                         "end": activity.ends.strftime("%H:%M"),
                         "evidence": line.evidence or "",
                         "credited_minutes": 0 if line.locked else line.minutes})
    return (SUMMARY_COLUMNS if summary else ACTIVITY_COLUMNS), rows


# --- batches -----------------------------------------------------------------------------------


def batches_of(event: Event) -> list[CertificateBatch]:
    return list(db.session.scalars(select(CertificateBatch).where(
        CertificateBatch.event_id == event.id).order_by(CertificateBatch.id.desc()).limit(5)))


def batch_of(event: Event, batch_id: int) -> CertificateBatch | None:
    batch = db.session.get(CertificateBatch, batch_id)
    return batch if batch is not None and batch.event_id == event.id else None


def start_batch(event: Event, secret_key: str, *, by_user=None) -> CertificateBatch | None:
    """Issue everyone's certificate and queue one PDF of them all (the caller commits)."""
    issued = services.issue_all(event, secret_key)
    if not issued:
        return None
    job = jobs.enqueue(BATCH_JOB, event_id=event.id, params={})
    batch = CertificateBatch(event_id=event.id, job_id=job.id,
                             certificate_ids=[c.id for c in issued], status="queued",
                             created_at=utcnow())
    db.session.add(batch)
    db.session.flush()
    job.params = {"batch_id": batch.id, "base_url": current_app.config["BASE_URL"]}
    return batch


def certificates_pdf(event: Event, certificates: list[Certificate], *, base_url: str,
                     progress=None, processes: int | None = None) -> bytes:
    pages = [certificate_page(c, base_url) for c in certificates]
    document = certificate_event(event)
    db.session.commit()
    require_no_transaction(db.session, "rendering certificates")
    from summit.credits.render import render_certificates

    return render_certificates(pages, document, progress=progress, processes=processes)


def batch_job(job, report_progress) -> str:
    batch = db.session.get(CertificateBatch, int(job.params["batch_id"]))
    if batch is None:
        return "batch deleted before it ran"
    event = db.session.get(Event, batch.event_id)
    ids = list(batch.certificate_ids)
    rows = {c.id: c for c in db.session.scalars(select(Certificate).where(
        Certificate.id.in_(ids)))}
    certificates = [rows[i] for i in ids if i in rows]
    batch_id = batch.id
    processes = current_app.config.get("BADGES_PROCESSES") or os.environ.get("BADGES_PROCESSES")
    report_progress(0, len(certificates), force=True)
    pdf = certificates_pdf(event, certificates,
                           base_url=job.params.get("base_url") or current_app.config["BASE_URL"],
                           progress=report_progress,
                           processes=int(processes) if processes else None)
    with write_transaction(db.session):
        batch = db.session.get(CertificateBatch, batch_id)
        batch.pdf, batch.pdf_size = pdf, len(pdf)
        batch.status = "done"
        batch.finished_at = utcnow()
    return f"certificate batch {batch_id}: {len(certificates)} certificates"


# --- email after the event ----------------------------------------------------------------------


def email_certificates(event: Event, secret_key: str, today: date | None = None) -> int:
    """Once the event has ended: queue each person's certificate email (in their language,
    through the outbox; once per certificate). The caller commits; returns how many."""
    today = today or date.today()
    if event.end_date >= today:
        return 0
    count = 0
    base_url = current_app.config["BASE_URL"]
    for attendee, book in services.ledgers_of(event, secret_key):
        certificate = services.issue(event, attendee, book)
        if certificate is None or certificate.emailed_at is not None:
            continue
        with force_locale(attendee_locale(attendee)):
            subject = _("Your certificate of professional learning: %(event)s",
                        event=event.name)
        queued = send_to_attendee(
            attendee, f"credits-certificate:{certificate.code}", subject,
            "credits/email_certificate",
            {"hours": rules.format_hours(certificate.total_minutes),
             "credit_name": certificate.credit_name,
             "verify_url": verify_url(base_url, certificate.code),
             "code": services.short_code(certificate.code)})
        certificate.emailed_at = utcnow()
        count += queued is not None
    return count


def email_job(job, report_progress) -> str:
    with write_transaction(db.session):
        event = db.session.get(Event, int(job.params["event_id"]))
        count = email_certificates(event, current_app.config["SECRET_KEY"]) if event else 0
    return f"{count} certificate emails queued"


def event_of(certificate: Certificate) -> Event:
    return db.session.get(Event, certificate.event_id)


def recently_ended(today: date | None = None, days: int = 30) -> list[Event]:
    """Events whose last day was within the last ``days`` days (before today)."""
    today = today or date.today()
    return [e for e in db.session.scalars(select(Event).order_by(Event.id))
            if 0 < (today - e.end_date).days <= days]
