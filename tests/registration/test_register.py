"""Public registration: validation, duplicates, waitlist, cancel, personal links."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from summit.audit import AuditLog
from summit.database import utcnow
from summit.extensions import db
from summit.registration.models import Attendee

FORM = {
    "first_name": "  Amber ", "last_name": "Lee", "email": "Amber.Lee@Example.ORG",
    "organization": "Knox County Schools", "state": "TN", "role": "Principal",
    "dietary": "Vegetarian", "accessibility": "", "share_contact": "y",
}


def register(client, event, **changes):
    return client.post(f"/e/{event.slug}/register", data={**FORM, **changes})


def test_registration_form_renders_for_phones(client, make_event):
    event = make_event()
    page = client.get(f"/e/{event.slug}/register")
    assert page.status_code == 200
    assert b'name="viewport"' in page.data
    assert b"State or province" in page.data


def test_register_signs_in_and_emails_the_personal_link(app, client, make_event):
    event = make_event()
    response = register(client, event)
    assert response.status_code == 302
    attendee = db.session.scalar(select(Attendee))
    assert attendee.email == "amber.lee@example.org"
    assert attendee.first_name == "Amber"
    assert attendee.status == "registered"
    assert attendee.share_contact is True
    assert attendee.personal_secret != attendee.checkin_code
    assert attendee.email_confirmed_at is None  # typing an address proves nothing
    confirmation = client.get(response.location)
    assert confirmation.status_code == 200
    # The personal link goes to the address only, never to the browser that typed it.
    assert attendee.personal_secret.encode() not in confirmation.data
    assert b"amber.lee@example.org" in confirmation.data
    assert b"qr.svg" in confirmation.data
    qr = client.get(f"/e/{event.slug}/me/qr.svg")
    assert qr.mimetype == "image/svg+xml"
    from summit.jobs import run_pending_jobs

    run_pending_jobs()
    [email] = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    assert f"/me/{attendee.personal_secret}" in email.read_text()


def test_the_form_session_ends_when_the_emailed_link_is_opened(app, make_event):
    """Someone who types another person's address is signed in to the record they created,
    but only until the address's owner opens the link: never alongside them."""
    event = make_event()
    typist, owner = app.test_client(), app.test_client()
    register(typist, event)
    assert typist.get(f"/e/{event.slug}/me").status_code == 200
    attendee = db.session.scalar(select(Attendee))
    owner.get(f"/me/{attendee.personal_secret}")
    db.session.refresh(attendee)
    assert attendee.email_confirmed_at is not None
    assert owner.get(f"/e/{event.slug}/me").status_code == 200
    assert typist.get(f"/e/{event.slug}/me").status_code == 302  # signed out


def test_invalid_input_keeps_what_was_typed(client, make_event):
    event = make_event()
    response = register(client, event, email="not an email", first_name="")
    assert response.status_code == 400
    assert b"Please enter a valid email address" in response.data
    assert b"Please enter your first name" in response.data
    assert b'value="Knox County Schools"' in response.data
    assert b"Vegetarian" in response.data
    assert db.session.scalar(select(Attendee)) is None


def test_registering_an_address_that_attends_answers_as_send_my_link_again(app, make_event):
    """"Already registered" would tell anyone who attends: the form answers exactly as the
    "send my link again" form does, emails the link to the address, and signs nobody in."""
    event = make_event()
    register(app.test_client(), event)
    stranger = app.test_client()
    again = register(stranger, event, email="amber.lee@example.org", first_name="Other")
    resend = app.test_client().post(f"/e/{event.slug}/resend",
                                    data={"email": "amber.lee@example.org"})
    assert again.status_code == resend.status_code == 200

    def page(response):  # the page's content (the header's language switcher names the URL)
        html = response.get_data(as_text=True)
        return html[html.index("<main"):html.index("</main>")]

    assert page(again) == page(resend)
    assert b"already registered" not in again.data
    assert db.session.query(Attendee).count() == 1
    assert stranger.get(f"/e/{event.slug}/me").status_code == 302
    from summit.jobs import run_pending_jobs

    run_pending_jobs()
    links = [p for p in Path(app.config["OUTBOX_DIR"]).glob("*.eml")
             if "Your link for" in p.read_text()]
    assert links  # the address's owner got their link


