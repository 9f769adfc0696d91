"""Email through a real SMTP server: confirmation with inline QR code and .ics, waitlist
promotion, "resend my link", dedupe, retries on refusal, segment messages and unsubscribing."""

from __future__ import annotations

from datetime import timedelta

import zxingcpp
from icalendar import Calendar
from PIL import Image
from sqlalchemy import select

from summit.database import utcnow
from summit.extensions import db
from summit.jobs import Job, run_pending_jobs
from summit.messages import services
from summit.messages.models import MessageRecipient
from summit.registration.models import Attendee

FORM = {"first_name": "Amber", "last_name": "Lee", "email": "amber@example.org",
        "organization": "Knox County Schools", "state": "TN", "role": "Principal"}


def later(minutes: int = 10):
    return utcnow() + timedelta(minutes=minutes)


def recipients(**filters):
    db.session.expire_all()
    query = select(MessageRecipient).order_by(MessageRecipient.id)
    for key, value in filters.items():
        query = query.where(getattr(MessageRecipient, key) == value)
    return db.session.scalars(query).all()


def test_confirmation_has_link_inline_qr_code_and_calendar(app, client, smtp, make_event):
    import io

    event = make_event(name="AI Leadership Summit", venue="Knoxville Convention Center")
    assert client.post(f"/e/{event.slug}/register", data=FORM).status_code == 302
    assert smtp.messages == [], "sent outside the request, by the job queue"
    assert run_pending_jobs() == 1

    [msg] = smtp.messages
    attendee = db.session.scalar(select(Attendee))
    assert msg["To"] == "amber@example.org"
    assert msg["Subject"] == "You are registered for AI Leadership Summit"
    assert "List-Unsubscribe" not in msg, "a confirmation is not optional mail"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert f"http://summit.test/me/{attendee.personal_secret}" in text
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert 'src="cid:qr@summit"' in html

    [image] = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<qr@summit>"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.get_payload(decode=True))))
    assert [b.text for b in decoded] == [attendee.checkin_url("http://summit.test")]

    [ics] = [p for p in msg.walk() if p.get_filename() == "event.ics"]
    assert ics.get_content_type() == "text/calendar"
    vevent = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "AI Leadership Summit"
    assert vevent.decoded("DTSTART") == event.start_date
    assert vevent.decoded("DTEND") == event.end_date + timedelta(days=1)
    assert str(vevent["LOCATION"]) == "Knoxville Convention Center"

    [row] = recipients()
    assert (row.status, row.attempts, row.reason_key.split(":")[0]) == ("sent", 1, "confirmation")


def test_never_twice_for_the_same_reason(app, smtp, make_event, make_attendee):
    event = make_event()
    attendee = make_attendee(event)
    assert services.on_registered(attendee) is not None
    assert services.on_registered(attendee) is None
    db.session.commit()
    assert services.on_registered(attendee) is None
    db.session.commit()
    run_pending_jobs()
    assert len(smtp.messages) == 1
    assert len(recipients()) == 1


def test_waitlist_notice_then_promotion_email_with_qr(app, client, smtp, make_event):
    event = make_event(capacity=1)
    client.post(f"/e/{event.slug}/register", data=FORM)
    other = app.test_client()
    other.post(f"/e/{event.slug}/register", data={**FORM, "email": "ben@example.org",
                                                   "first_name": "Ben"})
    run_pending_jobs()
    assert [m["Subject"] for m in smtp.messages] == [
        f"You are registered for {event.name}", f"You are on the waitlist for {event.name}"]
    assert "number 1" in smtp.messages[1].get_body(("plain",)).get_content()

    client.post(f"/e/{event.slug}/me/cancel")  # Amber cancels: Ben moves up
    run_pending_jobs()
    promoted = smtp.messages[2]
    assert promoted["To"] == "ben@example.org"
    assert promoted["Subject"].startswith("Good news: you have a place")
    assert any(p.get_content_type() == "image/png" for p in promoted.walk())
    assert any(p.get_filename() == "event.ics" for p in promoted.walk())


