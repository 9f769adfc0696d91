"""Homeroom pages: the organizer's seating board, tables, PDFs, a facilitator's table, and the
attendee's "My summit" panel. Thin: the work is in ``services`` and the engine."""

from __future__ import annotations

from collections import Counter

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
from flask_login import current_user
from sqlalchemy import select

from summit.access import event_role
from summit.auth.models import EventRole, StaffUser
from summit.extensions import db
from summit.forms import posted_or_400
from summit.homerooms.api import todays_homeroom
from summit.personal_fields import TABLE_FACILITATOR, TABLEMATE, may_see, visible_columns
from summit.registration.api import ROLES, Attendee
from summit.responses import csv_download, is_htmx, pdf_response

from . import next_steps, printing, services
from .forms import (
    AccessibilityForm,
    AssignForm,
    BulkTablesForm,
    DayForm,
    MoveForm,
    PromptForm,
    RebalanceForm,
    RulesForm,
    SeatForm,
    TableForm,
)
from .models import HomeroomTable
from .services import HomeroomError

bp = Blueprint("homerooms", __name__)


PALETTE = 12


# --- helpers ---------------------------------------------------------------------------------


def _day_arg(event, source=None) -> int:
    source = source if source is not None else request.values
    try:
        day = int(source.get("day", 1))
    except (TypeError, ValueError):
        abort(400)
    if not 1 <= day <= max(event.days, 1):
        abort(400 if request.method == "POST" else 404)
    return day


def _posted(form_class, event):
    """The board's buttons and small forms: see ``posted_or_400``."""
    return posted_or_400(form_class, days=event.days)


def _color_mode() -> str:
    return "role" if request.values.get("color") == "role" else "district"


def _colorer(data: services.Board, mode: str):
    if mode == "role":
        order = {role: i for i, role in enumerate(ROLES)}

        def by_role(chip):
            return order.get(chip.attendee.role, len(ROLES)) % PALETTE

        return by_role
    districts = sorted({p.district for p in data.built.problem.people})
    index = {d: i % PALETTE for i, d in enumerate(districts)}

    def by_district(chip):
        return index.get(chip.district, 0)

    return by_district


def _board_context(event, day: int, data: services.Board | None = None) -> dict:
    data = data or services.board(event, day)
    mode = _color_mode()
    rules = services.rules_for(event)
    return {
        "event": event, "day": day, "data": data, "color_mode": mode,
        "color": _colorer(data, mode), "rules": rules, "roles": ROLES,
        "day_dates": event.day_dates(),
    }


def _render_move_response(event, day: int, table_ids: set, message: str = "",
                          kind: str = "ok", moved_id: int | None = None,
                          note_table: int | None = None, note: str = ""):
    """The tables that changed, the score and the answer, swapped in out of band: the answer
    both in the window's toast and next to the table it concerns (``note_table``), and the
    moved person's chip marked so the board can bring it into view."""
    data = services.board(event, day)
    context = _board_context(event, day, data)
    parts = []
    for tv in data.tables:
        if tv.table.id in table_ids:
            parts.append(render_template("homerooms/_table.html", tv=tv, oob=True,
                                         moved_id=moved_id, note_table=note_table, note=note,
                                         note_kind=kind, **context))
    if None in table_ids:
        parts.append(render_template("homerooms/_unseated.html", oob=True, moved_id=moved_id,
                                     **context))
    parts.append(render_template("homerooms/_score.html", oob=True, **context))
    parts.append(render_template("homerooms/_status.html", message=message, kind=kind,
                                 oob=True))
    return "\n".join(parts)


def _refused(event, message: str, table_id: int | None):
    """A refused move: the reason in the toast and next to the table it was aimed at."""
    parts = [render_template("homerooms/_status.html", message=message, kind="error",
                             oob=True)]
    if table_id is not None and _event_table_id(event, table_id):
        parts.append(render_template("homerooms/_note.html", table_id=table_id,
                                     message=message, kind="error"))
    return "\n".join(parts)


