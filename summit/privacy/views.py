"""Download my data (attendee), an organizer's copy of it, and erasing an attendee."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from summit import audit
from summit.access import attendee_required, event_role
from summit.extensions import db
from summit.privacy import services
from summit.privacy.forms import EraseForm
from summit.registration.api import Attendee

bp = Blueprint("privacy", __name__)


def _json_download(attendee: Attendee, filename: str) -> Response:
    return Response(services.export_json(attendee), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })


def my_data_panel(event, attendee):
    return render_template("privacy/_my_panel.html", event=event, attendee=attendee,
                           kept_until=services.retention_ends(event))


def retention_panel(event):
    from flask_login import current_user

    if not current_user.has_role(event.id, "organizer"):
        return None
    return render_template("privacy/_home_panel.html", event=event,
                           kept_until=services.retention_ends(event),
                           erased=services.erased_count(event))


@bp.route("/e/<slug>/me/my-data.json")
@attendee_required
def my_data(event, attendee):
    audit.record("attendee.data_downloaded", event_id=event.id, target=attendee)
    db.session.commit()
    return _json_download(attendee, f"{event.slug}-my-data.json")


def _attendee_or_404(event, attendee_id: int) -> Attendee:
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != event.id:
        abort(404)
    return attendee


@bp.route("/admin/e/<slug>/attendees/<int:attendee_id>/data.json")
@event_role("organizer")
def attendee_data(event, attendee_id: int):
    """The same file, for an organizer answering a request that came by email or post."""
    attendee = _attendee_or_404(event, attendee_id)
    audit.record("attendee.data_exported", event_id=event.id, target=attendee)
    db.session.commit()
    return _json_download(attendee, f"{event.slug}-attendee-{attendee.id}-data.json")


@bp.route("/admin/e/<slug>/attendees/<int:attendee_id>/erase", methods=["GET", "POST"])
@event_role("organizer")
def erase(event, attendee_id: int):
    attendee = _attendee_or_404(event, attendee_id)
    form = EraseForm()
    if request.method == "POST":
        if not form.validate():  # the page again, the box to tick marked
            return render_template("privacy/erase.html", event=event, person=attendee,
                                   items=services.erasure_preview(attendee), form=form), 400
        former_id = services.erase_attendee(attendee)
        db.session.commit()
        flash(f"Attendee #{former_id} was erased. Their check-ins still count, anonymously.",
              "success")
        return redirect(url_for("admin.attendees", slug=event.slug))
    return render_template("privacy/erase.html", event=event, person=attendee,
                           items=services.erasure_preview(attendee), form=form)
