"""Attendees' phones at 360 px (issue 17, items 4 to 6): banners with room to breathe, a late
registrant's homeroom table, and the small things that read wrong.

Real Chromium at 360x740 (device scale factor 2, a touch screen) against the live server, with
CSRF on; staff pages at 1366x768. Every wait is for a condition. Screenshots are written to the
test's temporary folder (kept by pytest) to be looked at.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from summit.extensions import db
from tests.browser.conftest import htmx_settled, sign_in
from tests.browser.test_accessibility import serious_violations

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
LONG_TEXT = (
    "Lunch has moved from the Grand Ballroom to Hall B on the lower level because of a water "
    "leak; take the escalators by registration, follow the blue signs past the exhibitors, and "
    "bring your badge: the caterers check it at the door. Vegetarian plates are at the far end.")

# The point at the centre of an element, and what a tap there reaches (the element itself or
# something inside it, never a banner or anything else on top of it).
TAP_REACHES = """(el) => {
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return hit !== null && (hit === el || el.contains(hit));
}"""


def phone(new_context, **options):
    return new_context(phone=True, **{**PHONE, **options}).new_page()


def banner_height(page) -> float:
    return page.locator("#live-banner").evaluate("el => el.getBoundingClientRect().height")


# --- 4. banners take at most 15% of the screen ---------------------------------------------


def _announcement_world(app):
    from summit.auth.services import create_user
    from summit.events.services import create_event
    from summit.messages import live
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    with app.app_context():
        event = create_event("banner-summit", "Banner Summit", date(2027, 3, 1), days=2)
        db.session.flush()
        attendee = Attendee(event_id=event.id, first_name="Pat", last_name="Ng",
                            email="pat@example.org", status="registered",
                            organization=find_or_create_organization("Knox County", "TN"))
        db.session.add(attendee)
        organizer = create_user("boss@staff.test", "organizer", "correct horse battery",
                                event_id=event.id)
        live.post(event, "Coffee is served in the foyer until 9:30.", user=organizer)
        live.post(event, LONG_TEXT, level="urgent", link="/e/banner-summit/", user=organizer)
        db.session.commit()
        data = {"slug": event.slug, "secret": attendee.personal_secret}
        db.session.remove()
        return data


def test_phone_banner_is_one_line_opens_on_a_tap_and_stays_dismissed(
        live_server, new_context, tmp_path):
    data = _announcement_world(live_server.app)
    base = live_server.url
    page = phone(new_context)
    page.goto(f"{base}/me/{data['secret']}")
    page.wait_for_url(f"{base}/e/{data['slug']}/me")
    banner = page.locator("#live-banner")
    expect(banner.locator(".live-bar")).to_have_attribute("role", "alert")  # urgent first
    assert banner_height(page) <= 0.15 * 740

    # On My summit the banner's announcements are not listed a second time below it.
    expect(banner).to_contain_text("Lunch has moved from the Grand")
    expect(page.locator("main")).not_to_contain_text("Lunch has moved")
    expect(page.locator("main")).not_to_contain_text("Coffee is served")
    expect(page.locator("#my-announcements")).to_have_count(0)

    # A confirmation below the banner is what a tap at its centre reaches.
    page.goto(f"{base}/e/{data['slug']}/topics")
    page.get_by_text("Suggest a topic").tap()
    page.get_by_label("In a few words").fill("Sharing AI lesson plans across districts")
    page.get_by_role("button", name="Submit").tap()
    flash = page.locator(".flash-success")
    expect(flash).to_contain_text("your topic is up for votes")
    assert banner_height(page) <= 0.15 * 740
    assert flash.evaluate(TAP_REACHES)
    page.screenshot(path=str(tmp_path / "banner-closed.png"))

    # A tap on the line opens the full text of each announcement.
    htmx_settled(page)
    full = banner.locator(".live-full")
    expect(full).to_be_hidden()
    banner.locator(".live-summary").tap()
    expect(full).to_be_visible()
    expect(full.get_by_text(LONG_TEXT[-40:], exact=False)).to_be_visible()
    expect(full).to_contain_text("Coffee is served in the foyer")
    # Open, the banner pushes the page down: it never lies on top of the confirmation.
    flash.scroll_into_view_if_needed()
    assert flash.evaluate(TAP_REACHES)
    assert not serious_violations(page, "topics with the banner open")
    page.screenshot(path=str(tmp_path / "banner-open.png"))

    # × dismisses the one shown; the next takes its place, in one line again.
    banner.get_by_role("button", name="Dismiss this announcement").tap()
    expect(banner.locator(".live-summary")).to_contain_text("Coffee is served")
    expect(banner).not_to_contain_text("Lunch has moved")
    assert banner_height(page) <= 0.15 * 740
    # The banner keeps polling with its ETag, and the answer is "nothing changed".
    with page.expect_response(lambda r: r.url.endswith("/live/banner") and r.status == 304):
        pass
    expect(banner).not_to_contain_text("Lunch has moved")

    # Remembered on the server: a reload, and the attendee's other phone, do not show it.
    page.reload()
    expect(banner.locator(".live-summary")).to_contain_text("Coffee is served")
    expect(banner).not_to_contain_text("Lunch has moved")
    other = phone(new_context)
    other.goto(f"{base}/me/{data['secret']}")
    expect(other.locator("#live-banner .live-summary")).to_contain_text("Coffee is served")
    expect(other.locator("#live-banner")).not_to_contain_text("Lunch has moved")
    # ... and My summit lists it once, with the earlier announcements.
    expect(other.locator("#my-announcements")).to_contain_text("Lunch has moved")
    expect(other.locator("main").get_by_text("Lunch has moved from the Grand")).to_have_count(1)
    other.screenshot(path=str(tmp_path / "my-summit-after-dismiss.png"), full_page=True)


def test_staff_dismiss_a_banner_in_their_browser(live_server, new_context, tmp_path):
    data = _announcement_world(live_server.app)
    base, slug = live_server.url, data["slug"]
    page = new_context(**LAPTOP).new_page()
    sign_in(page, base, "boss@staff.test", target=f"/admin/e/{slug}/announcements")
    page.fill("textarea[name=text]", "Room 204 is closed; the data privacy session is in 210.")
    page.click("#announce button")
    flash = page.locator(".flash-success")
    expect(flash).to_contain_text("Posted.")
    banner = page.locator("#live-banner")
    expect(banner.locator(".live-summary")).to_contain_text("Lunch has moved")  # urgent first
    assert banner_height(page) <= 0.15 * 768
    assert flash.evaluate(TAP_REACHES)
    page.screenshot(path=str(tmp_path / "staff-banner.png"))

    htmx_settled(page)
    banner.get_by_role("button", name="Dismiss this announcement").click()
    expect(banner.locator(".live-summary")).to_contain_text("Room 204 is closed")
    page.goto(f"{base}/admin/e/{slug}/")
    expect(banner.locator(".live-summary")).to_contain_text("Room 204 is closed")
    expect(banner).not_to_contain_text("Lunch has moved")
    with page.expect_response(lambda r: r.url.endswith("/live/banner") and r.status == 304):
        pass
    expect(banner).not_to_contain_text("Lunch has moved")
    # Per browser: another browser signed in as the same organizer still shows it.
    other = new_context(**LAPTOP).new_page()
    sign_in(other, base, "boss@staff.test", target=f"/admin/e/{slug}/")
    expect(other.locator("#live-banner .live-summary")).to_contain_text("Lunch has moved")


# --- 5. late registrants see their homeroom at once --------------------------------------


def test_a_late_registrant_sees_a_table_on_my_summit_at_once(live_server, new_context, tmp_path):
    from summit.events.services import create_event
    from summit.homerooms import services
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    with live_server.app.app_context():
        live_server.app.config["HOMEROOMS_ANNEAL_ITERATIONS"] = 2000
        event = create_event("late-summit", "Late Summit", date(2027, 3, 1), days=2)
        districts = [("Knox County Schools", "TN"), ("Austin ISD", "TX"), ("Denver", "CO")]
        for i in range(12):
            name, state = districts[i % 3]
            db.session.add(Attendee(event_id=event.id, first_name=f"Ana{i}", last_name="Ruiz",
                                    email=f"ana{i}@example.org", status="registered",
                                    organization=find_or_create_organization(name, state)))
        services.create_tables(event, 4, 4)
        db.session.commit()
        services.assign(event, seed=3)  # seated, and committed, before the registration
        db.session.remove()

    base = live_server.url
    page = phone(new_context)
    page.goto(f"{base}/e/late-summit/register")
    page.get_by_label("First name").fill("Lou")
    page.get_by_label("Last name").fill("Late")
    page.get_by_label("Email", exact=True).fill("lou.late@example.org")
    page.get_by_label("District or organization").fill("Mesa Public Schools")
    page.get_by_label("State or province").fill("AZ")
    page.get_by_label("Role").select_option("Principal")
    page.get_by_role("button", name="Register").tap()
    page.wait_for_url(f"{base}/e/late-summit/registered")
    page.get_by_role("link", name="Go to My summit").tap()
    page.wait_for_url(f"{base}/e/late-summit/me")
    # The first load of My summit shows the table (the seat came with the registration).
    expect(page.locator("#my-homeroom")).to_have_text(re.compile(r"^Table \d+$"))
    expect(page.locator("#my-homerooms h3")).to_have_count(2)  # day 1 and day 2
    page.screenshot(path=str(tmp_path / "late-registrant.png"), full_page=True)
    with live_server.app.app_context():
        from summit.homerooms.api import table_of

        lou = db.session.scalar(select(Attendee).where(Attendee.email == "lou.late@example.org"))
        expect(page.locator("#my-homeroom")).to_have_text(table_of(lou.id, 1).label)
        db.session.remove()


# --- 6. small things that read wrong ------------------------------------------------------


def _summit_today(app):
    """A summit whose first day is today (UTC), seated, with breakouts and a topic: the day
    itself, as a phone sees it."""
    from datetime import time

    from summit.breakouts import services as breakouts
    from summit.database import utcnow
    from summit.events.services import create_event
    from summit.homerooms import services as homerooms
    from summit.plans import topics
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    with app.app_context():
        app.config["HOMEROOMS_ANNEAL_ITERATIONS"] = 2000
        event = create_event("today", "AI in Education Leadership Summit", utcnow().date(),
                             days=3, timezone="UTC", venue="Centre des congrès de Québec")
        people = []
        for first, district, state in (
                ("Amber", "Commission scolaire de la Capitale", "QC"),
                ("Ben", "Austin ISD", "TX"), ("Chloé", "Knox County Schools", "TN"),
                ("Dev", "Denver Public Schools", "CO")):
            person = Attendee(event_id=event.id, first_name=first, last_name="Ruiz",
                              email=f"{first.lower()}@example.org", status="registered",
                              role="Principal",
                              organization=find_or_create_organization(district, state))
            db.session.add(person)
            people.append(person)
        homerooms.create_tables(event, 2, 4)
        db.session.commit()
        homerooms.assign(event, seed=1)
        amber, ben = people[0], people[1]
        hall = breakouts.save_room(event, "Grand Hall", 120, True)
        room = breakouts.save_room(event, "Room 204", 30, True)

        def session(title, day, start, where):
            slot = breakouts.save_slot(event, day, start, time(start.hour, 50))
            return breakouts.save_session(event, breakouts.SessionData(
                title=title, room_id=where.id, slot_id=slot.id))

        # "Midnight" sessions have started (day 1 is today, in UTC); day 2's have not.
        mine = session("Drafting a district AI policy", 1, time(0, 0), room)
        session("Data privacy for staff", 1, time(0, 1), hall)  # not hers
        later = session("Assessment redesign", 2, time(9), hall)
        breakouts.sign_up(amber, mine)
        breakouts.sign_up(amber, later)
        topics.submit(event, amber, "topic", "Sharing AI lesson plans")
        topics.submit(event, ben, "question", "How do we vet AI tools?")
        db.session.commit()
        data = {"slug": event.slug, "secret": amber.personal_secret, "mine": mine.id,
                "later": later.id}
        db.session.remove()
        return data


def test_small_things_read_right_on_a_phone(live_server, new_context, tmp_path):
    data = _summit_today(live_server.app)
    base, slug = live_server.url, data["slug"]
    page = phone(new_context)
    page.goto(f"{base}/me/{data['secret']}")
    page.wait_for_url(f"{base}/e/{slug}/me")

    # "Limited" on a session with every seat free: no label, the count says it.
    page.goto(f"{base}/e/{slug}/breakouts")
    privacy = page.locator("article", has_text="Data privacy for staff")
    expect(privacy.locator(".bk-seats")).to_have_text("120 of 120 seats left")
    expect(privacy.locator(".bk-label")).to_have_count(0)

    # Feedback: today (day 1) and the session she held a seat in, which has started; not the
    # days to come, nor a session she did not attend, nor one that has not started.
    page.goto(f"{base}/e/{slug}/feedback")
    targets = page.locator(".target-list li")
    expect(targets).to_have_count(2)
    expect(targets.nth(0)).to_contain_text("Day 1")
    expect(targets.nth(1)).to_have_text("Drafting a district AI policy")
    assert not serious_violations(page, "feedback list")
    page.goto(f"{base}/e/{slug}/feedback/s{data['later']}")
    expect(page.locator("#feedback-closed")).to_have_text("Feedback on this opens when it starts.")
    assert not serious_violations(page, "feedback not open yet")

    # The 1-5 rating on one line at 360 px, every option inside the form.
    page.goto(f"{base}/e/{slug}/feedback/d1")
    options = page.locator(".rating-option")
    expect(options).to_have_count(5)
    boxes = [options.nth(i).bounding_box() for i in range(5)]
    form = page.locator("form.feedback-form").bounding_box()
    assert len({round(b["y"]) for b in boxes}) == 1, boxes
    assert boxes[-1]["x"] + boxes[-1]["width"] <= form["x"] + form["width"]
    options.nth(3).tap()
    expect(options.nth(3).locator("input")).to_be_checked()
    page.screenshot(path=str(tmp_path / "rating.png"), full_page=True)

    # Her own topic has no vote button; someone else's has one.
    page.goto(f"{base}/e/{slug}/topics")
    own = page.locator(".topic", has_text="Sharing AI lesson plans")
    expect(own).to_contain_text("Your topic")
    expect(own.get_by_role("button")).to_have_count(0)
    other = page.locator(".topic", has_text="How do we vet AI tools?")
    htmx_settled(page)
    other.get_by_role("button", name="Vote for How do we vet AI tools?").tap()
    expect(other.locator(".vote-count")).to_have_text("1")
    htmx_settled(page)
    assert not serious_violations(page, "topics with one's own")
    page.screenshot(path=str(tmp_path / "topics.png"), full_page=True)

    # The plan page's breadcrumb names the page, not the event.
    page.goto(f"{base}/e/{slug}/plan")
    crumbs = page.get_by_role("navigation", name="Breadcrumb").locator("li")
    expect(crumbs).to_have_text(["My summit", "My action plan"])
    expect(crumbs.last).to_have_attribute("aria-current", "page")
    page.screenshot(path=str(tmp_path / "plan.png"))


def test_french_label_and_value_rows_do_not_wrap_word_by_word(live_server, new_context,
                                                               tmp_path):
    data = _summit_today(live_server.app)
    base, slug = live_server.url, data["slug"]
    page = phone(new_context, locale="fr-CA", extra_http_headers={"Accept-Language": "fr-CA"})
    page.goto(f"{base}/me/{data['secret']}")
    page.wait_for_url(f"{base}/e/{slug}/me")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    facts = page.locator("dl.facts")
    expect(facts.locator("dt", has_text="Table d’attache aujourd’hui")).to_be_visible()
    width = facts.bounding_box()["width"]
    for cell in facts.locator("dt, dd").all():
        # Each label and value has (at least) half the row: never a column one word wide.
        assert cell.bounding_box()["width"] >= width / 2, cell.inner_text()
    page.screenshot(path=str(tmp_path / "my-summit-fr.png"), full_page=True)
    page.goto(f"{base}/e/{slug}/plan")
    expect(page.get_by_role("navigation", name="Fil d’Ariane").locator("li")).to_have_text(
        ["Mon sommet", "Mon plan d’action"])
    page.goto(f"{base}/e/{slug}/feedback/d1")
    boxes = [b.bounding_box() for b in page.locator(".rating-option").all()]
    assert len({round(b["y"]) for b in boxes}) == 1
    page.screenshot(path=str(tmp_path / "feedback-fr.png"), full_page=True)
