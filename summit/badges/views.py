"""Badge pages: batch printing with a live progress bar, the badge desk (print one badge,
correct its text, register a walk-in), the event logo and calibration sheets.

Everything lives under ``/admin/e/<slug>/badges``. Batches render in the background job
``badges.batch`` (:mod:`summit.badges.tasks`), never inside a request; a single badge renders
in the request (well under a second).
"""

from __future__ import annotations

from urllib.parse import urlsplit

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
from flask_login import current_user

from summit.access import event_role
from summit.badges import services
from summit.badges.forms import BatchForm, CorrectForm, PrintForm, StocksForm, WalkInForm
from summit.badges.models import RIBBONS, BadgeBatch
from summit.badges.stocks import STOCKS, get_stock
from summit.events.models import Event, Organization
from summit.extensions import db
from summit.forms import first_errors, typed
from summit.registration import api as registration
from summit.registration.api import Attendee
from summit.responses import is_htmx, no_store, pdf_response

bp = Blueprint("badges", __name__, url_prefix="/admin/e/<slug>/badges")



def _base_url() -> str:
    return current_app.config["BASE_URL"]


def _is_organizer(event: Event) -> bool:
    return current_user.has_role(event.id, "organizer")


@bp.app_template_global("badge_text")
def badge_text_global(attendee: Attendee) -> dict[str, str]:
    return services.badge_text(attendee, services.override_for(attendee))


@bp.app_template_global("badge_stocks")
def badge_stocks_global():
    return list(STOCKS.values())


@bp.app_template_global("badge_ribbons")
def badge_ribbons_global():
    return RIBBONS


@bp.app_template_global("badge_last_print")
def badge_last_print_global(attendee: Attendee):
    rows = services.print_history([attendee.id]).get(attendee.id)
    return (rows[0], len(rows)) if rows else (None, 0)


def badges_panel(event):
    if not current_user.has_role(event.id, "organizer", "checkin"):
        return None
    return render_template("badges/_home_panel.html", event=event,
                           counts=services.print_counts(event))


# --- main page --------------------------------------------------------------------------------


def _index_context(event: Event, **extra) -> dict:
    organizer = _is_organizer(event)
    settings = services.settings_for(event)
    context = {
        "event": event,
        "organizer": organizer,
        "counts": services.print_counts(event),
        "settings": settings,
        "batch_stock": services.batch_stock(event),
        "desk_stock": services.desk_stock(event),
        "batches": services.recent_batches(event) if organizer else [],
        "choices": services.filter_choices(event) if organizer else {},
        "walkin_form": extra.pop("walkin_form", None) or WalkInForm(),
        "batch_values": extra.pop("batch_values", {}),
    }
    context.update(extra)
    return context


@bp.route("")
@event_role("organizer", "checkin")
def index(event):
    return no_store(Response(render_template("badges/index.html",
                                              **_index_context(event))))


# --- batches ----------------------------------------------------------------------------------


def _selection_from(form: BatchForm) -> services.Selection:
    """The batch form's selection; raises ``BadgeError`` with a message for the organizer."""
    if not form.validate():
        raise services.BadgeError(next(iter(first_errors(form).values())))
    org_id = form.organization_id.data
    if org_id is not None and db.session.get(Organization, org_id) is None:
        raise services.BadgeError("Choose a district from the list.")
    return services.Selection(
        organization_id=org_id, role=form.role.data or "", registered_since=form.since,
        only_unprinted=form.unprinted_only, attendee_ids=form.picked_ids,
    )


