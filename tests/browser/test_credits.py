"""Learning credit on a 360 px phone: the ledger, the missing feedback given, the certificate
downloaded, its QR code decoded from the PDF, and the verification page it opens."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import expect

from summit.extensions import db

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "credits"


@pytest.fixture
def summit_day(live_server, monkeypatch):
    from summit.breakouts.api import save_program_block
    from summit.checkin.api import check_in, entrance_list
    from summit.credits import services
    from summit.events.services import create_event
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    # The summit was yesterday (Chicago, UTC-6): the clocks say so.
    now = datetime(2027, 3, 1, 23, 0, tzinfo=UTC)
    for target in ("summit.checkin.services.utcnow", "summit.plans.feedback.utcnow"):
        monkeypatch.setattr(target, lambda: now)
    with live_server.app.app_context():
        event = create_event("credit-summit", "AI Leadership Summit", date(2027, 3, 1), days=1,
                             timezone="America/Chicago", venue="Music City Center")
        org = find_or_create_organization("Knox County Schools", "TN")
        person = Attendee(event_id=event.id, organization=org, first_name="Amber",
                          last_name="Lee", email="amber@example.org", role="Principal")
        db.session.add(person)
        db.session.flush()
        save_program_block(event, title="Opening keynote", day=1, starts=time(9),
                           ends=time(10, 45), kind="plenary")
        save_program_block(event, title="Lunch", day=1, starts=time(12), ends=time(13),
                           kind="meal")
        settings = services.settings_of(event, create=True)
        settings.feedback_required = True
        settings.provider_name = "Puget Sound ESD"
        settings.activity_number = "PSESD-2027-0412"
        settings.signer_name = "Renée Walker"
        db.session.commit()
        monkeypatch.setattr("summit.checkin.services.utcnow",
                            lambda: datetime(2027, 3, 1, 14, 50, tzinfo=UTC))  # 08:50
        check_in(person, entrance_list(event), source="desk")
        db.session.commit()
        monkeypatch.setattr("summit.checkin.services.utcnow", lambda: now)
        return {"secret": person.personal_secret, "slug": event.slug}


def test_ledger_feedback_certificate_and_verification_on_a_phone(new_context, live_server,
                                                                 summit_day, tmp_path):
    context = new_context(phone=True, device_scale_factor=2, accept_downloads=True)
    page = context.new_page()
    base, slug = live_server.url, summit_day["slug"]
    page.goto(f"{base}/me/{summit_day['secret']}")
    page.goto(f"{base}/e/{slug}/credits")
    expect(page.get_by_role("heading", name="Your learning hours")).to_be_visible()
    missing = page.get_by_role("link", name="Give feedback on Day 1 to unlock 1.75 hours")
    expect(missing).to_be_visible()
    expect(page.locator("#credit-total")).to_contain_text("0 Clock hours")
    expect(page.get_by_text("Entrance check-in")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "credits-ledger-locked.png"), full_page=True)
    missing.click()
    page.get_by_label("4", exact=True).check()
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url(f"{base}/e/{slug}/feedback")
    page.goto(f"{base}/e/{slug}/credits")
    # 105 minutes, rounded down to the half hour.
    expect(page.locator("#credit-total")).to_contain_text("1.5 Clock hours")
    download_link = page.get_by_role("link", name="Download your certificate (PDF)")
    expect(download_link).to_be_visible()
    page.screenshot(path=str(SHOTS / "credits-ledger.png"), full_page=True)
    with page.expect_download() as info:
        download_link.click()
    pdf_path = tmp_path / "certificate.pdf"
    info.value.save_as(pdf_path)
    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        image = document[0].render(scale=150 / 72).to_pil()
    finally:
        document.close()
    image.save(SHOTS / "credits-certificate.png")
    codes = [r.text for r in zxingcpp.read_barcodes(image)]
    assert len(codes) == 1 and codes[0].startswith(f"{base}/verify/")
    page.goto(codes[0])
    expect(page.locator("#verify-result")).to_contain_text("This certificate is valid.")
    expect(page.locator("#verify-name")).to_have_text("Amber Lee")
    expect(page.locator("#verify-hours")).to_have_text("1.5")
    assert "amber@example.org" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / "credits-verify.png"), full_page=True)