def test_waitlist_after_capacity_with_visible_position(app, make_event):
    event = make_event(capacity=1)
    first, second, third = app.test_client(), app.test_client(), app.test_client()
    register(first, event, email="a@example.org")
    register(second, event, email="b@example.org")
    register(third, event, email="c@example.org")
    statuses = dict(db.session.execute(select(Attendee.email, Attendee.status)).all())
    assert statuses == {"a@example.org": "registered", "b@example.org": "waitlisted",
                        "c@example.org": "waitlisted"}
    page = third.get(f"/e/{event.slug}/me")
    assert b"number 2" in page.data
    # The registered attendee cancels: the first person waiting gets the place.
    first.post(f"/e/{event.slug}/me/cancel")
    db.session.expire_all()
    statuses = dict(db.session.execute(select(Attendee.email, Attendee.status)).all())
    assert statuses["a@example.org"] == "cancelled"
    assert statuses["b@example.org"] == "registered"
    assert b"number 1" in third.get(f"/e/{event.slug}/me").data
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"attendee.cancelled", "attendee.promoted.auto"} <= actions


def test_registration_window(client, make_event):
    event = make_event(registration_opens_at=utcnow() + timedelta(days=1))
    assert b"Registration opens" in client.get(f"/e/{event.slug}/register").data
    assert register(client, event).status_code == 403
    event.registration_opens_at = None
    event.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert register(client, event).status_code == 403
    assert db.session.query(Attendee).count() == 0


def test_personal_link_signs_in_and_revoking_it_signs_out(app, make_event, make_attendee):
    event = make_event()
    attendee = make_attendee(event, first_name="Priya")
    phone = app.test_client()
    response = phone.get(f"/me/{attendee.personal_secret}")
    assert response.status_code == 302
    assert attendee.personal_secret not in response.location
    assert b"Hello, Priya" in phone.get(f"/e/{event.slug}/me").data
    from summit.registration.services import regenerate_personal_link

    regenerate_personal_link(attendee)
    db.session.commit()
    assert phone.get(f"/e/{event.slug}/me").status_code == 302
    assert phone.get(f"/me/{'x' * 40}").status_code == 404


def test_checkin_code_never_signs_in(app, make_event, make_attendee):
    event = make_event()
    attendee = make_attendee(event)
    browser = app.test_client()
    browser.get(f"/me/{attendee.checkin_code}")
    browser.get(f"/c/{attendee.checkin_code}")
    assert browser.get(f"/e/{event.slug}/me").status_code == 302


def test_resend_does_not_reveal_whether_an_email_is_registered(app, client, make_event,
                                                               make_attendee):
    event = make_event()
    make_attendee(event, email="known@example.org")
    known = client.post(f"/e/{event.slug}/resend", data={"email": "known@example.org"})
    unknown = client.post(f"/e/{event.slug}/resend", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200

    def section(response, email):
        html = response.get_data(as_text=True).replace(email, "X")
        return html[html.index('id="resend-sent"'):html.index("</section>")]

    assert section(known, "known") == section(unknown, "nobody")
    from pathlib import Path

    from summit.jobs import run_pending_jobs

    run_pending_jobs()  # email goes out through the job queue

    sent = list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    assert len(sent) == 1
    assert "/me/" in sent[0].read_text()


def test_attendee_pages_are_private_to_their_event(app, make_event, make_attendee):
    one, two = make_event(), make_event()
    attendee = make_attendee(one)
    phone = app.test_client()
    phone.get(f"/me/{attendee.personal_secret}")
    assert phone.get(f"/e/{one.slug}/me").status_code == 200
    assert phone.get(f"/e/{two.slug}/me").status_code == 302


def test_cancelling_a_registration_frees_breakout_seats(app, make_event, make_attendee):
    from summit.breakouts import services as breakouts
    from summit.registration.services import cancel

    event = make_event()
    attendee = make_attendee(event)
    assert breakouts.release_all_for(attendee) == []
    cancel(attendee)
    db.session.commit()
    assert attendee.status == "cancelled"