@bp.route("/batches/preview")
@event_role("organizer")
def batch_preview(event):
    try:
        selection = _selection_from(BatchForm(formdata=request.args, meta={"csrf": False}))
    except services.BadgeError as exc:
        return render_template("badges/_batch_preview.html", error=str(exc))
    count = services.count_selection(event, selection)
    stock = get_stock(services.stock_or_default(request.args.get("stock"),
                                                services.batch_stock(event)))
    return render_template("badges/_batch_preview.html", count=count, stock=stock,
                           sheets=-(-count // stock.per_page))


@bp.route("/batches", methods=["POST"])
@event_role("organizer")
def create_batch(event):
    form = BatchForm()
    stock = services.stock_or_default(form.stock.data, services.batch_stock(event))
    try:
        selection = _selection_from(form)
        batch = services.create_batch(event, selection, stock, user_id=current_user.id,
                                      base_url=_base_url())
    except services.BadgeError as exc:
        db.session.rollback()
        return render_template("badges/index.html", **_index_context(
            event, batch_error=str(exc), batch_values=typed(form))), 422
    services.set_stocks(event, batch=stock)
    db.session.commit()
    left_out = len(set(selection.attendee_ids)) - batch.count if selection.attendee_ids else 0
    if left_out > 0:
        flash(f"{left_out} of the people ticked {'is' if left_out == 1 else 'are'} not "
              "registered (waitlisted, cancelled or not of this event): no badge for them.",
              "warning")
    return redirect(url_for("badges.batch", slug=event.slug, batch_id=batch.id), 303)


def _batch_or_404(event: Event, batch_id: int) -> BadgeBatch:
    batch = db.session.get(BadgeBatch, batch_id)
    if batch is None or batch.event_id != event.id:
        abort(404)
    return batch


@bp.route("/batches/<int:batch_id>")
@event_role("organizer", "checkin")
def batch(event, batch_id: int):
    batch = _batch_or_404(event, batch_id)
    context = {"event": event, "batch": batch, "job": batch.job,
               "stock": get_stock(batch.stock), "organizer": _is_organizer(event)}
    if is_htmx():
        return no_store(Response(render_template("badges/_batch_status.html", **context)))
    return no_store(Response(render_template("badges/batch.html", **context)))


@bp.route("/batches/<int:batch_id>/download")
@event_role("organizer", "checkin")
def download_batch(event, batch_id: int):
    batch = _batch_or_404(event, batch_id)
    if not batch.ready or batch.pdf is None:
        abort(404)
    return no_store(pdf_response(batch.pdf, batch.filename, attachment=True))


@bp.route("/batches/<int:batch_id>/retry", methods=["POST"])
@event_role("organizer")
def retry_batch(event, batch_id: int):
    from summit.jobs import retry

    batch = _batch_or_404(event, batch_id)
    if batch.job is not None and batch.job.status == "failed":
        retry(batch.job)
        db.session.commit()
        flash("The batch is queued again.", "success")
    return redirect(url_for("badges.batch", slug=event.slug, batch_id=batch.id), 303)


@bp.route("/calibration/<stock>.pdf")
@event_role("organizer", "checkin")
def calibration(event, stock: str):
    from summit.badges.render import render_calibration

    if stock not in STOCKS:
        abort(404)
    return pdf_response(render_calibration(stock), f"calibration-{stock}.pdf")


# --- settings: logo and stocks ----------------------------------------------------------------


@bp.route("/logo", methods=["POST"])
@event_role("organizer")
def upload_logo(event):
    upload = request.files.get("logo")
    data = upload.read(services.LOGO_MAX_BYTES + 1) if upload else b""
    try:
        services.set_logo(event, data)
    except services.BadgeError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return render_template("badges/index.html", **_index_context(
            event, logo_error=str(exc))), 422
    db.session.commit()
    flash("The logo is saved; it prints on every badge from now on.", "success")
    return redirect(url_for("badges.index", slug=event.slug) + "#setup", 303)


@bp.route("/logo/remove", methods=["POST"])
@event_role("organizer")
def remove_logo(event):
    if services.remove_logo(event):
        db.session.commit()
        flash("The logo is removed from the badges.", "success")
    return redirect(url_for("badges.index", slug=event.slug) + "#setup", 303)


@bp.route("/logo.png")
@event_role("organizer", "checkin")
def logo(event):
    settings = services.settings_for(event)
    if settings is None or not settings.logo_mime:
        abort(404)
    return no_store(Response(settings.logo, mimetype=settings.logo_mime))


@bp.route("/settings", methods=["POST"])
@event_role("organizer")
def save_settings(event):
    form = StocksForm()
    desk, batch_ = form.desk_stock.data, form.batch_stock.data
    services.set_stocks(event, desk=desk if desk in STOCKS else None,
                        batch=batch_ if batch_ in STOCKS else None)
    db.session.commit()
    flash("Badge stocks saved.", "success")
    return redirect(url_for("badges.index", slug=event.slug) + "#setup", 303)


# --- the desk: one badge ----------------------------------------------------------------------


def _attendee_or_404(event: Event, attendee_id: int) -> Attendee:
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != event.id:
        abort(404)
    return attendee


@bp.route("/desk/search")
@event_role("organizer", "checkin")
def desk_search(event):
    q = (request.args.get("q") or "").strip()[:100]
    rows = []
    if q:
        rows = registration.search(event, q, limit=15)
    history = services.print_history([a.id for a in rows])
    return no_store(Response(render_template(
        "badges/_desk_results.html", event=event, rows=rows, q=q, history=history)))


def _safe_next(form, default: str) -> str:
    target = form.next.data or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


@bp.route("/attendees/<int:attendee_id>/print", methods=["POST"])
@event_role("organizer", "checkin")
def print_badge(event, attendee_id: int):
    attendee = _attendee_or_404(event, attendee_id)
    form = PrintForm()
    stock = services.stock_or_default(form.stock.data, services.desk_stock(event))
    if attendee.status != "registered":
        message = (f"{attendee.full_name} is {attendee.status}: give them a place before "
                   "printing a badge.")
        if is_htmx():
            return render_template("badges/_print_result.html", event=event,
                                   attendee=attendee, error=message), 409
        flash(message, "error")
        return redirect(_safe_next(form, url_for("badges.index", slug=event.slug)), 303)
    services.record_prints(event, [attendee.id], stock, by_user_id=current_user.id,
                           source="desk")
    db.session.commit()
    pdf_url = url_for("badges.badge_pdf", slug=event.slug, attendee_id=attendee.id, stock=stock)
    if not is_htmx():
        return redirect(pdf_url, 303)
    return render_template("badges/_print_result.html", event=event, attendee=attendee,
                           pdf_url=pdf_url, stock=get_stock(stock))


@bp.route("/attendees/<int:attendee_id>/badge.pdf")
@event_role("organizer", "checkin")
def badge_pdf(event, attendee_id: int):
    attendee = _attendee_or_404(event, attendee_id)
    if attendee.status != "registered":
        abort(404)
    stock = services.stock_or_default(request.args.get("stock"), services.desk_stock(event))
    pdf = services.render_one(event, attendee, _base_url(), stock)
    response = pdf_response(pdf, f"badge-{attendee.id}.pdf")
    # The desk page loads this into a hidden same-origin frame and calls print() on it.
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    return no_store(response)


@bp.route("/attendees/<int:attendee_id>/correct", methods=["POST"])
@event_role("organizer", "checkin")
def correct(event, attendee_id: int):
    attendee = _attendee_or_404(event, attendee_id)
    form = CorrectForm()
    changes = form.posted(services.CORRECTABLE)
    error = message = None
    try:
        changed = services.correct_badge(attendee, changes, user_id=current_user.id,
                                         allow_ribbon=_is_organizer(event))
    except services.BadgeError as exc:
        db.session.rollback()
        error, changed = str(exc), False
    else:
        db.session.commit()
        message = "Badge text saved (logged)." if changed else "Nothing changed."
    if is_htmx():
        return render_template("badges/_correct_form.html", event=event, attendee=attendee,
                               message=message, error=error, next=form.next.data
                               ), 422 if error else 200
    flash(error or message, "error" if error else "success")
    return redirect(_safe_next(form, url_for("badges.index", slug=event.slug)), 303)


@bp.route("/walk-in", methods=["POST"])
@event_role("organizer", "checkin")
def walk_in(event):
    form = WalkInForm()
    attendee = error = None
    status = 200
    if form.validate_on_submit():
        data = registration.NewRegistration(
            first_name=form.first_name.data, last_name=form.last_name.data,
            email=form.email.data, organization=form.organization.data,
            state=form.state.data, role=form.role.data)
        try:
            attendee = registration.register(event, data, source="walk-in")
        except registration.RegistrationError as exc:
            db.session.rollback()
            error, status = str(exc), 409
        else:
            if attendee.status == "registered":
                stock = services.desk_stock(event)
                services.record_prints(event, [attendee.id], stock,
                                       by_user_id=current_user.id, source="walk-in")
            db.session.commit()
    else:
        status = 422
    context = {"event": event, "form": form, "attendee": attendee, "error": error}
    if attendee is not None:
        context["form"] = WalkInForm(formdata=None)
        if attendee.status == "registered":
            stock = services.desk_stock(event)
            context["pdf_url"] = url_for("badges.badge_pdf", slug=event.slug,
                                         attendee_id=attendee.id, stock=stock)
            context["stock"] = get_stock(stock)
    if is_htmx():
        return render_template("badges/_walkin.html", **context), status
    if attendee is not None and attendee.status == "registered":
        return redirect(context["pdf_url"], 303)
    return render_template("badges/index.html", **_index_context(
        event, walkin_form=form, walkin_error=error, walkin_attendee=attendee)), status
