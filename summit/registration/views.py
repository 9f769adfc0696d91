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
    event_role,
    load_event,
    public,
    sign_in_attendee,
    sign_out_attendee,
)
from summit.events.models import Organization
from summit.extensions import db
from summit.forms import posted_or_400
from summit.i18n import current_language, translate
from summit.panels import my_summit_facts, my_summit_panels
from summit.personal_fields import SMALLEST_GROUP
from summit.qr import qr_svg
from summit.registration import membership, services
from summit.registration.forms import (
    STATES_AND_PROVINCES,
    DecisionForm,
    DomainForm,
    RegistrationForm,
    ResendLinkForm,
)
from summit.registration.models import Attendee, JoinRequest, OrganizationDomain

bp = Blueprint("registration", __name__)

# A district is suggested on the public form only once this many people of it registered, so
# the list never tells a visitor that one particular person (a district of one) is coming:
# the smallest group any aggregate shows (summit.personal_fields).
MIN_SUGGESTED_GROUP = SMALLEST_GROUP


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
        except services.AlreadyRegistered:
            db.session.rollback()
            # Exactly the answer of "send my link again": whether an address attends is no
            # one else's business, and the link goes to the address only.
            return _link_sent(event, form.email.data)
        db.session.commit()
        sign_in_attendee(attendee, by_form=True)  # a record this very request created
        return redirect(url_for("registration.confirmation", slug=event.slug))
    elif request.method == "POST":
        status = 400 if state == "open" else 403
    return render_template(
        "registration/register.html", event=event, form=form, state=state, already=already,
        organizations=_known_organizations(event.id), states=STATES_AND_PROVINCES,
    ), status


@bp.route("/e/<slug>/registered")
@attendee_required
def confirmation(event, attendee):
    return render_template("registration/confirmation.html", event=event, attendee=attendee,
                           rank=services.waitlist_rank(attendee))


def _link_sent(event, email: str):
    """Email the personal link if ``email`` has an active registration; the same page for
    any address, registered or not."""
    attendee = services.active_registration(event.id, email)
    if attendee is not None:
        # The email is queued: the answer takes the same time either way.
        signals.personal_link_requested.send(attendee, by_attendee=True)
        db.session.commit()
    return render_template("registration/resend_sent.html", event=event, email=email)


@bp.route("/e/<slug>/resend", methods=["GET", "POST"])
@public
def resend(slug: str):
    event = load_event(slug)
    form = ResendLinkForm()
    if form.validate_on_submit():
        return _link_sent(event, form.email.data)
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
    sign_in_attendee(attendee)  # the link went to the address only: it proves the address
    slug = attendee.event.slug
    db.session.commit()
    # Leave the secret out of the address bar and of any Referer header.
    return redirect(url_for("registration.my_summit", slug=slug))