def _event_table_id(event, table_id: int) -> bool:
    table = db.session.get(HomeroomTable, table_id)
    return table is not None and table.event_id == event.id


def _table_or_404(event, table_id: int) -> HomeroomTable:
    table = db.session.get(HomeroomTable, table_id)
    if table is None or table.event_id != event.id:
        abort(404)
    return table


def _board_url(event, day: int = 1, **extra) -> str:
    return url_for("homerooms.board", slug=event.slug, day=day, **extra)


def _run_message(result: services.RunResult) -> str:
    at = "at its lower bounds" if result.report.at_bounds else "see the score for details"
    return (f"Seated {len(result.days)} day(s) in {result.seconds:.2f} s "
            f"({result.moved:,} seat changes; {at}).")


# --- the seating board -----------------------------------------------------------------------


@bp.route("/admin/e/<slug>/homerooms")
@event_role("organizer")
def board(event):
    day = _day_arg(event, request.args)
    tables = services.tables_of(event)
    if not tables:
        return redirect(url_for("homerooms.tables", slug=event.slug))
    context = _board_context(event, day)
    rules = context["rules"]
    context.update(
        together_text="\n".join(", ".join(g) for g in (rules.keep_together if rules else [])),
        apart_text="\n".join(", ".join(p) for p in (rules.keep_apart if rules else [])),
        prompt=services.discussion_prompt(event, day),
        plans_prompts=services.prompts_come_from_elsewhere(),
        accessibility_rows=_accessibility_rows(event),
        seeded=services.has_seats(event),
    )
    return render_template("homerooms/board.html", **context)


def _accessibility_rows(event) -> list[tuple[Attendee, bool, bool]]:
    """(attendee, needs, inferred) for everyone with a note or an organizer setting."""
    overrides = services.accessibility_overrides(event)
    rows = []
    for a in services.registered_attendees(event):
        if a.accessibility.strip() or a.id in overrides:
            rows.append((a, services.needs_accessible(a, overrides), a.id not in overrides))
    return rows


@bp.route("/admin/e/<slug>/homerooms/move", methods=["POST"])
@event_role("organizer")
def move(event):
    form = _posted(MoveForm, event)
    day, attendee_id, table_id = form.day.data, form.attendee_id.data, form.table_id.data
    try:
        old = services.move_seat(event, attendee_id, day, table_id)
    except HomeroomError as exc:
        db.session.rollback()
        if is_htmx():
            return _refused(event, str(exc), table_id)
        flash(str(exc), "error")
        return redirect(_board_url(event, day))
    db.session.commit()
    person = db.session.get(Attendee, attendee_id)
    target = db.session.get(HomeroomTable, table_id) if table_id else None
    message = (f"{person.full_name} moved to {target.label} for day {day}."
               if target else f"{person.full_name} is no longer seated on day {day}.")
    if is_htmx():
        return _render_move_response(event, day, {old, table_id}, message, moved_id=person.id,
                                     note_table=table_id,
                                     note=f"{person.full_name} moved here.")
    flash(message, "success")
    return redirect(_board_url(event, day))


@bp.route("/admin/e/<slug>/homerooms/seat-lock", methods=["POST"])
@event_role("organizer")
def seat_lock(event):
    return _seat_toggle(event, services.toggle_seat_lock)


@bp.route("/admin/e/<slug>/homerooms/seat-pin", methods=["POST"])
@event_role("organizer")
def seat_pin(event):
    return _seat_toggle(event, services.toggle_pin)


def _seat_toggle(event, toggle):
    form = _posted(SeatForm, event)
    day, attendee_id = form.day.data, form.attendee_id.data
    try:
        seat = toggle(event, attendee_id, day)
    except HomeroomError as exc:
        db.session.rollback()
        if is_htmx():
            return _refused(event, str(exc), None)
        flash(str(exc), "error")
        return redirect(_board_url(event, day))
    table_id = seat.table_id
    db.session.commit()
    if is_htmx():
        return _render_move_response(event, day, {table_id})
    return redirect(_board_url(event, day))


