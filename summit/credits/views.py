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
from summit.credits.forms import (
    AnswerRequestForm,
    BlockCreditForm,
    CorrectionForm,
    CorrectionRequestForm,
    CreditActionForm,
    CreditSettingsForm,
    ImportActivitiesForm,
    RevokeForm,
)
from summit.credits.models import Certificate, CreditRequest
from summit.database import begin_write
from summit.extensions import db
from summit.forms import typed
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
    form = CorrectionRequestForm()
    if request.method == "POST":  # CSRF checked for every POST (CSRFProtect)
        try:
            services.ask_correction(event, attendee, form.activity.data or "",
                                    form.message.data or "")
        except services.CreditError as exc:
            db.session.rollback()
            flash(translate(str(exc)), "error")
            status = 400
        else:
            db.session.commit()
            flash(_("Your request was sent to the organizers."), "success")
            return redirect(url_for("credits.ledger", slug=event.slug))
    context = {**_ledger_context(event, attendee), "form": typed(form)}
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


def _named_rows(event, form: CreditActionForm) -> dict:
    """The attendee, request and certificate the post names (``None`` for one not sent), each
    this event's whatever the action: a post naming another event's row, or a row that does
    not exist, is refused as a whole (404) before anything is done."""
    sent = typed(form)
    rows = {}
    for name, model in (("attendee_id", Attendee), ("request_id", CreditRequest),
                        ("certificate_id", Certificate)):
        if not sent[name]:
            rows[name] = None
            continue
        row = db.session.get(model, form[name].data) if form[name].data is not None else None
        if row is None or row.event_id != event.id:
            abort(404)
        rows[name] = row
    return rows


def _act(event, action: str, rows: dict, block_id: int | None) -> str:
    """Do what the organizer's form ``action`` asks; the flash message, or ``CreditError``."""
    if action == "settings":
        form = CreditSettingsForm()
        services.save_settings(event, form.values, by_user=current_user)
        upload = form.signature.data
        if upload and upload.filename:
            services.set_signature(event, upload.read(), by_user=current_user)
        return "Settings saved."
    if action == "remove_signature":
        services.remove_signature(event, by_user=current_user)
        return "Signature removed."
    if action == "block":
        form = BlockCreditForm()
        services.set_block_credit(event, block_id or 0, form.credit_minutes.data,
                                  form.evidence.data or "", by_user=current_user)
        return "Activity saved."
    if action == "import":
        upload = ImportActivitiesForm().file.data
        text = upload.read().decode("utf-8-sig", errors="replace") if upload else ""
        count = services.import_activities(event, text, by_user=current_user)
        return f"{count} activities imported."
    if action in ("grant", "remove"):
        if rows["attendee_id"] is None:
            abort(404)
        form = CorrectionForm()
        services.correct(event, rows["attendee_id"], form.activity.data or "",
                         granted=action == "grant", reason=form.reason.data or "",
                         by_user=current_user)
        return "Correction recorded."
    if action in ("answer_grant", "answer_decline"):
        if rows["request_id"] is None:
            abort(404)
        services.answer_request(event, rows["request_id"], grant=action == "answer_grant",
                                answer=AnswerRequestForm().answer.data or "",
                                by_user=current_user)
        return "Request answered."
    if action == "revoke":
        if rows["certificate_id"] is None:
            abort(404)
        services.revoke(event, rows["certificate_id"], RevokeForm().reason.data or "",
                        by_user=current_user)
        return "Certificate revoked."
    if action == "batch":
        batch = documents.start_batch(event, _secret(), by_user=current_user)
        return (f"Rendering {len(batch.certificate_ids)} certificates."
                if batch else "Nobody meets the requirements yet.")
    abort(400)


@bp.route("/admin/e/<slug>/credits", methods=["GET", "POST"])
@event_role(*ORGANIZER)
def manage(event):
    problems: dict = {}
    status = 200
    posted: dict = {}
    if request.method == "POST":  # CSRF checked for every POST (CSRFProtect)
        target = CreditActionForm()
        action = target.action.data or ""
        rows = _named_rows(event, target)
        try:
            if typed(target)["block_id"]:  # another event's block: refused, whatever the action
                services.program_block(event, target.block_id.data)
            message = _act(event, action, rows, target.block_id.data)
        except services.CreditError as exc:
            db.session.rollback()
            problems = exc.problems or {"form": str(exc)}
            flash(str(exc), "error")
            status = 400
            posted = _typed_for(action)
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
        "hours": rules.format_hours, "posted": posted,
    }
    return render_template("credits/manage.html", **context), status


# What was typed in the form that was refused, to show it again (with its action and ids).
_FORMS = {"settings": CreditSettingsForm, "block": BlockCreditForm, "grant": CorrectionForm,
          "remove": CorrectionForm, "answer_grant": AnswerRequestForm,
          "answer_decline": AnswerRequestForm, "revoke": RevokeForm}


def _typed_for(action: str) -> dict[str, str]:
    form_class = _FORMS.get(action)
    return {**typed(CreditActionForm()), **(typed(form_class()) if form_class else {})}


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