@bp.route("/e/<slug>/me")
@attendee_required
def my_summit(event, attendee):
    registered = attendee.status == "registered"
    standing = membership.standing(attendee)
    return render_template(
        "registration/my_summit.html", event=event, attendee=attendee,
        rank=services.waitlist_rank(attendee), standing=standing,
        waiting=len(membership.pending_requests(event.id, attendee.organization_id))
        if standing == membership.MEMBER else 0,
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


# --- district teams: membership needs proof ------------------------------------------------


@bp.route("/e/<slug>/team")
@attendee_required
def team(event, attendee):
    """Where the attendee stands with their district's team; its members and the requests
    waiting for them once they are a confirmed member, and nothing of it before."""
    standing = membership.standing(attendee)
    member = standing == membership.MEMBER
    return render_template(
        "registration/team.html", event=event, attendee=attendee, standing=standing,
        members=membership.members(event.id, attendee.organization_id) if member else [],
        requests=[r for r in membership.pending_requests(event.id, attendee.organization_id)
                  if r.attendee_id != attendee.id] if member else [],
        resend_form=ResendLinkForm(formdata=None, email=attendee.email))


@bp.route("/e/<slug>/team/request", methods=["POST"])
@attendee_required
def ask_to_join(event, attendee):
    try:
        membership.ask_to_join(attendee)
    except membership.MembershipError as exc:
        db.session.rollback()
        flash(translate(str(exc)), "error")
        return redirect(url_for("registration.team", slug=event.slug), 303)
    db.session.commit()
    flash(_("Your request is on its way to your team and the organizers."), "success")
    return redirect(url_for("registration.team", slug=event.slug), 303)


def _decision() -> DecisionForm:
    return posted_or_400(DecisionForm)


@bp.route("/e/<slug>/team/requests/<int:request_id>", methods=["POST"])
@attendee_required
def decide_request(event, attendee, request_id: int):
    """A confirmed team member approves or declines a colleague's request."""
    join = db.session.get(JoinRequest, request_id)
    if join is None or join.event_id != event.id:
        abort(404)
    if not membership.may_decide(attendee, join):
        abort(403)
    approve = _decision().approve
    try:
        membership.decide_as_member(attendee, join, approve)
    except membership.MembershipError as exc:
        db.session.rollback()
        flash(translate(str(exc)), "error")
    else:
        db.session.commit()
        flash(_("%(name)s is now a member of the team.", name=join.attendee.full_name)
              if approve else _("The request is declined."), "success")
    return redirect(url_for("registration.team", slug=event.slug), 303)


def _organization_or_404(event, organization_id: int) -> Organization:
    """An organization that attendees of this event named (any other: 404)."""
    organization = db.session.get(Organization, organization_id)
    if organization is None or db.session.scalar(select(Attendee.id).where(
            Attendee.event_id == event.id,
            Attendee.organization_id == organization_id).limit(1)) is None:
        abort(404)
    return organization


@bp.route("/admin/e/<slug>/districts")
@event_role("organizer")
def districts(event):
    return render_template("registration/districts.html", event=event,
                           summaries=membership.organizations_of(event),
                           requests=membership.pending_requests(event.id))


@bp.route("/admin/e/<slug>/districts/<int:organization_id>")
@event_role("organizer")
def district(event, organization_id: int):
    organization = _organization_or_404(event, organization_id)
    return render_template(
        "registration/district.html", event=event, organization=organization,
        domains=membership.confirmed_domains(event.id, organization.id),
        people=membership.people_of(event, organization), error=None, typed="")


@bp.route("/admin/e/<slug>/districts/<int:organization_id>/domains", methods=["POST"])
@event_role("organizer")
def confirm_domain(event, organization_id: int):
    from flask_login import current_user

    organization = _organization_or_404(event, organization_id)
    form = DomainForm()
    typed = form.domain.data or ""
    try:
        if not form.validate():
            raise membership.MembershipError(form.domain.errors[0])
        row = membership.confirm_domain(event, organization, typed, current_user.email)
    except membership.MembershipError as exc:
        db.session.rollback()
        return render_template(
            "registration/district.html", event=event, organization=organization,
            domains=membership.confirmed_domains(event.id, organization.id),
            people=membership.people_of(event, organization), error=str(exc),
            typed=typed), 400
    db.session.commit()
    flash(f"Addresses at {row.domain} now prove membership of {organization.name}.", "success")
    return redirect(url_for("registration.district", slug=event.slug,
                            organization_id=organization.id), 303)


@bp.route("/admin/e/<slug>/districts/<int:organization_id>/domains/<int:domain_id>/remove",
          methods=["POST"])
@event_role("organizer")
def remove_domain(event, organization_id: int, domain_id: int):
    organization = _organization_or_404(event, organization_id)
    row = db.session.get(OrganizationDomain, domain_id)
    if row is None or row.event_id != event.id or row.organization_id != organization.id:
        abort(404)
    domain = row.domain
    membership.remove_domain(row)
    db.session.commit()
    flash(f"{domain} no longer proves membership of {organization.name}.", "success")
    return redirect(url_for("registration.district", slug=event.slug,
                            organization_id=organization.id), 303)


@bp.route("/admin/e/<slug>/districts/<int:organization_id>/attendees/<int:attendee_id>",
          methods=["POST"])
@event_role("organizer")
def decide_membership(event, organization_id: int, attendee_id: int):
    """An organizer approves someone for their district's team, or declines (removes) them."""
    from flask_login import current_user

    organization = _organization_or_404(event, organization_id)
    person = db.session.get(Attendee, attendee_id)
    if person is None or person.event_id != event.id \
            or person.organization_id != organization.id:
        abort(404)
    decision = _decision()
    approve = decision.approve
    membership.decide_as_organizer(event, person, approve, current_user.email)
    db.session.commit()
    flash(f"{person.full_name} is " + ("approved for" if approve else "not a member of")
          + f" the {organization.name} team.", "success")
    back = decision.back.data == "districts"
    return redirect(url_for("registration.districts", slug=event.slug) if back else
                    url_for("registration.district", slug=event.slug,
                            organization_id=organization.id), 303)