@bp.route("/admin/e/<slug>/homerooms/tables/<int:table_id>/lock", methods=["POST"])
@event_role("organizer")
def table_lock(event, table_id: int):
    day = _posted(DayForm, event).day.data
    table = _table_or_404(event, table_id)
    locked = services.toggle_table_lock(event, table, day)
    db.session.commit()
    message = (f"{table.label} is locked for day {day}: re-runs keep it as it is."
               if locked else f"{table.label} is unlocked for day {day}.")
    if is_htmx():
        return _render_move_response(event, day, {table.id}, message, note_table=table.id,
                                     note="Locked for this day." if locked else "Unlocked.")
    flash(message, "success")
    return redirect(_board_url(event, day))


@bp.route("/admin/e/<slug>/homerooms/assign", methods=["POST"])
@event_role("organizer")
def assign(event):
    form = posted_or_400(AssignForm)
    only_day, seed_value = form.only_day.data, form.seed.data
    try:
        result = services.assign(event, seed=seed_value, only_day=only_day)
    except HomeroomError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(_run_message(result), "success")
        for note in result.notes:
            flash(note, "warning")
    return redirect(_board_url(event, only_day or 1))


@bp.route("/admin/e/<slug>/homerooms/rebalance", methods=["POST"])
@event_role("organizer")
def rebalance(event):
    form = posted_or_400(RebalanceForm)
    from_day = form.from_day.data or 1
    try:
        result = services.rebalance_event(event, from_day=from_day,
                                          drop_no_shows=form.no_shows.data)
    except HomeroomError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(f"Re-balanced from day {from_day} in {result.seconds:.2f} s: "
              f"{result.moved:,} seat changes.", "success")
    return redirect(_board_url(event, from_day if 1 <= from_day <= event.days else 1))


@bp.route("/admin/e/<slug>/homerooms/rules", methods=["POST"])
@event_role("organizer")
def rules(event):
    form = _posted(RulesForm, event)  # refuse a bad day before anything is saved
    day = form.day.data
    problems = services.save_rules(event, form.keep_together.data or "",
                                   form.keep_apart.data or "")
    if problems:
        db.session.rollback()
        for p in problems:
            flash(p, "error")
    else:
        db.session.commit()
        flash("Seating rules saved. They apply the next time the engine runs.", "success")
    return redirect(_board_url(event, day) + "#rules")


@bp.route("/admin/e/<slug>/homerooms/prompt", methods=["POST"])
@event_role("organizer")
def prompt(event):
    form = _posted(PromptForm, event)
    day = form.day.data
    services.set_prompt(event, day, form.prompt.data or "")
    db.session.commit()
    flash(f"Day {day} prompt saved.", "success")
    return redirect(_board_url(event, day) + "#prompt")


@bp.route("/admin/e/<slug>/homerooms/accessibility", methods=["POST"])
@event_role("organizer")
def accessibility(event):
    form = _posted(AccessibilityForm, event)
    day, email = form.day.data, form.email.data
    if email:
        person = db.session.scalar(select(Attendee).where(
            Attendee.event_id == event.id, Attendee.email == email,
            Attendee.status != "cancelled"))
    else:
        person = db.session.get(Attendee, form.attendee_id.data)
    if person is None or person.event_id != event.id:
        flash("No attendee with that address.", "error")
        return redirect(_board_url(event, day) + "#accessibility")
    needs = form.needs.data == "1"
    services.set_needs_accessible(event, person, needs)
    db.session.commit()
    flash(f"{person.full_name} {'needs' if needs else 'does not need'} an accessible table. "
          "Re-balance to apply it.", "success")
    return redirect(_board_url(event, day) + "#accessibility")


# --- tables ----------------------------------------------------------------------------------


