"""An announcement posted by an organizer in one browser shows up on an attendee's phone and
on a check-in desk in other browsers within 5 seconds, and the attendee can dismiss it."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from summit.extensions import db
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_announcement_appears_in_other_browsers_within_5_seconds(live_server, new_context):
    from summit.auth.services import create_user
    from summit.events.services import create_event
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    app = live_server.app
    with app.app_context():
        from datetime import date

        event = create_event("live-summit", "Live Summit", date(2027, 3, 1), days=1)
        db.session.flush()
        attendee = Attendee(event_id=event.id, first_name="Pat", last_name="Ng",
                            email="pat@example.org", status="registered",
                            organization=find_or_create_organization("Knox County", "TN"))
        db.session.add(attendee)
        create_user("boss@staff.test", "organizer", "correct horse battery", event_id=event.id)
        create_user("desk@staff.test", "checkin", "correct horse battery", event_id=event.id)
        db.session.commit()
        secret = attendee.personal_secret
        db.session.remove()

    phone = new_context(phone=True).new_page()
    phone.goto(f"{live_server.url}/me/{secret}")
    expect(phone.locator("#live-banner")).to_be_attached()

    desk = new_context().new_page()
    sign_in(desk, live_server.url, "desk@staff.test", target="/admin/e/live-summit/")
    expect(desk.locator("#live-banner")).to_be_attached()

    organizer = new_context().new_page()
    sign_in(organizer, live_server.url, "boss@staff.test",
            target="/admin/e/live-summit/announcements")
    organizer.fill("textarea[name=text]", "Lunch moved to Hall B")
    organizer.select_option("select[name=level]", "urgent")
    organizer.click("#announce button")
    expect(organizer.locator("#announcement-list")).to_contain_text("Lunch moved to Hall B")
    posted = time.monotonic()

    banner = phone.locator("#live-banner .live-banner")
    expect(banner).to_contain_text("Lunch moved to Hall B", timeout=5_000)
    expect(desk.locator("#live-banner")).to_contain_text("Lunch moved to Hall B", timeout=5_000)
    assert time.monotonic() - posted < 5.5
    expect(banner).to_have_attribute("role", "alert")

    phone.click("#live-banner .live-dismiss")
    expect(phone.locator("#live-banner .live-banner")).to_have_count(0)
    # Polls keep answering 304 and the dismissed banner stays away.
    phone.wait_for_timeout(3_500)
    expect(phone.locator("#live-banner .live-banner")).to_have_count(0)
    phone.reload()
    expect(phone.locator("#live-banner .live-banner")).to_have_count(0)
    expect(phone.locator("#my-announcements")).to_contain_text("Lunch moved to Hall B")
