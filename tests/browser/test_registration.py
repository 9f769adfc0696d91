"""Registration and the organizer's attendee pages in real Chromium."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from summit.extensions import db
from summit.registration.models import Attendee
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def summit(live_server):
    from summit.auth.services import create_user
    from summit.events.services import create_event

    with live_server.app.app_context():
        event = create_event("browser-summit", "AI Leadership Summit", date(2027, 3, 1),
                             capacity=300, venue="Music City Center")
        create_user("lead@example.org", "organizer", "correct horse battery",
                    event_id=event.id)
        db.session.commit()
    return live_server


def test_register_on_a_phone(summit, phone_page):
    page = phone_page
    page.goto(f"{summit.url}/e/browser-summit/register")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("First name").fill("Zoë")
    page.get_by_label("Last name").fill("O'Brien")
    page.get_by_label("Email", exact=True).fill("not-an-email")
    page.get_by_label("District or organization").fill("Knox County Schools")
    page.get_by_label("State or province").fill("TN")
    page.get_by_label("Role").select_option("Principal")
    page.get_by_role("button", name="Register").click()
    # The server refuses the address and keeps everything else that was typed.
    expect(page.get_by_text("Please enter a valid email address")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Zoë")
    page.get_by_label("Email", exact=True).fill("Zoe.OBrien@Example.org")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="You're registered, Zoë!")).to_be_visible()
    # The personal link goes to the address only: the page says where, the email holds it.
    expect(page.locator("#link-emailed")).to_contain_text("zoe.obrien@example.org")
    assert not re.search(r"/me/\w{16}", page.content())  # a link, not /e/<slug>/me/qr.svg
    from tests.browser.test_teams import link_in_the_email

    link = link_in_the_email(summit, "zoe.obrien@example.org")
    qr = page.get_by_alt_text("Your check-in QR code")
    expect(qr).to_be_visible()
    # The QR is its own request: "visible" is true from its width and height alone.
    page.wait_for_function(
        "() => { const img = document.querySelector('img.qr');"
        " return img.complete && img.naturalWidth > 0 }")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The personal link opens My summit on another phone.
    other = page.context.browser.new_context(viewport={"width": 360, "height": 740})
    other_page = other.new_page()
    other_page.goto(link)
    expect(other_page.get_by_role("heading", name="Hello, Zoë")).to_be_visible()
    other.close()
    with summit.app.app_context():
        attendee = db.session.scalar(select(Attendee))
        assert attendee.email == "zoe.obrien@example.org"


def test_organizer_imports_searches_and_filters(summit, page, tmp_path):
    sign_in(page, summit.url, "lead@example.org")
    page.goto(f"{summit.url}/admin/e/browser-summit/import")
    assert page.evaluate("typeof window.htmx") == "object"  # the vendored fallback loaded
    header = "first_name,last_name,email,organization,state,role\n"
    rows = ("Amber,Lee,amber@example.org,Knox County Schools,TN,Principal\n"
            "Marcus,Reed,marcus@example.org,Surrey School District 36,BC,Teacher\n"
            "太郎,山田,taro@example.jp,Toronto District School Board,ON,Coach\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(header + rows + "Broken,,broken-email,Nowhere,TN,Teacher\n",
                   encoding="utf-8")
    page.get_by_label("Spreadsheet (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    expect(page.locator("#import-errors")).to_contain_text("last name is empty")
    with summit.app.app_context():
        assert db.session.query(Attendee).count() == 0

    good = tmp_path / "good.csv"
    good.write_text("\ufeff" + header + rows, encoding="utf-8")
    page.get_by_label("Spreadsheet (CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-summary")).to_contain_text("Added 3 attendees")

    page.goto(f"{summit.url}/admin/e/browser-summit/attendees")
    expect(page.locator("#result-count")).to_have_text("3 attendees")
    page.get_by_label("Search").fill("山田")
    expect(page.locator("#attendee-table tbody tr")).to_have_count(1)
    expect(page.locator("#attendee-table")).to_contain_text("Toronto District School Board")
    # Names typed in the search stay out of the address (and so out of history and logs).
    assert "q=" not in page.url and "%E5%B1%B1" not in page.url
    page.get_by_label("Search").fill("")
    page.get_by_label("State/province").select_option("BC")
    expect(page.locator("#attendee-table tbody tr")).to_have_count(1)
    expect(page.locator("#attendee-table")).to_contain_text("Reed, Marcus")
    # The filters are not personal: they stay in the address, so a reload keeps them.
    page.wait_for_url("**state=BC**")
    page.get_by_role("link", name="Reed, Marcus").click()
    expect(page.get_by_role("heading", name="Marcus Reed")).to_be_visible()