@bp.route("/admin/e/<slug>/homerooms/tables", methods=["GET", "POST"])
@event_role("organizer")
def tables(event):
    form = BulkTablesForm()
    status = 200
    if form.validate_on_submit():
        try:
            made = services.create_tables(event, form.count.data, form.seats.data,
                                          location=form.location.data or "",
                                          accessible_every=form.accessible_every.data or 0)
        except HomeroomError as exc:
            db.session.rollback()
            form.count.errors.append(str(exc))
            status = 400
        else:
            db.session.commit()
            flash(f"Added {len(made)} tables of {form.seats.data}.", "success")
            return redirect(url_for("homerooms.tables", slug=event.slug))
    elif request.method == "POST":
        status = 400
    all_tables = services.tables_of(event)
    registered = len(services.registered_attendees(event))
    seats = sum(t.seats for t in all_tables)
    if request.method == "GET":
        # Propose enough seats for everyone registered, at the size of the tables already
        # there (the most common), or of 8.
        sizes = Counter(t.seats for t in all_tables)
        form.seats.data = sizes.most_common(1)[0][0] if sizes else next_steps.SEATS_PER_TABLE
        form.count.data = max(next_steps.tables_needed(registered, seats, form.seats.data), 1)
    return render_template("homerooms/tables.html", event=event, form=form, tables=all_tables,
                           seats=seats, registered=registered), status


def _facilitator_choices(event) -> list[tuple[str, str]]:
    users = db.session.scalars(
        select(StaffUser).join(EventRole, EventRole.user_id == StaffUser.id)
        .where(EventRole.role == "facilitator",
               (EventRole.event_id == event.id) | (EventRole.event_id.is_(None)))
        .order_by(StaffUser.name, StaffUser.email)).unique().all()
    return [("", "No staff facilitator")] + [(str(u.id), u.display_name) for u in users]


@bp.route("/admin/e/<slug>/homerooms/tables/<int:table_id>", methods=["GET", "POST"])
@event_role("organizer")
def edit_table(event, table_id: int):
    table = _table_or_404(event, table_id)
    form = TableForm(obj=table)
    form.facilitator_user_id.choices = _facilitator_choices(event)
    if request.method == "GET":
        form.facilitator_user_id.data = str(table.facilitator_user_id or "")
        form.facilitator_email.data = (table.facilitator_attendee.email
                                       if table.facilitator_attendee else "")
    status = 200
    if form.validate_on_submit():
        try:
            services.update_table(
                event, table, number=form.number.data, name=form.name.data or "",
                seats=form.seats.data, location=form.location.data or "",
                accessible=form.accessible.data,
                facilitator_user_id=int(form.facilitator_user_id.data)
                if form.facilitator_user_id.data else None,
                facilitator_email=form.facilitator_email.data or "")
        except HomeroomError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            status = 400
        else:
            db.session.commit()
            flash(f"{table.label} saved.", "success")
            return redirect(url_for("homerooms.tables", slug=event.slug))
    elif request.method == "POST":
        status = 400
    return render_template("homerooms/table_form.html", event=event, table=table,
                           form=form), status


@bp.route("/admin/e/<slug>/homerooms/tables/<int:table_id>/delete", methods=["POST"])
@event_role("organizer")
def delete_table(event, table_id: int):
    table = _table_or_404(event, table_id)
    label = table.label
    services.delete_table(event, table)
    db.session.commit()
    flash(f"{label} deleted; its people are unseated until you re-balance.", "success")
    return redirect(url_for("homerooms.tables", slug=event.slug))


# --- print and export ------------------------------------------------------------------------


def _optional_day(event) -> int | None:
    if not request.args.get("day"):
        return None
    return _day_arg(event, request.args)


@bp.route("/admin/e/<slug>/homerooms/rosters.pdf")
@event_role("organizer")
def rosters_pdf(event):
    day = _optional_day(event)
    return pdf_response(printing.rosters_pdf(event, day),
                        f"{event.slug}-rosters{f'-day{day}' if day else ''}.pdf")


