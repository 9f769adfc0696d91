"""Public registration, the personal link, and the attendee's "My summit" page."""

from __future__ import annotations

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
from flask_babel import gettext as _
from sqlalchemy import func, select

from summit import signals
from summit.access import (
    attendee_required,
    current_attendee,
    load_event,
    public,
    sign_in_attendee,
    sign_out_attendee,
)
from summit.events.models import Organization
from summit.extensions import db
from summit.i18n import current_language
from summit.panels import my_summit_facts, my_summit_panels
from summit.qr import qr_svg
from summit.registration import services
from summit.registration.forms import STATES_AND_PROVINCES, RegistrationForm, ResendLinkForm
from summit.registration.links import personal_link as personal_link_url
from summit.registration.models import Attendee

bp = Blueprint("registration", __name__)


# A district is suggested on the public form only once this many people of it registered, so
# the list never tells a visitor that one particular person (a district of one) is coming.
MIN_SUGGESTED_GROUP = 3


def _known_organizations(event_id: int) -> list[str]:
    from summit.registration.models import Attendee as A

    return list(db.session.scalars(
        select(Organization.name).join(A, A.organization_id == Organization.id)
        .where(A.event_id == event_id).group_by(Organization.name)
        .having(func.count(A.id) >= MIN_SUGGESTED_GROUP).order_by(Organization.name).limit(300)
    ))


@bp.route("/e/<slug>/register", methods=["GET", "POST"])
@public
def register(slug: str):
    event = load_event(slug)
    state = event.registration_state()
    already = current_attendee(event)
    form = RegistrationForm()
    status = 200
    duplicate = None
    if state == "open" and form.validate_on_submit():
        data = services.NewRegistration(
            first_name=form.first_name.data, last_name=form.last_name.data,
            email=form.email.data, organization=form.organization.data,
            state=form.state.data, role=form.role.data, dietary=form.dietary.data or "",
            accessibility=form.accessibility.data or "", share_contact=form.share_contact.data,
            language=current_language(),
        )
        try:
            attendee = services.register(event, data)
        except services.AlreadyRegistered as exc:
            db.session.rollback()
            duplicate = exc.attendee.email
            status = 409
        else:
            db.session.commit()
            sign_in_attendee(attendee)
            return redirect(url_for("registration.confirmation", slug=event.slug))
    elif request.method == "POST":
        status = 400 if state == "open" else 403
    return render_template(
        "registration/register.html", event=event, form=form, state=state,
        duplicate=duplicate, already=already, resend_form=ResendLinkForm(email=duplicate),
        organizations=_known_organizations(event.id), states=STATES_AND_PROVINCES,
    ), status


@bp.route("/e/<slug>/registered")
@attendee_required
def confirmation(event, attendee):
    return render_template("registration/confirmation.html", event=event, attendee=attendee,
                           link=personal_link_url(attendee),
                           rank=services.waitlist_rank(attendee))


@bp.route("/e/<slug>/resend", methods=["GET", "POST"])
@public
def resend(slug: str):
    event = load_event(slug)
    form = ResendLinkForm()
    if form.validate_on_submit():
        attendee = services.email_taken(event.id, form.email.data)
        if attendee is not None and attendee.status != "cancelled":
            # The email is queued: the answer takes the same time either way.
            signals.personal_link_requested.send(attendee, by_attendee=True)
            db.session.commit()
        # The same answer whether or not the address is registered.
        return render_template("registration/resend_sent.html", event=event,
                               email=form.email.data)
    return render_template("registration/resend.html", event=event, form=form), (
        400 if request.method == "POST" else 200)


@bp.route("/me/<secret:secret>")
@public
def personal_link(secret: str):
    attendee = None
    if 16 <= len(secret) <= 64:
        attendee = db.session.scalar(select(Attendee).where(Attendee.personal_secret == secret))
    if attendee is None:
        return render_template("registration/link_invalid.html"), 404
    sign_in_attendee(attendee)
    # Leave the secret out of the address bar and of any Referer header.
    return redirect(url_for("registration.my_summit", slug=attendee.event.slug))


@bp.route("/e/<slug>/me")
@attendee_required
def my_summit(event, attendee):
    registered = attendee.status == "registered"
    return render_template(
        "registration/my_summit.html", event=event, attendee=attendee,
        rank=services.waitlist_rank(attendee),
        facts=my_summit_facts(event, attendee) if registered else [],
        panels=my_summit_panels(event, attendee) if registered else [],
    )


@bp.route("/e/<slug>/me/qr.svg")
@attendee_required
def my_qr(event, attendee):
    if attendee.status != "registered":
        abort(404)
    svg = qr_svg(attendee.checkin_url(current_app.config["BASE_URL"]))
    return Response(svg, mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=300"})


@bp.route("/e/<slug>/me/cancel", methods=["GET", "POST"])
@attendee_required
def cancel(event, attendee):
    if request.method == "POST":
        services.cancel(attendee)
        db.session.commit()
        flash(_("Your registration is cancelled. We hope to see you another time."), "info")
        return redirect(url_for("registration.my_summit", slug=event.slug))
    return render_template("registration/cancel.html", event=event, attendee=attendee)


@bp.route("/e/<slug>/me/sign-out", methods=["POST"])
@public
def sign_out(slug: str):
    event = load_event(slug)
    sign_out_attendee(event.id)
    return redirect(url_for("events.event_page", slug=event.slug))


@bp.route("/e/<slug>/signed-out")
@public
def signed_out(slug: str):
    event = load_event(slug)
    return render_template("registration/signed_out.html", event=event,
                           form=ResendLinkForm())
