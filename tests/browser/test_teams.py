"""District teams on phones: someone who only typed the district's name asks to join, a team
member approves them, and the team opens. Real Chromium at 360x740 against the live server
(CSRF on, strict CSP).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from summit.extensions import db

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2}


@pytest.fixture
def knox(live_server):
    from summit.database import utcnow
    from summit.events.services import create_event
    from summit.plans import services as plans
    from summit.registration import membership
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    with live_server.app.app_context():
        event = create_event("team-summit", "AI Leadership Summit", date(2027, 3, 1), days=2)
        org = find_or_create_organization("Knox County Schools", "TN")
        membership.confirm_domain(event, org, "knoxschools.org", "lead@example.org")
        amber = Attendee(event_id=event.id, organization=org, first_name="Amberly",
                         last_name="Okafor", email="amber@knoxschools.org", role="Principal",
                         email_confirmed_at=utcnow())
        db.session.add(amber)
        db.session.flush()
        own = plans.plan_for(amber)
        own.shared_with_team = True
        db.session.commit()
        return {"slug": event.slug, "amber_secret": amber.personal_secret}


def link_in_the_email(live_server, address: str) -> str:
    """Send the queued emails, then read the personal link out of the one to ``address``."""
    from summit.jobs import run_pending_jobs

    with live_server.app.app_context():
        run_pending_jobs()
        db.session.remove()
    for eml in Path(live_server.app.config["OUTBOX_DIR"]).glob("*.eml"):
        text = eml.read_text()
        if f"To: {address}" in text:
            return re.search(r"https?://\S+/me/[A-Za-z0-9_-]+", text).group(0)
    raise AssertionError(f"no email to {address}")


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_asking_to_join_and_a_member_approving_on_phones(live_server, knox, new_context,
                                                         tmp_path):
    base, slug = live_server.url, knox["slug"]
    mallory = new_context(phone=True, **PHONE).new_page()
    mallory.goto(f"{base}/e/{slug}/register")
    mallory.get_by_label("First name").fill("Mallory")
    mallory.get_by_label("Last name").fill("Newcomer")
    mallory.get_by_label("Email", exact=True).fill("mallory@newcomer.example")
    mallory.get_by_label("District or organization").fill("Knox County Schools")
    mallory.get_by_label("State or province").fill("TN")
    mallory.get_by_label("Role").select_option("Teacher")
    mallory.get_by_role("button", name="Register").click()
    expect(mallory.locator("#link-emailed")).to_contain_text("mallory@newcomer.example")
    assert not re.search(r"/me/\w{16}", mallory.content())  # it goes to the address only

    # Typing the district's name shows nothing of its team.
    mallory.goto(f"{base}/e/{slug}/plan/team")
    expect(mallory.locator("#team-locked")).to_be_visible()
    assert "Amberly" not in mallory.content()
    mallory.get_by_role("link", name="Your district team").click()
    expect(mallory.locator("#team-unconfirmed")).to_be_visible()

    # She opens the link from her email on this phone, and asks to join.
    mallory.goto(link_in_the_email(live_server, "mallory@newcomer.example"))
    mallory.wait_for_url(f"{base}/e/{slug}/me")
    expect(mallory.locator("#my-team")).to_contain_text("Knox County Schools")
    mallory.locator("#my-team").get_by_role("link", name="Your district team").click()
    mallory.wait_for_url(f"{base}/e/{slug}/team")
    assert "Amberly" not in mallory.content()
    fits(mallory)
    mallory.screenshot(path=str(tmp_path / "team-ask.png"), full_page=True)
    mallory.get_by_role("button", name="Ask to join the Knox County Schools team").click()
    expect(mallory.locator("#team-pending")).to_be_visible()

    # Amberly, a confirmed member (her address is at the district's domain), approves.
    amber = new_context(phone=True, **PHONE).new_page()
    amber.goto(f"{base}/me/{knox['amber_secret']}")
    amber.wait_for_url(f"{base}/e/{slug}/me")
    expect(amber.locator("#my-team")).to_contain_text("1 person asks to join it.")
    amber.locator("#my-team").get_by_role("link", name="Your district team").click()
    request = amber.locator(".join-request")
    expect(request).to_contain_text("Mallory Newcomer")
    expect(request).to_contain_text("mallory@newcomer.example")
    fits(amber)
    amber.screenshot(path=str(tmp_path / "team-approve.png"), full_page=True)
    request.get_by_role("button", name="Approve Mallory Newcomer").click()
    expect(amber.locator(".flash-success")).to_contain_text("Mallory Newcomer is now a member")
    expect(amber.locator(".team-members")).to_contain_text("Mallory Newcomer")

    # The team opens for Mallory: its members, the plan Amberly shares, the team plan.
    mallory.reload()
    expect(mallory.locator(".team-members")).to_contain_text("Amberly Okafor")
    fits(mallory)
    mallory.screenshot(path=str(tmp_path / "team-member.png"), full_page=True)
    mallory.goto(f"{base}/e/{slug}/plan")
    expect(mallory.locator("#team-card")).to_contain_text("Amberly Okafor")
    mallory.locator("#team-card").get_by_role("button", name="Join the team plan").click()
    expect(mallory.get_by_role("heading", name="Team plan · Knox County Schools")).to_be_visible()
    with live_server.app.app_context():
        from summit.registration.models import JoinRequest

        assert db.session.scalar(select(JoinRequest.status)) == "approved"
        db.session.remove()


def test_an_organizer_confirms_a_domain_and_approves_on_a_laptop(live_server, knox, page,
                                                                 tmp_path):
    from summit.auth.services import create_user
    from summit.database import utcnow
    from summit.registration import membership
    from summit.registration.models import Attendee
    from tests.browser.conftest import sign_in

    with live_server.app.app_context():
        create_user("lead@example.org", "organizer", "correct horse battery")
        person = Attendee(event_id=db.session.scalar(select(Attendee.event_id)),
                          organization_id=db.session.scalar(select(Attendee.organization_id)),
                          first_name="Paz", last_name="Waiting", email="paz@gmail.com",
                          role="Teacher", email_confirmed_at=utcnow())
        db.session.add(person)
        db.session.flush()
        membership.ask_to_join(person)
        db.session.commit()
        db.session.remove()
    base, slug = live_server.url, knox["slug"]
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, base, "lead@example.org", target=f"/admin/e/{slug}/districts")
    expect(page.locator("#pending-requests")).to_contain_text("Paz Waiting")
    expect(page.locator("#district-list")).to_contain_text("knoxschools.org (1)")
    page.screenshot(path=str(tmp_path / "districts.png"), full_page=True)
    page.locator("#district-list").get_by_role("link", name="Knox County Schools").click()
    page.get_by_label("Domain").fill("gmail.com")
    page.get_by_role("button", name="Confirm domain").click()
    expect(page.locator("#domain-error")).to_contain_text("public email provider")
    expect(page.get_by_label("Domain")).to_have_value("gmail.com")
    page.get_by_label("Domain").fill("@KCS.k12.tn.us")
    page.get_by_role("button", name="Confirm domain").click()
    expect(page.locator("#domains")).to_contain_text("kcs.k12.tn.us")
    page.get_by_role("button", name="Approve Paz Waiting").click()
    expect(page.locator(".flash-success")).to_contain_text("Paz Waiting is approved")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path=str(tmp_path / "district.png"), full_page=True)
