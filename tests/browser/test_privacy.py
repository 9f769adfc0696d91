"""Privacy in real Chromium: download my data on a phone, erase an attendee, paged search."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from summit.extensions import db
from summit.registration.models import Attendee
from tests.browser.conftest import htmx_settled, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def summit(live_server):
    from summit.auth.services import create_user
    from summit.events.services import create_event
    from summit.registration.services import find_or_create_organization

    with live_server.app.app_context():
        event = create_event("privacy-browser", "AI Leadership Summit", date(2027, 3, 1))
        create_user("lead@example.org", "organizer", "correct horse battery",
                    event_id=event.id)
        org = find_or_create_organization("Knox County Schools", "TN")
        for n in range(55):
            db.session.add(Attendee(event_id=event.id, organization=org, first_name=f"P{n:02d}",
                                    last_name="Tester", email=f"p{n:02d}@example.org"))
        db.session.add(Attendee(event_id=event.id, organization=org, first_name="Ada",
                                last_name="Lovelace", email="ada@example.org",
                                dietary="Vegan", personal_secret="s" * 40))
        db.session.commit()
    return live_server


def test_attendee_downloads_their_data_on_a_phone(summit, phone_page):
    page = phone_page
    page.goto(f"{summit.url}/me/{'s' * 40}")
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download my data").click()
    download = info.value
    assert download.suggested_filename == "privacy-browser-my-data.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["registration"]["email"] == "ada@example.org"
    assert data["registration"]["dietary"] == "Vegan"


def test_organizer_pages_the_search_and_erases_an_attendee(summit, page):
    sign_in(page, summit.url, "lead@example.org", target="/admin/e/privacy-browser/attendees")
    page.get_by_label("Search").fill("tester")
    expect(page.locator("#result-count")).to_have_text("55 attendees match")
    htmx_settled(page)  # the new "Next" button is wired up
    page.get_by_role("button", name="Next →").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.locator("#attendee-table tbody tr")).to_have_count(5)
    assert "tester" not in page.url and "q=" not in page.url

    page.get_by_label("Search").fill("lovelace")
    expect(page.locator("#attendee-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Lovelace, Ada").click()
    page.get_by_role("link", name="Erase Ada Lovelace…").click()
    expect(page.get_by_role("heading", name="Erase Ada Lovelace?")).to_be_visible()
    expect(page.locator("#erase-preview")).to_contain_text("Action plans")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Erase Ada Lovelace").click()
    expect(page.get_by_text("was erased")).to_be_visible()
    expect(page.locator("#result-count")).to_have_text("55 attendees")
    with summit.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attendee)
                                 .where(Attendee.email == "ada@example.org")) == 0
