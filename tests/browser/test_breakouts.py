"""Breakouts in a real browser: an attendee on a 360 px phone signs up, swaps, joins a
waitlist and is promoted when another attendee gives up their seat; an organizer builds the
grid in place."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from playwright.sync_api import expect

from summit.extensions import db
from tests.browser.conftest import htmx_settled, sign_in

pytestmark = pytest.mark.browser


def _setup(app):
    from summit.breakouts import services
    from summit.events.services import create_event
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    with app.app_context():
        event = create_event("phone", "AI Leadership Summit", date(2027, 3, 1), days=2)
        big = services.save_room(event, "Ballroom A", 40, True)
        small = services.save_room(event, "Room 101", 1, True)
        morning = services.save_slot(event, 1, time(9), time(10))
        ids = {}
        for title, room, tags in (("Drafting a district AI policy", small, ["Policy"]),
                                  ("Data privacy for staff", big, ["Privacy"]),
                                  ("Coaching teachers with AI", big, ["Coaching"])):
            ids[title] = services.save_session(event, services.SessionData(
                title=title, room_id=room.id, slot_id=morning.id, tags=tags)).id
        org = find_or_create_organization("Knox County Schools", "TN")
        amy = Attendee(event_id=event.id, organization=org, first_name="Amy", last_name="Lee",
                       email="amy@example.org", status="registered")
        ben = Attendee(event_id=event.id, organization=org, first_name="Ben", last_name="Ode",
                       email="ben@example.org", status="registered")
        db.session.add_all([amy, ben])
        db.session.commit()
        services.sign_up(ben, db.session.get(services.BreakoutSession,
                                             ids["Drafting a district AI policy"]))
        db.session.commit()
        return {"slug": event.slug, "amy": amy.personal_secret, "ben": ben.id, "ids": ids,
                "small": small.id}


def test_phone_signup_swap_waitlist_and_promotion(live_server, new_context):
    app = live_server.app
    app.config["BREAKOUTS_POLL_SECONDS"] = 1
    data = _setup(app)
    page = new_context(phone=True).new_page()
    page.goto(f"{live_server.url}/me/{data['amy']}")
    page.goto(f"{live_server.url}/e/{data['slug']}/breakouts")
    policy = page.locator("article", has_text="Drafting a district AI policy")
    privacy = page.locator("article", has_text="Data privacy for staff")
    coaching = page.locator("article", has_text="Coaching teachers with AI")
    expect(policy).to_contain_text("Full")
    # Plenty of room: "40 of 40 seats left", and no label that says otherwise.
    expect(privacy.locator(".bk-seats")).to_contain_text("40 of 40 seats left")
    expect(privacy.locator(".bk-label")).to_have_count(0)

    htmx_settled(page)
    privacy.get_by_role("button", name=re.compile("Take a seat")).click()
    expect(privacy).to_contain_text("You're in")
    expect(page.locator("#bk-message")).to_contain_text("You have a seat in “Data privacy")

    htmx_settled(page)
    coaching.get_by_role("button", name=re.compile("Switch to this session")).click()
    expect(coaching).to_contain_text("You're in")
    expect(privacy).not_to_contain_text("You're in")
    expect(page.locator("#bk-message")).to_contain_text("went back to the pool")

    htmx_settled(page)
    policy.get_by_role("button", name=re.compile("Join the waitlist")).click()
    expect(policy).to_contain_text("Waitlist: number 1")
    expect(coaching).to_contain_text("You're in")  # the first seat is kept
    expect(page.locator("#bk-message")).to_contain_text("You keep your seat in “Coaching")

    # Ben gives up his seat (from his own phone; a direct service call here).
    from summit.breakouts import services
    from summit.registration.models import Attendee

    with app.app_context():
        ben = db.session.get(Attendee, data["ben"])
        services.leave(ben, db.session.get(services.BreakoutSession,
                                           data["ids"]["Drafting a district AI policy"]))
        db.session.commit()

    # The live list notices within a poll or two: Amy is promoted and Coaching is released.
    notice = page.locator(".bk-notice")
    expect(notice).to_contain_text("a seat in “Drafting a district AI policy” opened up",
                                   timeout=8_000)
    expect(notice).to_contain_text("Your seat in “Coaching teachers with AI”")
    expect(policy).to_contain_text("You're in")
    expect(coaching).not_to_contain_text("You're in")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    notice.get_by_role("button", name="OK, got it").click()
    expect(page.locator(".bk-notice")).to_have_count(0)
    # Once nothing changes, polls are answered 304 Not Modified (ETag) and the page stays put.
    with page.expect_response(lambda r: "/breakouts" in r.url and r.status == 304,
                              timeout=8_000):
        pass
    expect(page.locator(".bk-notice")).to_have_count(0)
    expect(policy).to_contain_text("You're in")

    page.goto(f"{live_server.url}/e/{data['slug']}/agenda")
    expect(page.locator("#my-agenda")).to_contain_text("Drafting a district AI policy")
    expect(page.locator("#my-agenda")).to_contain_text("Room 101")
    expect(page.locator("#my-agenda")).not_to_contain_text("Coaching")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_organizer_builds_the_grid_in_place(live_server, new_context):
    from tests.conftest import STAFF_PASSWORD

    app = live_server.app
    data = _setup(app)
    with app.app_context():
        from summit.auth.services import create_user

        create_user("org@example.org", "organizer", STAFF_PASSWORD)
        db.session.commit()
    page = new_context().new_page()
    sign_in(page, live_server.url, "org@example.org",
            target=f"/admin/e/{data['slug']}/breakouts")
    expect(page.locator("#conflicts")).to_contain_text("1 conflict to resolve")  # Ballroom A
    page.get_by_role("link", name="Add a session in Room 101 at 09:00–10:00").click()
    editor = page.locator("#session-editor")
    expect(editor).to_be_visible()
    editor.locator("input[name=title]").fill("AI and family communication")
    editor.locator("input[name=capacity]").fill("12")
    editor.get_by_role("button", name="Add session").click()
    expect(page.locator("#session-editor")).to_have_count(0)
    expect(page.locator(".bk-grid")).to_contain_text("AI and family communication")
    expect(page.locator("#conflicts")).to_contain_text("allows 12 people but Room 101 seats 1")
    # Open the new card, move it to the ballroom: the capacity conflict is gone, a booking one
    # appears, all without a page load.
    page.locator(".bk-card-title", has_text="AI and family communication").click()
    page.locator("#s-room").select_option(label="Ballroom A (40 seats)")
    page.locator("#session-editor").get_by_role("button", name="Save").click()
    expect(page.locator("#conflicts")).not_to_contain_text("seats 1")
    expect(page.locator("#conflicts")).to_contain_text("Ballroom A is booked twice")
    # Drag the card back to Room 101 (the drag-and-drop move): now Room 101 is double-booked.
    expect(page.locator("#session-editor")).to_have_count(0)
    card = page.locator(".bk-card").filter(
        has=page.locator(".bk-card-title", has_text="AI and family communication"))
    target = page.locator(f"td.bk-cell[data-room-id='{data['small']}']")
    card.drag_to(target)
    expect(page.locator("#conflicts")).to_contain_text(
        "Room 101 is booked twice: “AI and family communication”")
    expect(target.locator(".bk-card-title", has_text="AI and family communication")
           ).to_have_count(1)


def test_giving_up_a_seat_asks_first(live_server, new_context):
    """A mis-tap must not hand a seat in a full session to the waitlist: the phone asks."""
    data = _setup(live_server.app)
    page = new_context(phone=True).new_page()
    page.goto(f"{live_server.url}/me/{data['amy']}")
    page.goto(f"{live_server.url}/e/{data['slug']}/breakouts")
    privacy = page.locator("article", has_text="Data privacy for staff")
    htmx_settled(page)
    privacy.get_by_role("button", name=re.compile("Take a seat")).click()
    expect(privacy).to_contain_text("You're in")

    asked = []

    def answer(dialog, accept: bool):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    htmx_settled(page)
    privacy.get_by_role("button", name=re.compile("Give up my seat")).click()
    assert asked and "Give up your seat in “Data privacy for staff”" in asked[0]
    htmx_settled(page)
    expect(privacy).to_contain_text("You're in")  # "Cancel": nothing was sent
    assert seats_in(live_server.app, data["ids"]["Data privacy for staff"]) == 1

    page.once("dialog", lambda d: answer(d, True))
    privacy.get_by_role("button", name=re.compile("Give up my seat")).click()
    expect(privacy.get_by_role("button", name=re.compile("Take a seat"))).to_be_visible()
    assert len(asked) == 2
    assert seats_in(live_server.app, data["ids"]["Data privacy for staff"]) == 0


def seats_in(app, session_id: int) -> int:
    from sqlalchemy import func, select

    from summit.breakouts.models import Enrollment

    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(Enrollment).where(
            Enrollment.session_id == session_id, Enrollment.status == "enrolled"))
        db.session.remove()
        return n
