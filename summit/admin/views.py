"""The organizer's pages: events, attendees (live search, edit, waitlist), import, export, log."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from summit import audit, signals
from summit.access import clear_api_auth_cache, event_role, global_role, staff_required
from summit.admin import exports
from summit.audit import AuditLog
from summit.auth import services as auth_services
from summit.auth.models import STAFF_ROLE_LABELS, EventRole, StaffUser
from summit.badges import services as badge_services
from summit.events.forms import COMMON_TIMEZONES, EventForm
from summit.events.models import Event
from summit.events.services import EventError, create_event, to_local_naive, to_utc
from summit.extensions import db
from summit.homerooms.api import table_labels_for
from summit.messages import services as messages
from summit.panels import event_home_panels, event_nav, next_steps
from summit.personal_fields import visible_columns
from summit.registration import csv_io, services
from summit.registration.api import personal_link
from summit.registration.models import Attendee
from summit.responses import csv_download, is_htmx

from . import queries
from .forms import AttendeeForm, AttendeeSearchForm, ImportForm, StaffRoleForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.app_context_processor
def inject_event_nav():
    def nav_for(event) -> dict:
        """The signed-in staff member's navigation for ``event``, and where this page sits in
        it: the item whose address is the longest prefix of this page's address (a session
        page sits under Breakouts, a badge batch under Badges)."""
        if not current_user.is_authenticated:
            return {"groups": (), "flat": True, "active": None, "active_group": None}
        nav = event_nav(event, current_user)
        links = [(url_for(item.endpoint, slug=event.slug), item) for item in nav.items]
        path = request.path.rstrip("/") + "/"
        matches = [(len(url), item) for url, item in links
                   if path.startswith(url.rstrip("/") + "/")]
        active = max(matches, key=lambda m: m[0])[1] if matches else None
        return {"groups": nav.groups, "flat": nav.flat, "links": dict((i.endpoint, u)
                                                                       for u, i in links),
                "active": active.endpoint if active else None,
                "active_group": nav.group_of(active.endpoint if active else None)}

    return {"event_nav": nav_for}


@bp.route("/")
@staff_required
def home():
    events = db.session.scalars(select(Event).order_by(Event.start_date.desc())).all()
    visible = [e for e in events if current_user.roles_for(e.id)]
    can_create = any(r.role == "organizer" and r.event_id is None for r in current_user.roles)
    return render_template("admin/home.html", events=visible, can_create=can_create)


def _event_from_form(form: EventForm, event: Event) -> None:
    event.name = form.name.data.strip()
    event.venue = (form.venue.data or "").strip()
    event.timezone = form.timezone.data
    event.start_date = form.start_date.data
    event.days = form.days.data
    event.capacity = form.capacity.data
    event.registration_opens_at = to_utc(form.registration_opens_at.data, event.timezone)
    event.registration_closes_at = to_utc(form.registration_closes_at.data, event.timezone)
    event.retention_days = form.retention_days.data
    event.description = form.description.data or ""


@bp.route("/events/new", methods=["GET", "POST"])
@global_role("organizer")
def new_event():
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = create_event(form.slug.data, form.name.data.strip(), form.start_date.data)
        except EventError as exc:
            form.slug.errors.append(str(exc))
        else:
            _event_from_form(form, event)
            db.session.commit()
            flash(f"{event.name} is created. Registration is at /e/{event.slug}/register.",
                  "success")
            return redirect(url_for("admin.event_home", slug=event.slug))
    return render_template("admin/event_form.html", form=form, event=None,
                           timezones=COMMON_TIMEZONES), 400 if request.method == "POST" else 200


@bp.route("/e/<slug>/")
@event_role("organizer", "checkin", "facilitator")
def event_home(event):
    is_organizer = current_user.has_role(event.id)
    return render_template("admin/event_home.html", event=event,
                           counts=queries.event_counts(event), panels=event_home_panels(event),
                           steps=next_steps(event) if is_organizer else [],
                           is_organizer=is_organizer)


@bp.route("/e/<slug>/settings", methods=["GET", "POST"])
@event_role("organizer")
def event_settings(event):
    form = EventForm(obj=event)
    if request.method == "GET":
        form.registration_opens_at.data = to_local_naive(event.registration_opens_at,
                                                         event.timezone)
        form.registration_closes_at.data = to_local_naive(event.registration_closes_at,
                                                          event.timezone)
    form.slug.data = event.slug  # the address does not change once shared
    if form.validate_on_submit():
        before = {"name": event.name, "capacity": event.capacity, "days": event.days}
        _event_from_form(form, event)
        old, new = audit.diff(before, {"name": event.name, "capacity": event.capacity,
                                       "days": event.days})
        audit.record("event.updated", event_id=event.id, target=event, before=old, after=new)
        promoted = []
        while (p := services.promote_next(event)) is not None:
            promoted.append(p)
        event.bump()
        db.session.commit()
        message = "Saved."
        if promoted:
            who = "person" if len(promoted) == 1 else "people"
            message += f" {len(promoted)} waitlisted {who} got a place."
        flash(message, "success")
        return redirect(url_for("admin.event_settings", slug=event.slug))
    return render_template("admin/event_form.html", form=form, event=event,
                           timezones=COMMON_TIMEZONES), 400 if request.method == "POST" else 200


@bp.route("/e/<slug>/attendees", methods=["GET", "POST"])
@event_role("organizer")
def attendees(event):
    # The search text (names, emails) is only read from a POST body, so it never lands in an
    # address, the browser history or an access log; the other filters are not personal.
    if request.method == "POST":
        form = AttendeeSearchForm()
        form.validate()  # nothing is refused: see AttendeeSearchForm
        filters = queries.AttendeeFilters.from_args(form.filters_data)
    else:
        filters = queries.AttendeeFilters.from_args(request.args)
        filters.q = ""
    rows, total = queries.search_attendees(event, filters)
    context = {
        "event": event, "rows": rows, "total": total, "filters": filters,
        "checked_in": queries.checked_in_ids(event, [a.id for a in rows]),
        "homerooms": table_labels_for(event, [a.id for a in rows]),
        "page_size": queries.PAGE_SIZE,
    }
    if is_htmx():
        response = make_response(render_template("admin/_attendee_results.html", **context))
        response.headers["HX-Replace-Url"] = url_for("admin.attendees", slug=event.slug,
                                                     **filters.address_args())
        return response
    return render_template("admin/attendees.html", choices=queries.filter_choices(event),
                           counts=queries.event_counts(event),
                           batch_stock=badge_services.batch_stock(event), **context)


def _attendee_or_404(event: Event, attendee_id: int) -> Attendee:
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != event.id:
        abort(404)
    return attendee


@bp.route("/e/<slug>/attendees/<int:attendee_id>", methods=["GET", "POST"])
@event_role("organizer")
def attendee(event, attendee_id: int):
    person = _attendee_or_404(event, attendee_id)
    # On a POST every value comes from the form: a missing field must not fall back to the
    # model's attribute (``organization`` is an object there, not text).
    form = AttendeeForm(obj=person) if request.method == "GET" else AttendeeForm()
    if request.method == "GET":
        form.organization.data = person.organization_name
        form.state.data = person.state
    status = 200
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in services.EDITABLE_FIELDS}
        changes["dietary"] = changes["dietary"] or ""
        changes["accessibility"] = changes["accessibility"] or ""
        changes["role"] = changes["role"] or ""
        try:
            changed = services.update_attendee(person, changes)
        except services.RegistrationError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
            status = 409
        else:
            db.session.commit()
            flash("Saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("admin.attendee", slug=event.slug, attendee_id=person.id))
    elif request.method == "POST":
        status = 400
    history = db.session.scalars(
        select(AuditLog).where(AuditLog.target_type == "attendee",
                               AuditLog.target_id == person.id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(50)
    ).all()
    return render_template(
        "admin/attendee.html", event=event, person=person, form=form, history=history,
        rank=services.waitlist_rank(person), link=personal_link(person),
        checkin_url=person.checkin_url(current_app.config["BASE_URL"]),
        checked_in=queries.checked_in_ids(event, [person.id]).get(person.id),
        homeroom=table_labels_for(event, [person.id]).get(person.id),
    ), status


@bp.route("/e/<slug>/attendees/<int:attendee_id>/<action>", methods=["POST"])
@event_role("organizer")
def attendee_action(event, attendee_id: int, action: str):
    person = _attendee_or_404(event, attendee_id)
    if action == "promote":
        try:
            services.promote(person)
        except services.RegistrationError as exc:
            flash(str(exc), "error")
        else:
            flash(f"{person.full_name} now has a place.", "success")
    elif action == "cancel":
        promoted = services.cancel(person)
        flash(f"{person.full_name}'s registration is cancelled."
              + (f" {promoted.full_name} got the place from the waitlist." if promoted else ""),
              "success")
    elif action == "restore":
        if person.status != "cancelled":
            abort(400)
        try:
            services.restore(person)
        except services.RegistrationError as exc:
            flash(str(exc), "error")
        else:
            flash(f"{person.full_name} is registered again"
                  + (" (on the waitlist: the event is full)." if person.status == "waitlisted"
                     else "."), "success")
    elif action == "regenerate-link":
        services.regenerate_personal_link(person)
        flash("A new personal link was made; the old one no longer works.", "success")
    elif action == "regenerate-code":
        from summit.checkin.api import regenerate_code

        regenerate_code(person)
        flash("A new check-in code was made; the old QR code no longer works. "
              "Print a new badge or resend the personal link.", "success")
    elif action == "resend-link":
        signals.personal_link_requested.send(person, by_attendee=False)
        audit.record("attendee.link_sent", event_id=event.id, target=person)
        flash(f"The personal link was sent to {person.email}.", "success")
    else:
        abort(404)
    db.session.commit()
    return redirect(url_for("admin.attendee", slug=event.slug, attendee_id=person.id))


@bp.route("/e/<slug>/import", methods=["GET", "POST"])
@event_role("organizer")
def import_registrations(event):
    form = ImportForm()
    result = summary = None
    status = 200
    if form.validate_on_submit():
        data = form.file.data.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
        result = csv_io.parse_registrations(data)
        if result.ok:
            try:
                summary = services.import_rows(event, result)
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
        else:
            status = 422
    elif request.method == "POST":
        status = 400
    return render_template("admin/import.html", event=event, form=form, result=result,
                           summary=summary, columns=csv_io.IMPORT_COLUMNS,
                           optional=csv_io.OPTIONAL_COLUMNS,
                           not_welcomed=len(messages.never_welcomed(event))), status


@bp.route("/e/<slug>/import/welcome", methods=["POST"])
@event_role("organizer")
def welcome_imported(event):
    """Email everyone who never got a confirmation (imported people) their link and QR code."""
    count = messages.welcome(event, messages.never_welcomed(event), current_user)
    db.session.commit()
    if count == 1:
        flash("1 confirmation email with the personal link and QR code is on its way.", "success")
    elif count:
        flash(f"{count} confirmation emails with the personal link and QR code are on their way.",
              "success")
    else:
        flash("Everyone has had their confirmation email already.", "success")
    return redirect(url_for("admin.import_registrations", slug=event.slug))


@bp.route("/e/<slug>/export.csv")
@event_role("organizer")
def export_registrations(event):
    rows = exports.export_rows(event, current_app.config["BASE_URL"])
    audit.record("registrations.exported", event_id=event.id, after={"rows": len(rows)})
    db.session.commit()
    columns = visible_columns(csv_io.EXPORT_COLUMNS, current_user.roles_for(event.id))
    return csv_download(rows, columns, f"{event.slug}-registrations.csv")


@bp.route("/e/<slug>/log")
@event_role("organizer")
def audit_log(event):
    entries = db.session.scalars(
        select(AuditLog).where(AuditLog.event_id == event.id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(300)
    ).all()
    return render_template("admin/audit_log.html", event=event, entries=entries)


@bp.route("/e/<slug>/staff", methods=["GET", "POST"])
@event_role("organizer")
def staff(event):
    form = StaffRoleForm()
    new_password = None
    if form.validate_on_submit():
        existing = db.session.scalar(select(StaffUser).where(StaffUser.email == form.email.data))
        if existing is None:
            import secrets

            new_password = secrets.token_urlsafe(12)
        auth_services.create_user(form.email.data, form.role.data, new_password,
                                  event_id=event.id, name=form.name.data or "")
        db.session.commit()
        flash(f"{form.email.data} is now {form.role.data} for {event.name}.", "success")
        if new_password is None:
            return redirect(url_for("admin.staff", slug=event.slug))
    roles = db.session.scalars(
        select(EventRole).where((EventRole.event_id == event.id) | EventRole.event_id.is_(None))
        .join(StaffUser).order_by(StaffUser.email)
    ).all()
    return render_template("admin/staff.html", event=event, form=form, roles=roles,
                           new_password=new_password, new_email=form.email.data,
                           staff_role_labels=STAFF_ROLE_LABELS)


@bp.route("/e/<slug>/staff/<int:role_id>/remove", methods=["POST"])
@event_role("organizer")
def remove_staff(event, role_id: int):
    role = db.session.get(EventRole, role_id)
    if role is None or role.event_id != event.id:
        abort(404)
    if role.user_id == current_user.id and role.role == "organizer":
        flash("You cannot remove your own organizer role.", "error")
        return redirect(url_for("admin.staff", slug=event.slug))
    email = role.user.email
    removed = auth_services.remove_role(role)
    db.session.commit()
    clear_api_auth_cache()  # this worker at once; the others within a few seconds
    flash(f"Role removed. {email} has no role left: their API tokens are revoked and they "
          f"are signed out." if removed else "Role removed.", "success")
    return redirect(url_for("admin.staff", slug=event.slug))


# (order, label, endpoint, roles, group); the overview itself heads every event's navigation.
NAV_ITEMS = (
    (10, "Attendees", "admin.attendees", ("organizer",), "before"),
    (11, "Import", "admin.import_registrations", ("organizer",), "before"),
    (13, "Staff", "admin.staff", ("organizer",), "before"),
    (14, "Settings", "admin.event_settings", ("organizer",), "before"),
    (49, "Log", "admin.audit_log", ("organizer",), "after"),
)
