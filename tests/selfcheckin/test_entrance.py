"""Entrance self check-in: the screen, the phone's scan, the email path and its safety rules."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from summit.audit import AuditLog
from summit.checkin.models import Checkin
from summit.checkin.services import entrance_list
from summit.extensions import db
from summit.messages.models import MessageRecipient
from summit.selfcheckin import codes
from tests.selfcheckin.conftest import NOW


def code_url(app, event, now=NOW):
    return f"/e/{event.slug}/here/{codes.entrance_code(app.config['SECRET_KEY'], event.id, now)}"


def entrance_rows(event):
    return list(db.session.scalars(select(Checkin).where(
        Checkin.list_id == entrance_list(event).id)))


def test_screen_is_for_checkin_staff_and_polls_with_an_etag(app, client, auth, make_staff,
                                                             summit_setup, frozen):
    event = summit_setup["event"]
    auth.login(make_staff("facilitator", event))
    assert client.get(f"/admin/e/{event.slug}/entrance-screen").status_code == 403
    auth.logout()
    auth.login(make_staff("checkin", event))
    page = client.get(f"/admin/e/{event.slug}/entrance-screen")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="entrance-qr"' in html and "<svg" in html
    assert "0</strong> of 2 here" in html  # two registered, the waitlisted one not counted
    assert "Entrance screen" in html  # the nav item is on the organizer pages
    fragment = client.get(f"/admin/e/{event.slug}/entrance-screen/code",
                          headers={"HX-Request": "true"})
    etag = fragment.headers["ETag"]
    again = client.get(f"/admin/e/{event.slug}/entrance-screen/code",
                       headers={"HX-Request": "true", "If-None-Match": etag})
    assert again.status_code == 304
    frozen(NOW + timedelta(seconds=30))  # the next code
    moved = client.get(f"/admin/e/{event.slug}/entrance-screen/code",
                       headers={"HX-Request": "true", "If-None-Match": etag})
    assert moved.status_code == 200 and moved.headers["ETag"] != etag


def test_scan_with_a_session_checks_that_attendee_in_once(app, client, auth, summit_setup,
                                                          frozen):
    event, amber = summit_setup["event"], summit_setup["amber"]
    seq = event.change_seq
    auth.as_attendee(amber)
    response = client.get(code_url(app, event))
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/e/{event.slug}/welcome")
    page = client.get(f"/e/{event.slug}/welcome").get_data(as_text=True)
    assert "Welcome, Amber — Homeroom table 12 (Hall B)" in page
    rows = entrance_rows(event)
    assert [(r.attendee_id, r.source, r.by_user_id) for r in rows] == [(amber.id, "self", None)]
    db.session.refresh(event)
    assert event.change_seq > seq  # live counts see it
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "checkin.created")).all()
    assert len(audit) == 1 and audit[0].actor_label == "self"

    # Scanning again (or the next code) does not count twice.
    frozen(NOW + timedelta(seconds=45))
    client.get(code_url(app, event, NOW + timedelta(seconds=45)))
    page = client.get(f"/e/{event.slug}/welcome").get_data(as_text=True)
    assert "already checked in" in page
    assert len(entrance_rows(event)) == 1


def test_expired_and_forged_codes_are_refused(app, client, auth, summit_setup, frozen):
    event, amber = summit_setup["event"], summit_setup["amber"]
    auth.as_attendee(amber)
    # Shown a minute ago: expired.
    old = client.get(code_url(app, event, NOW - timedelta(seconds=61)))
    assert old.status_code == 410
    assert "This code has expired — scan the screen again" in old.get_data(as_text=True)
    # The previous code is still accepted (it may have just changed while scanning).
    assert client.get(code_url(app, event, NOW - timedelta(seconds=30))).status_code == 302
    db.session.query(Checkin).delete()
    db.session.commit()
    other = summit_setup["event"].id + 1000
    forged = codes.entrance_code(app.config["SECRET_KEY"], other, NOW)
    assert client.get(f"/e/{event.slug}/here/{forged}").status_code == 404
    assert client.get(f"/e/{event.slug}/here/12345.notacode").status_code == 404
    assert entrance_rows(event) == []


def test_waitlisted_attendee_is_not_checked_in(app, client, auth, summit_setup, frozen):
    event = summit_setup["event"]
    auth.as_attendee(summit_setup["wait"])
    client.get(code_url(app, event))
    page = client.get(f"/e/{event.slug}/welcome").get_data(as_text=True)
    assert "waitlist" in page
    assert entrance_rows(event) == []


def test_no_session_asks_for_email_and_the_emailed_link_finishes_check_in(
        app, client, summit_setup, frozen):
    event, amber = summit_setup["event"], summit_setup["amber"]
    response = client.get(code_url(app, event))
    assert response.headers["Location"].endswith(f"/e/{event.slug}/here")
    form = client.get(f"/e/{event.slug}/here")
    assert form.status_code == 200 and "Email my link" in form.get_data(as_text=True)

    unknown = client.post(f"/e/{event.slug}/here", data={"email": "nobody@example.org"})
    known = client.post(f"/e/{event.slug}/here", data={"email": "Amber@Example.org"})
    # The same answer whether or not the address is registered.
    def main(response):
        html = response.get_data(as_text=True)
        section = html[html.index('<main'):html.index('</main>')]
        return re.sub(r"(nobody|amber)@example\.org", "X", section, flags=re.IGNORECASE)

    assert unknown.status_code == known.status_code == 200
    assert main(unknown) == main(known)
    mails = db.session.scalars(select(MessageRecipient)).all()
    assert [m.to_address for m in mails] == ["amber@example.org"]
    assert entrance_rows(event) == []  # asking for the link checks nobody in

    link = re.search(r"http://summit\.test(/e/[^/]+/arrive/\S+)", mails[0].body_text).group(1)
    assert f"/me/{amber.personal_secret}" in mails[0].body_text  # the personal link too
    phone = app.test_client()  # the email is opened on the phone; any browser works
    frozen(NOW + timedelta(minutes=10))
    done = phone.get(link)
    assert done.status_code == 302
    assert "Welcome, Amber" in phone.get(f"/e/{event.slug}/welcome").get_data(as_text=True)
    assert [r.source for r in entrance_rows(event)] == ["self"]
    assert phone.get(f"/e/{event.slug}/me").status_code == 200  # signed in on that phone

    # Too late: the arrival link expires (the personal link in the email still works).
    frozen(NOW + timedelta(minutes=31))
    late = app.test_client().get(link)
    assert late.status_code == 410 and "expired" in late.get_data(as_text=True)
    # Tampered: another attendee's id.
    ben = summit_setup["ben"]
    forged = re.sub(r"/arrive/\d+\.", f"/arrive/{ben.id}.", link)
    assert app.test_client().get(forged).status_code == 404


def test_email_form_needs_a_fresh_scan_of_the_screen(app, client, summit_setup, frozen):
    event = summit_setup["event"]
    assert client.post(f"/e/{event.slug}/here",
                       data={"email": "amber@example.org"}).status_code == 400
    assert client.get(f"/e/{event.slug}/here").status_code == 410
    client.get(code_url(app, event))
    frozen(NOW + timedelta(minutes=31))  # the proof of the scan is kept for the grace period
    assert client.post(f"/e/{event.slug}/here",
                       data={"email": "amber@example.org"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(MessageRecipient)) == 0


def test_rate_limits_cover_the_self_check_in_doors(app):
    applied = app.extensions["summit_rate_limits"]
    assert "selfcheckin_scan" in applied["selfcheckin.entrance_scan"]
    assert "selfcheckin_bad_code" in applied["selfcheckin.entrance_scan"]
    assert "selfcheckin_bad_code" in applied["selfcheckin.arrive"]
    assert "selfcheckin_scan" in applied["selfcheckin.table_scan"]
    assert "selfcheckin_scan" in applied["breakouts.room_page"]
    assert {"selfcheckin_email", "selfcheckin_email_address"} <= set(
        applied["selfcheckin.ask_email"])
