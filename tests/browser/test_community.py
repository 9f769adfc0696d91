"""A community of practice end to end, in real Chromium against the live server (CSRF on):
the host on a laptop creates the series and invites a district; a member on a 360 px phone
opens it from their personal link, answers the RSVP, suggests a topic and upvotes another;
the host publishes the agenda; the member sees it.
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from summit.extensions import db
from tests.browser.conftest import sign_in
from tests.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def summit(live_server):
    from summit.auth.services import create_user
    from summit.events.services import create_event
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    with live_server.app.app_context():
        event = create_event("cop-summit", "AI Leadership Summit", date(2027, 3, 1), days=2)
        create_user("lead@cop.test", "organizer", STAFF_PASSWORD, event_id=event.id)
        knox = find_or_create_organization("Knox County Schools", "TN")
        austin = find_or_create_organization("Austin Independent School District", "TX")
        people = [Attendee(event_id=event.id, organization=org, first_name=first,
                           last_name=last, email=f"{first.lower()}@example.org", role=role)
                  for org, first, last, role in (
                      (knox, "Amber", "Okafor", "Principal"),
                      (knox, "Ben", "Ruiz", "Superintendent"),
                      (austin, "Cara", "Lindqvist", "Teacher"))]
        db.session.add_all(people)
        db.session.commit()
        return {"slug": event.slug, "amber": people[0].personal_secret,
                "ben_id": people[1].id, "cara_id": people[2].id}


def the_series(live_server, slug: str):
    from summit.community import services
    from summit.community.models import CommunitySeries

    series = db.session.scalar(select(CommunitySeries).where(
        CommunitySeries.title == "Leadership AI Roundtable"))
    return series, services


def test_host_invites_member_shapes_the_agenda_on_a_phone(new_context, live_server, summit,
                                                          tmp_path):
    base, slug = live_server.url, summit["slug"]
    host = new_context(viewport=LAPTOP).new_page()
    sign_in(host, base, "lead@cop.test", target=f"/admin/e/{slug}/community")

    # The host creates the series: second Friday, 9:00-10:30 Pacific, a video link.
    host.get_by_label("Title").fill("Leadership AI Roundtable")
    host.get_by_label("From").fill(date.today().isoformat())
    host.get_by_label("Video link").fill("https://meet.example.org/roundtable")
    host.get_by_role("button", name="Create series").click()
    expect(host.get_by_text("Series created with its meetings.")).to_be_visible()
    expect(host.get_by_role("heading", name="Leadership AI Roundtable")).to_be_visible()

    # ... and invites a district in one click (Amber and Ben, not Cara).
    knox = host.locator("#segment option", has_text="Knox County Schools").first
    host.locator("#segment").select_option(knox.get_attribute("value"))
    host.get_by_role("button", name="Invite", exact=True).click()
    expect(host.get_by_text("2 invitations queued.")).to_be_visible()
    host.screenshot(path=str(tmp_path / "host-series.png"), full_page=True)

    # Ben accepted earlier and suggested a topic (the member's own steps are below, by Amber).
    with live_server.app.app_context():
        series, services = the_series(live_server, slug)
        ben = next(m for m in services.members_of(series) if m.attendee_id == summit["ben_id"])
        assert not any(m.attendee_id == summit["cara_id"] for m in services.members_of(series))
        services.accept(ben)
        services.submit_topic(ben, "question", "Who owns AI decisions in your district?")
        db.session.commit()
        series_id, meeting_id = series.id, services.next_meeting(series).id
        db.session.remove()

    # Amber, on her phone, opens her personal link, then the community.
    phone = new_context(phone=True, device_scale_factor=2).new_page()
    phone.goto(f"{base}/me/{summit['amber']}")
    phone.goto(f"{base}/e/{slug}/community")
    phone.get_by_role("link", name="Leadership AI Roundtable").click()
    phone.wait_for_url(f"{base}/e/{slug}/community/{series_id}")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_text("Welcome! You are a member.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # RSVP: yes.
    yes = phone.locator("#rsvp").get_by_role("button", name="Yes")
    yes.click()
    expect(phone.get_by_text("Thank you for answering.")).to_be_visible()
    expect(phone.locator("#rsvp").get_by_role("button", name="Yes")).to_have_attribute(
        "aria-pressed", "true")

    # A topic of her own.
    phone.get_by_text("Suggest a topic, question or practice problem").click()
    phone.get_by_label("Kind").select_option("problem")
    phone.get_by_label("In a few words").fill("Teachers grade with AI and tell no one")
    phone.get_by_role("button", name="Submit").click()
    expect(phone.get_by_text("Thank you: your topic is up for votes.")).to_be_visible()
    expect(phone.locator(".topic", has_text="Teachers grade with AI")).to_contain_text(
        "Your topic")

    # Her vote for Ben's topic: counted once, shown as hers.
    vote = phone.get_by_role("button", name="Vote for Who owns AI decisions in your district?")
    vote.click()
    voted = phone.get_by_role("button",
                              name="Remove my vote for Who owns AI decisions in your district?")
    expect(voted).to_have_attribute("aria-pressed", "true")
    expect(voted.locator(".vote-count")).to_have_text("1")
    phone.screenshot(path=str(tmp_path / "member-topics.png"), full_page=True)

    # The host publishes the agenda from the top topics (Ben's, with Amber's vote, first).
    host.goto(f"{base}/admin/e/{slug}/community/{series_id}/meetings/{meeting_id}")
    expect(host.get_by_label("Who owns AI decisions in your district?")).to_be_checked()
    host.get_by_role("button", name="Publish the agenda").click()
    expect(host.get_by_text("Agenda published; 2 members are told by email.")).to_be_visible()

    # Amber sees it on her phone.
    phone.reload()
    agenda = phone.locator("#agenda")
    expect(agenda).to_contain_text("Who owns AI decisions in your district?")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(tmp_path / "member-agenda.png"), full_page=True)
    with live_server.app.app_context():
        series, services = the_series(live_server, slug)
        amber = next(m for m in services.members_of(series) if m.attendee_id != summit["ben_id"])
        meeting = services.next_meeting(series)
        assert services.rsvps(meeting) == {amber.id: "yes"}
        assert meeting.agenda_published_at is not None
        db.session.remove()
