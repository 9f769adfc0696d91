"""Without SMTP: the .eml outbox shown to organizers. Live announcements: ETag polling,
targets, dismissal, My summit panel, the banner on staff pages."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import select

from summit.extensions import db
from summit.jobs import run_pending_jobs
from summit.messages import live, segments
from summit.messages.models import Announcement, MessageRecipient


@pytest.fixture
def app_config():
    return {"MAIL_SERVER": ""}  # no SMTP: the outbox folder


def test_without_smtp_emails_land_in_the_outbox_and_organizers_can_read_them(
        app, client, make_event, make_staff, auth):
    event = make_event()
    client.post(f"/e/{event.slug}/register", data={
        "first_name": "Amber", "last_name": "Lee", "email": "amber@example.org",
        "organization": "Knox County Schools", "state": "TN", "role": "Principal"})
    run_pending_jobs()
    [eml] = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    row = db.session.scalar(select(MessageRecipient))
    assert row.status == "sent" and row.outbox_file == eml.name

    organizer = app.test_client()
    organizer.post("/login", data={"email": make_staff("organizer", event).email,
                                   "password": "correct horse battery"})
    index = organizer.get(f"/admin/e/{event.slug}/messages").get_data(as_text=True)
    assert "No SMTP server is configured" in index and "amber@example.org" in index
    page = organizer.get(f"/admin/e/{event.slug}/messages/email/{row.id}").get_data(as_text=True)
    assert "data:image/png;base64," in page and "event.ics" in page
    assert "/me/" in page
    download = organizer.get(f"/admin/e/{event.slug}/messages/email/{row.id}/eml")
    assert download.data == eml.read_bytes()

    # Another event's organizer cannot open it.
    other = make_event()
    stranger = app.test_client()
    stranger.post("/login", data={"email": make_staff("organizer", other).email,
                                  "password": "correct horse battery"})
    assert stranger.get(f"/admin/e/{event.slug}/messages/email/{row.id}").status_code == 403
    assert stranger.get(f"/admin/e/{other.slug}/messages/email/{row.id}").status_code == 404


def test_banner_polling_uses_etag_and_304(app, client, auth, make_event, make_attendee,
                                          make_staff):
    event = make_event()
    attendee = make_attendee(event)
    auth.as_attendee(attendee)
    url = f"/e/{event.slug}/live/banner"
    first = client.get(url)
    assert first.status_code == 200 and "live-banner" not in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-store"
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    # The 304 comes from the WSGI fast path: it checks the ETag's signature, not the session,
    # and a forged or stale ETag goes through the normal, signed-in view.
    stranger = app.test_client()
    assert stranger.get(url, headers={"If-None-Match": etag}).status_code == 304
    forged = etag.replace('-a', '-s', 1)
    assert stranger.get(url, headers={"If-None-Match": forged,
                                      "HX-Request": "true"}).status_code == 401

    live.post(event, "Lunch moved to <Hall B>", link="https://example.org/map", level="urgent")
    db.session.commit()
    time.sleep(live.LiveFastPath.TTL)  # the fast path caches the version for up to 1 s
    changed = client.get(url, headers={"If-None-Match": etag})
    html = changed.get_data(as_text=True)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Lunch moved to &lt;Hall B&gt;" in html and 'role="alert"' in html

    # The page itself carries the poller and the current banner.
    my = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert 'id="live-banner"' in my and "Lunch moved to" in my and "js/etag-poll.js" in my

    announcement = db.session.scalar(select(Announcement))
    assert client.post(f"/e/{event.slug}/live/dismiss/{announcement.id}",
                       headers={"HX-Request": "true"}).get_data(as_text=True).strip() == ""
    assert "Lunch moved" not in client.get(url).get_data(as_text=True)
    # ... but My summit still lists it.
    panel = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert 'id="my-announcements"' in panel and "Lunch moved to &lt;Hall B&gt;" in panel

    # Staff at the check-in desk see it too (their own poll URL).
    desk = app.test_client()
    desk.post("/login", data={"email": make_staff("checkin", event).email,
                              "password": "correct horse battery"})
    staff = desk.get(f"/admin/e/{event.slug}/live/banner").get_data(as_text=True)
    assert "Lunch moved" in staff
    assert 'id="live-banner"' in desk.get(f"/admin/e/{event.slug}/").get_data(as_text=True)
    # Not signed in: no banner endpoint.
    assert app.test_client().get(url, headers={"HX-Request": "true"}).status_code == 401


def test_targeted_announcement_reaches_only_its_table(app, client, auth, make_event,
                                                      make_attendee):
    event = make_event()
    at_12, elsewhere = make_attendee(event), make_attendee(event)
    segments.register_segment(
        "test-table", "A table", attendee_ids=lambda ev, key: [at_12.id] if key == "12" else [],
        options=lambda ev: [("12", "Table 12"), ("13", "Table 13")],
        keys_for_attendee=lambda ev, a: {"12"} if a.id == at_12.id else {"13"})
    try:
        live.post(event, "Table 12: your facilitator is running late",
                  target_kind="test-table", target_key="12")
        db.session.commit()
        assert [a.text[:8] for a in live.for_viewer(event, at_12)] == ["Table 12"]
        assert live.for_viewer(event, elsewhere) == []
        with pytest.raises(live.AnnouncementError):
            live.post(event, "x", target_kind="test-table", target_key="99")
        with pytest.raises(live.AnnouncementError):
            live.post(event, "x", link="javascript:alert(1)")
    finally:
        segments._KINDS.pop("test-table", None)


def test_organizer_posts_and_withdraws(app, client, auth, make_event, make_staff):
    event = make_event()
    auth.login(make_staff("organizer", event))
    page = client.get(f"/admin/e/{event.slug}/announcements")
    assert page.status_code == 200
    too_long = client.post(f"/admin/e/{event.slug}/announcements",
                           data={"text": "x" * 400, "level": "info", "target": "everyone:"})
    assert too_long.status_code == 400
    client.post(f"/admin/e/{event.slug}/announcements",
                data={"text": "Doors open at 8", "level": "info", "target": "everyone:"})
    item = db.session.scalar(select(Announcement))
    assert item.text == "Doors open at 8" and item.target_label == "Everyone"
    seq = live.channel_seq(event.id)
    client.post(f"/admin/e/{event.slug}/announcements/{item.id}/withdraw")
    assert live.channel_seq(event.id) == seq + 1
    assert live.for_viewer(event, None) == []


def test_my_summit_shows_an_announcement_once(app, client, auth, make_event, make_attendee):
    """The banner shows the recent ones; My summit's panel lists only the others."""
    event = make_event()
    attendee = make_attendee(event)
    auth.as_attendee(attendee)
    first = live.post(event, "Doors open at 8 in Hall A")
    db.session.commit()
    banner, main = client.get(f"/e/{event.slug}/me").get_data(as_text=True).split("<main")
    assert "Doors open at 8 in Hall A" in banner and "Doors open" not in main
    client.post(f"/e/{event.slug}/live/dismiss/{first.id}", headers={"HX-Request": "true"})
    banner, main = client.get(f"/e/{event.slug}/me").get_data(as_text=True).split("<main")
    assert "Doors open" not in banner
    assert 'id="my-announcements"' in main and main.count("Doors open at 8 in Hall A") == 1