@bp.route("/admin/e/<slug>/homerooms/tents.pdf")
@event_role("organizer")
def tents_pdf(event):
    day = _optional_day(event)
    return pdf_response(printing.tents_pdf(event, day),
                        f"{event.slug}-table-tents{f'-day{day}' if day else ''}.pdf")


@bp.route("/admin/e/<slug>/homerooms/export.csv")
@event_role("organizer")
def export(event):
    columns = visible_columns(services.EXPORT_COLUMNS, current_user.roles_for(event.id))
    return csv_download(services.export_rows(event), columns, f"{event.slug}-homerooms.csv")


# --- facilitators ----------------------------------------------------------------------------


@bp.route("/admin/e/<slug>/my-table")
@event_role("facilitator")
def my_table(event):
    mine = services.facilitated_tables(event, current_user)
    is_organizer = current_user.has_role(event.id)  # organizers may look at any table
    table = None
    requested = request.args.get("table", type=int)
    if requested is not None:
        candidate = db.session.get(HomeroomTable, requested)
        if candidate is not None and candidate.event_id == event.id and (
                is_organizer or candidate in mine):
            table = candidate
        else:
            abort(404)
    elif mine:
        table = mine[0]
    day = _day_arg(event, request.args) if request.args.get("day") else event.current_day()
    members = services.members_of(table, day) if table else []
    overrides = services.accessibility_overrides(event)
    # Who is looking, in summit/personal_fields.py's words: the facilitator of this very
    # table sees its people's accessibility needs; a facilitator of another table does not.
    audiences = current_user.roles_for(event.id) | ({TABLE_FACILITATOR} if table in mine
                                                    else set())
    return render_template(
        "homerooms/my_table.html", event=event, table=table, mine=mine, day=day,
        members=members, prompt=services.discussion_prompt(event, day),
        show_access=may_see("accessibility", audiences),
        needs={a.id for a in members if services.needs_accessible(a, overrides)},
        districts=services.district_labels(members),
        all_tables=services.tables_of(event) if is_organizer else [],
        day_dates=event.day_dates())


# --- panels ----------------------------------------------------------------------------------


def my_homeroom_fact(event, attendee):
    """My summit's "Homeroom today: Table 12" line; until a table is theirs, when it will be:
    once the organizer sets the tables, or (seated days with no room left for them: the
    organizer re-balances) at check-in. Nothing when the event has no homeroom tables."""
    label, day, is_today = todays_homeroom(event, attendee.id)
    pending = None
    if label is None:
        if db.session.scalar(select(HomeroomTable.id).where(
                HomeroomTable.event_id == event.id).limit(1)) is None:
            return None
        pending = "checkin" if services.has_seats(event, range(day, day + 1)) else "tables"
    return render_template("homerooms/_my_summit_fact.html", label=label, day=day,
                           is_today=is_today, pending=pending)


def my_homeroom_panel(event, attendee):
    days = services.my_days(event, attendee)
    if not days:
        return None
    facilitates = db.session.scalar(select(HomeroomTable).where(
        HomeroomTable.facilitator_attendee_id == attendee.id))
    # ``tablemates`` holds only those who chose to share; what of them is shown is declared
    # in summit/personal_fields.py.
    shown = {field: may_see(field, [TABLEMATE]) for field in ("name", "district", "email")}
    return render_template("homerooms/_my_panel.html", event=event, days=days,
                           facilitates=facilitates, day_dates=event.day_dates(), shown=shown,
                           districts=services.district_labels(
                               [a for d in days for a in d.tablemates]))


def homerooms_home_panel(event):
    if not current_user.is_authenticated:
        return None
    organizer = current_user.has_role(event.id)
    mine = services.facilitated_tables(event, current_user)
    if not organizer and not mine:
        return None
    tables = services.tables_of(event) if organizer else []
    rules = services.rules_for(event) if organizer else None
    return render_template("homerooms/_home_panel.html", event=event, organizer=organizer,
                           mine=mine, tables=tables, rules=rules,
                           seeded=organizer and services.has_seats(event),
                           base_url=current_app.config["BASE_URL"])