def test_resend_my_link_is_rate_limited_and_reveals_nothing(app, client, smtp, make_event,
                                                           make_attendee):
    event = make_event()
    make_attendee(event, email="known@example.org")
    for _ in range(3):
        known = client.post(f"/e/{event.slug}/resend", data={"email": "known@example.org"})
    unknown = client.post(f"/e/{event.slug}/resend", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    run_pending_jobs()
    assert [m["To"] for m in smtp.messages] == ["known@example.org"], "one per 10 minutes"


def test_refused_send_is_retried_with_backoff_and_shown(app, client, smtp, make_event,
                                                       make_attendee, make_staff, auth):
    event = make_event()
    attendee = make_attendee(event)
    smtp.refusals = ["451 4.3.0 Mailbox busy, try again later"]
    services.on_registered(attendee)
    db.session.commit()

    run_pending_jobs()
    [row] = recipients()
    assert (row.status, row.attempts) == ("retrying", 1)
    assert "451" in row.last_error
    job = db.session.scalar(select(Job))
    assert job.status == "queued" and job.run_after > utcnow() + timedelta(seconds=25)
    assert smtp.messages == []

    auth.login(make_staff("organizer", event))
    page = client.get(f"/admin/e/{event.slug}/messages?status=retrying").get_data(as_text=True)
    assert "451 4.3.0 Mailbox busy" in page

    assert run_pending_jobs() == 0, "waits for the backoff"
    run_pending_jobs(now=later())
    [row] = recipients()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert len(smtp.messages) == 1
    run_pending_jobs(now=later(60))
    assert len(smtp.messages) == 1, "a sent email is never sent again"


def test_permanent_refusal_fails_at_once_and_organizer_can_retry(app, client, smtp, make_event,
                                                                make_attendee, make_staff, auth):
    event = make_event()
    attendee = make_attendee(event, email="gone@example.org")
    smtp.refusals = ["550 5.1.1 No such user"]
    services.on_registered(attendee)
    db.session.commit()
    run_pending_jobs()
    [row] = recipients()
    assert row.status == "failed" and "550" in row.last_error
    assert run_pending_jobs(now=later(120)) == 0, "no automatic retry for a permanent refusal"

    auth.login(make_staff("organizer", event))
    page = client.get(f"/admin/e/{event.slug}/messages").get_data(as_text=True)
    assert "1 email could not be sent" in page and "550 5.1.1 No such user" in page
    home = client.get(f"/admin/e/{event.slug}/").get_data(as_text=True)
    assert "1 failed" in home

    client.post(f"/admin/e/{event.slug}/messages/retry")
    run_pending_jobs()
    assert recipients()[0].status == "sent"
    assert [m["To"] for m in smtp.messages] == ["gone@example.org"]


def test_segment_message_preview_send_escape_and_unsubscribe(app, client, smtp, make_event,
                                                            make_attendee, make_staff, auth):
    event = make_event()
    knox = make_attendee(event, first_name="<b>Kim</b>", organization="Knox County Schools")
    quitter = make_attendee(event, organization="Knox County Schools")
    make_attendee(event, organization="Metro Nashville Public Schools", state="TN")
    org_id = knox.organization_id
    services.set_optional_mail(quitter, False)
    db.session.commit()

    auth.login(make_staff("organizer", event))
    data = {"segment": f"district:{org_id}", "subject": "Parking on day 2",
            "body": "Use garage B.\n\nBring your badge <please>."}
    preview = client.post(f"/admin/e/{event.slug}/messages/new", data={**data,
                          "action": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="preview"' in html
    assert "2 people" in html and "1 turned organizer mail off" in html
    assert "&lt;please&gt;" in html and "<please>" not in html
    assert smtp.messages == [] and recipients() == [], "a preview sends nothing"

    sent = client.post(f"/admin/e/{event.slug}/messages/new", data={**data, "action": "send"})
    assert sent.status_code == 302
    assert recipients() == [], "the request only queues a job; the job writes the emails"
    assert "Writing the emails" in client.get(sent.location).get_data(as_text=True)
    run_pending_jobs()
    [msg] = smtp.messages
    assert msg["To"] == knox.email and msg["Subject"] == "Parking on day 2"
    body_html = msg.get_body(("html",)).get_content()
    assert "&lt;b&gt;Kim&lt;/b&gt;" in body_html and "<b>Kim</b>" not in body_html
    assert "Bring your badge &lt;please&gt;." in body_html
    unsubscribe = msg["List-Unsubscribe"].strip("<>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    statuses = {r.attendee_id: r.status for r in recipients()}
    assert statuses == {knox.id: "sent", quitter.id: "skipped"}

    detail = client.get(sent.location).get_data(as_text=True)
    assert "1 sent" in detail and "1 skipped" in detail

    # One-click unsubscribe (RFC 8058) from the mail client: no session, no CSRF token.
    path = unsubscribe.replace("http://summit.test", "")
    assert app.test_client().post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert services.wants_optional_mail(knox.id) is False
    # The preferences page's own form: back in, then out again.
    assert app.test_client().post(path, data={"optional_mail": "yes"}).status_code == 200
    assert services.wants_optional_mail(knox.id) is True
    app.test_client().post(path, data={"optional_mail": "no"})
    assert services.wants_optional_mail(knox.id) is False
    assert app.test_client().get(path[:-3] + "xyz").status_code == 404


def test_placeholders_are_filled_in_and_a_misspelt_one_is_refused(app, client, smtp, make_event,
                                                                 make_attendee, make_staff, auth):
    event = make_event()
    kim = make_attendee(event, first_name="<b>Kim</b>", last_name="Lee",
                        organization="Knox County Schools")
    auth.login(make_staff("organizer", event))
    url = f"/admin/e/{event.slug}/messages/new"
    data = {"segment": f"district:{kim.organization_id}", "subject": "{first_name}, day 2",
            "body": "Dear {first_name} {last_name} of {organization},\n\nCurly {{braces}}."}
    typo = client.post(url, data={**data, "body": "Hello {frist_name},", "action": "send"})
    page = typo.get_data(as_text=True)
    assert typo.status_code == 400 and "{frist_name} is not something Summit can fill in" in page
    assert "Hello {frist_name}," in page  # what was typed is kept
    assert smtp.messages == [] and recipients() == []

    preview = client.post(url, data={**data, "action": "preview"}).get_data(as_text=True)
    assert "Dear &lt;b&gt;Kim&lt;/b&gt; Lee of Knox County Schools," in preview
    assert client.post(url, data={**data, "action": "send"}).status_code == 302
    run_pending_jobs()
    [msg] = smtp.messages
    assert msg["Subject"] == "<b>Kim</b>, day 2"
    text = msg.get_body(("plain",)).get_content()
    assert "Dear <b>Kim</b> Lee of Knox County Schools," in text and "Curly {braces}." in text
    assert "&lt;b&gt;Kim&lt;/b&gt; Lee" in msg.get_body(("html",)).get_content()


def test_a_message_id_beyond_the_database_is_a_400_not_a_500(client, make_event, make_staff,
                                                             auth):
    """Found by the form fuzzer on PostgreSQL: an id no database integer can hold."""
    event = make_event()
    auth.login(make_staff("organizer", event))
    for raw in ("-66240434591596", "99999999999999999999999"):
        response = client.post(f"/admin/e/{event.slug}/messages/retry",
                               data={"message_id": raw})
        assert response.status_code in (302, 400), (raw, response.status_code)