def test_staff_dismiss_a_banner_in_their_browser(app, make_event, make_staff):
    event = make_event()
    other_event = make_event()
    lunch = live.post(event, "Lunch moved to Hall B", level="urgent")
    coffee = live.post(event, "Coffee in the foyer")
    elsewhere = live.post(other_event, "Not this event")
    db.session.commit()
    staff = make_staff("checkin", event)
    desk, laptop = app.test_client(), app.test_client()
    for browser in (desk, laptop):
        browser.post("/login", data={"email": staff.email, "password": "correct horse battery"})
    url = f"/admin/e/{event.slug}/live/banner"
    dismissed = desk.post(f"/admin/e/{event.slug}/live/dismiss/{lunch.id}",
                          headers={"HX-Request": "true"})
    assert dismissed.status_code == 200
    assert "Lunch moved" not in dismissed.get_data(as_text=True)
    assert "Coffee in the foyer" in dismissed.get_data(as_text=True)
    cookie = dismissed.headers["Set-Cookie"]
    assert f"live_hidden_{event.id}={lunch.id};" in cookie and "HttpOnly" in cookie
    assert "Lunch moved" not in desk.get(url).get_data(as_text=True)
    assert "Lunch moved" not in desk.get(f"/admin/e/{event.slug}/").get_data(as_text=True)
    # The same account in another browser still sees it: it was dismissed in one browser.
    assert "Lunch moved" in laptop.get(url).get_data(as_text=True)
    # Both dismissed: nothing left; the cookie keeps both ids.
    both = desk.post(f"/admin/e/{event.slug}/live/dismiss/{coffee.id}",
                     headers={"HX-Request": "true"})
    assert both.get_data(as_text=True).strip() == ""
    assert f"live_hidden_{event.id}={coffee.id}.{lunch.id};" in both.headers["Set-Cookie"]
    # Another event's announcement, or none: 404; a forged cookie is ignored, not a 500.
    assert desk.post(f"/admin/e/{event.slug}/live/dismiss/{elsewhere.id}").status_code == 404
    assert desk.post(f"/admin/e/{event.slug}/live/dismiss/999999").status_code == 404
    desk.set_cookie(f"live_hidden_{event.id}", "x.-1.99999999999999999999." + "424242." * 500)
    assert "Lunch moved" in desk.get(url).get_data(as_text=True)
    # Attendees cannot use the staff route.
    assert app.test_client().post(f"/admin/e/{event.slug}/live/dismiss/{lunch.id}",
                                  headers={"HX-Request": "true"}).status_code in (401, 302)
