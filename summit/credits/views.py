"""Learning credit's pages: the attendee's hours (My summit), their certificate, the public
verification page, and the organizer's credit page (settings, activities, corrections,
requests, exports). Thin: the rules are in ``rules``, the reading and writing in
``services``."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from summit.access import attendee_required, event_role, public
from summit.credits import documents, rules, services
from summit.credits.models import Certificate, CreditRequest
from summit.database import begin_write
from summit.extensions import db
from summit.i18n import translate
from summit.registration.api import Attendee
from summit.responses import csv_download, no_store, pdf_response

bp = Blueprint("credits", __name__)

ORGANIZER = ("organizer",)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


# --- My summit --------------------------------------------------------------------------------


def my_panel(event, attendee):
    if attendee.status != "registered" or not services.activities_of(event):
        return None
    book = services.ledger_for(event, attendee, _secret())
    return render_template("credits/_my_panel.html", event=event, book=book,
                           settings=services.settings_of(event), hours=rules.format_hours)


def _ledger_context(event, attendee) -> dict:
    """The ledger, and the certificate once the requirements are met: issued here when it is
    new or changed (the page then writes, ``begin_write``; otherwise it only reads)."""
    settings = services.settings_of(event)
    book = services.ledger_for(event, attendee, _secret())
    if services.needs_issuing(attendee, book, settings):
        begin_write(db.session)
        services.issue(event, attendee, book, settings)
        db.session.commit()
    certificate = services.current_certificate(attendee.id) if book.requirements_met else None
    return {"event": event, "attendee": attendee, "book": book, "settings": settings,
            "certificate": certificate, "hours": rules.format_hours,
            "evidence_labels": rules.EVIDENCE_LABELS, "requests": services.my_requests(attendee),
            "short_code": services.short_code}


@bp.route("/e/<slug>/credits", methods=["GET", "POST"])
@attendee_required
def ledger(event, attendee):
    """The attendee's learning hours: each activity, the evidence that counted, what is
    missing, and a correction request per activity."""
    if attendee.status != "registered":
        abort(404)
    status = 200
    if request.method == "POST":
        key = (request.form.get("activity") or "")[:16]
        try:
            services.ask_correction(event, attendee, key, request.form.get("message") or "")
        except services.CreditError as exc:
            db.session.rollback()
            flash(translate(str(exc)), "error")
            status = 400
        else:
            db.session.commit()
            flash(_("Your request was sent to the organizers."), "success")
            return redirect(url_for("credits.ledger", slug=event.slug))
    context = _ledger_context(event, attendee)
    return no_store(current_app.make_response(
        (render_template("credits/ledger.html", **context), status)))


@bp.route("/e/<slug>/credits/certificate.pdf")
@attendee_required
def certificate_pdf(event, attendee):
    if attendee.status != "registered":
        abort(404)
    certificate = _ledger_context(event, attendee)["certificate"]
    if certificate is None:
        abort(404)
    pdf = documents.render_one(event, certificate, base_url=current_app.config["BASE_URL"])
    return no_store(pdf_response(pdf, f"certificate-{event.slug}.pdf", attachment=True))


# --- the public verification page ----------------------------------------------------------


@bp.route("/verify/<secret:code>")
@public
def verify(code: str):
    certificate = services.find_certificate(code)
    response = current_app.make_response((render_template(
        "credits/verify.html", certificate=certificate,
        event=certificate and documents.event_of(certificate),
        hours=rules.format_hours), 200 if certificate else 404))
    response.headers["X-Robots-Tag"] = "noindex"
    return no_store(response)


# --- the organizer's page ----------------------------------------------------------------------


def _int(name: str) -> int | None:
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        return None


@bp.route("/admin/e/<slug>/credits", methods=["GET", "POST"])
@event_role(*ORGANIZER)
def manage(event):
    problems: dict = {}
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "settings":
                services.save_settings(event, {
                    **{name: (request.form.get(name) or "")[:200]
                       for name in services.SETTINGS_TEXT},
                    "arrival_window": _int("arrival_window"),
                    "exit_min_share": _int("exit_min_share"),
                    "retention_years": _int("retention_years"),
                    "rounding": request.form.get("rounding") or "",
                    "exit_scan": request.form.get("exit_scan") == "1",
                    "feedback_required": request.form.get("feedback_required") == "1",
                }, by_user=current_user)
                upload = request.files.get("signature")
                if upload and upload.filename:
                    services.set_signature(event, upload.read(), by_user=current_user)
                message = "Settings saved."
            elif action == "remove_signature":
                services.remove_signature(event, by_user=current_user)
                message = "Signature removed."
            elif action == "block":
                services.set_block_credit(event, _int("block_id") or 0, _int("credit_minutes"),
                                          request.form.get("evidence") or "",
                                          by_user=current_user)
                message = "Activity saved."
            elif action == "import":
                upload = request.files.get("file")
                text = upload.read().decode("utf-8-sig", errors="replace") if upload else ""
                count = services.import_activities(event, text, by_user=current_user)
                message = f"{count} activities imported."
            elif action in ("grant", "remove"):
                attendee = db.session.get(Attendee, _int("attendee_id") or 0)
                if attendee is None or attendee.event_id != event.id:
                    abort(404)
                services.correct(event, attendee, (request.form.get("activity") or "")[:16],
                                 granted=action == "grant",
                                 reason=request.form.get("reason") or "", by_user=current_user)
                message = "Correction recorded."
            elif action in ("answer_grant", "answer_decline"):
                row = db.session.get(CreditRequest, _int("request_id") or 0)
                if row is None or row.event_id != event.id:
                    abort(404)
                services.answer_request(event, row, grant=action == "answer_grant",
                                        answer=request.form.get("answer") or "",
                                        by_user=current_user)
                message = "Request answered."
            elif action == "revoke":
                row = db.session.get(Certificate, _int("certificate_id") or 0)
                if row is None or row.event_id != event.id:
                    abort(404)
                services.revoke(event, row, request.form.get("reason") or "",
                                by_user=current_user)
                message = "Certificate revoked."
            elif action == "batch":
                batch = documents.start_batch(event, _secret(), by_user=current_user)
                message = (f"Rendering {len(batch.certificate_ids)} certificates."
                           if batch else "Nobody meets the requirements yet.")
            else:
                abort(400)
        except services.CreditError as exc:
            db.session.rollback()
            problems = exc.problems or {"form": str(exc)}
            flash(str(exc), "error")
            status = 400
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("credits.manage", slug=event.slug))
    context = {
        "event": event, "settings": services.settings_of(event), "problems": problems,
        "blocks": services.blocks_for_editing(event), "activities": services.activities_of(event),
        "requests": services.requests_of(event), "rounding": rules.ROUNDING,
        "evidence": rules.EVIDENCE, "batches": documents.batches_of(event),
        "attendees": {a.id: a for a in services.registered_attendees(event)},
        "hours": rules.format_hours,
    }
    return render_template("credits/manage.html", **context), status


@bp.route("/admin/e/<slug>/credits/export.csv")
@event_role(*ORGANIZER)
def export(event):
    summary = request.args.get("summary") == "1"
    if summary:  # the summary names each certificate: those due are issued first
        begin_write(db.session)
    columns, rows = documents.export_rows(event, _secret(), summary=summary,
                                          base_url=current_app.config["BASE_URL"])
    db.session.commit()
    name = f"credits-{event.slug}-{'summary' if summary else 'activities'}.csv"
    return csv_download(rows, columns, name)


@bp.route("/admin/e/<slug>/credits/batches/<int:credit_batch_id>.pdf")
@event_role(*ORGANIZER)
def batch_pdf(event, credit_batch_id: int):
    batch = documents.batch_of(event, credit_batch_id)
    if batch is None or batch.pdf is None:
        abort(404)
    return no_store(pdf_response(batch.pdf, f"certificates-{event.slug}.pdf", attachment=True))


@bp.route("/admin/e/<slug>/credits/batches")
@event_role(*ORGANIZER)
def batches(event):
    """The batches' progress (polled by the page while one renders)."""
    return render_template("credits/_batches.html", event=event,
                           batches=documents.batches_of(event))

