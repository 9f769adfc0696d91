"""Accessibility in real Chromium: axe-core (the copy bundled in axe-playwright-python, never
fetched at test time) finds no serious or critical violation on the attendee pages, the
check-in desk and its live counts; registering and checking someone in work with the keyboard
alone."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from summit.extensions import db
from tests.browser.conftest import sign_in
from tests.browser.hardening_pages import (
    ATTENDEE_PAGES,
    DESK_PAGES,
    seed,
    settle,
    sign_in_attendee,
    sign_in_staff,
    url,
)
from tests.security.world import PASSWORD

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")
# Structure rules checked whatever their impact: headings in order, content in landmarks.
STRUCTURE = {"heading-order", "region", "landmark-one-main", "page-has-heading-one",
             "landmark-unique", "landmark-no-duplicate-main", "bypass", "empty-table-header"}


def serious_violations(page, where: str) -> list[str]:
    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING or violation["id"] in STRUCTURE:
            targets = [", ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
            found.append(f"{where}: [{violation['impact']}] {violation['id']}: "
                         f"{violation['help']} at {targets}")
    return found


def test_axe_finds_no_serious_violation_on_attendee_pages(live_server, new_context):
    world = seed(live_server)
    page = new_context(phone=True).new_page()
    problems = []
    page.goto(url(live_server, world, "/e/{slug}/register"))
    settle(page)
    problems += serious_violations(page, "registration form")
    page.get_by_role("button", name="Register").click()  # everything empty: the error state
    expect(page.get_by_role("alert").first).to_be_visible()
    settle(page)
    problems += serious_violations(page, "registration form with errors")
    page.get_by_label("First name").fill("Zoë")
    page.get_by_label("Last name").fill("O'Brien")
    page.get_by_label("Email", exact=True).fill("zoe@example.org")
    page.get_by_label("District or organization").fill("Knox County Schools")
    page.get_by_label("State or province").fill("TN")
    page.get_by_label("Role").select_option("Principal")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="You're registered, Zoë!")).to_be_visible()
    settle(page)
    problems += serious_violations(page, "confirmation")

    sign_in_attendee(page, live_server, world)
    for name, path in ATTENDEE_PAGES:
        page.goto(url(live_server, world, path))
        settle(page)
        if name == "my summit":  # with its panels: homeroom table, breakouts, plan
            expect(page.locator("#my-homerooms")).to_contain_text("Your homeroom table")
            settle(page)
        problems += serious_violations(page, name)
    assert not problems, "\n".join(problems)


def test_axe_finds_no_serious_violation_on_the_public_program(live_server, new_context):
    """The event page's program, signed in as nobody, on a phone (as loaded, then filtered
    by htmx), in French, and the embed and the organizer's program page on a laptop."""
    world = seed(live_server)
    problems = []
    phone = new_context(phone=True, device_scale_factor=2).new_page()
    phone.goto(url(live_server, world, "/e/{slug}/"))
    settle(phone)
    expect(phone.locator("#program")).to_contain_text("Opening keynote")
    problems += serious_violations(phone, "public program")
    phone.locator("#program").get_by_role("link", name="Policy").first.click()
    phone.wait_for_url(url(live_server, world, "/e/{slug}/?tag=Policy"))
    expect(phone.locator("#program")).to_contain_text("Breakout sessions on")
    settle(phone)
    problems += serious_violations(phone, "public program filtered by topic")
    phone.get_by_role("button", name="Français").click()
    expect(phone.locator("#program")).to_contain_text("Programme")
    settle(phone)
    problems += serious_violations(phone, "public program in French")
    laptop = new_context().new_page()
    laptop.goto(url(live_server, world, "/e/{slug}/program/embed"))
    settle(laptop)
    problems += serious_violations(laptop, "embedded program")
    sign_in_staff(laptop, live_server, world.organizer)
    laptop.goto(url(live_server, world, "/admin/e/{slug}/program"))
    settle(laptop)
    problems += serious_violations(laptop, "organizer's program page")
    laptop.get_by_role("button", name="Add to the program").click()  # empty: the error state
    expect(laptop.get_by_role("alert").first).to_be_visible()
    settle(laptop)
    problems += serious_violations(laptop, "organizer's program page with errors")
    assert not problems, "\n".join(problems)


def test_axe_finds_no_serious_violation_on_the_desk(live_server, new_context):
    world = seed(live_server)
    page = new_context().new_page()
    sign_in_staff(page, live_server, world.checkin)
    problems = []
    for name, path in DESK_PAGES:
        page.goto(url(live_server, world, path))
        settle(page)
        problems += serious_violations(page, name)
    page.goto(url(live_server, world, "/admin/e/{slug}/checkin"))
    settle(page)
    page.get_by_label("Forgot the QR code? Find by name").fill("Okafor")
    page.get_by_role("button", name="Check in Amber Okafor").click()
    expect(page.locator("#result-panel")).to_contain_text("Amber Okafor")
    settle(page)
    problems += serious_violations(page, "desk after a check-in")
    assert not problems, "\n".join(problems)


def test_axe_sees_a_real_problem(live_server, new_context):
    """The check can fail: an unlabeled field and an empty button are reported."""
    world = seed(live_server)
    page = new_context().new_page()
    page.goto(url(live_server, world, "/e/{slug}/register"))
    settle(page)
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', "
                  "'<input type=text><button></button>')")
    found = " ".join(serious_violations(page, "broken on purpose"))
    assert "button-name" in found


def focused(page) -> str:
    return page.evaluate("document.activeElement && (document.activeElement.id || "
                         "document.activeElement.getAttribute('name') || "
                         "document.activeElement.textContent.trim())")


def tab_until(page, predicate: str, what: str, limit: int = 40) -> None:
    """Press Tab until ``predicate`` (JS, given the focused element ``el``) holds; the focused
    element must show a visible focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => !!el && ({predicate}))(document.activeElement)"):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline not in ("none", ""), f"{what} has no visible focus ring"
            return
    raise AssertionError(f"Tab never reached {what}; last focus: {focused(page)}")


def tab_to(page, target_id: str) -> None:
    tab_until(page, f"el.id === {target_id!r}", f"#{target_id}")


def test_register_with_the_keyboard_alone(live_server, new_context):
    from summit.registration.models import Attendee

    world = seed(live_server)
    page = new_context().new_page()
    page.goto(url(live_server, world, "/e/{slug}/register"))
    settle(page)
    # The skip link is the first stop and jumps to the content.
    page.keyboard.press("Tab")
    assert focused(page) == "Skip to content"
    page.keyboard.press("Enter")
    tab_to(page, "first_name")
    page.keyboard.type("Zoë")
    page.keyboard.press("Tab")
    page.keyboard.type("O'Brien")
    tab_to(page, "email")
    page.keyboard.type("zoe.obrien@example.org")
    tab_to(page, "organization")
    page.keyboard.type("Knox County Schools")
    tab_to(page, "state")
    page.keyboard.type("TN")
    tab_to(page, "role")
    page.keyboard.type("P")  # type-ahead picks the only option starting with P (one key: the
    # select's type-ahead forgets what was typed after a second, which a busy machine can take)
    assert page.eval_on_selector("#role", "el => el.value") == "Principal"
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Register'",
              "the Register button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="You're registered, Zoë!")).to_be_visible()
    with live_server.app.app_context():
        person = db.session.scalar(select(Attendee).where(
            Attendee.email == "zoe.obrien@example.org"))
        assert person is not None and person.status == "registered"
        db.session.remove()


def test_check_in_by_name_with_the_keyboard_alone(live_server, new_context):
    from summit.checkin.models import Checkin

    world = seed(live_server)
    page = new_context().new_page()
    desk = f"/admin/e/{world.slug}/checkin"
    page.goto(f"{live_server.url}/login?next={desk}")
    page.keyboard.press("Tab")  # skip link
    tab_to(page, "email")
    page.keyboard.type(world.checkin)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + desk)  # exact: "**" + desk matches /login?next=…
    settle(page)
    tab_to(page, "name-search")
    page.keyboard.type("Okafor")
    button = page.get_by_role("button", name="Check in Amber Okafor")
    expect(button).to_be_visible()
    tab_until(page, "el.getAttribute('aria-label') === 'Check in Amber Okafor'",
              "the check-in button", limit=10)
    page.keyboard.press("Enter")
    expect(page.locator("#result-panel")).to_contain_text("Amber Okafor")
    with live_server.app.app_context():
        assert db.session.scalar(select(Checkin).where(
            Checkin.attendee_id == world.amber_id)) is not None
        db.session.remove()


def test_axe_finds_no_serious_violation_on_the_seating_board(live_server, new_context):
    """The dense board at 44 tables, as it loads, while a person is selected (the "Move here"
    buttons), and with a refusal in the toast and on the table."""
    from tests.browser.big_summit import ORGANIZER, build_big_summit

    summit = build_big_summit(live_server.app)
    page = new_context(viewport={"width": 1366, "height": 768}).new_page()
    sign_in(page, live_server.url, ORGANIZER, PASSWORD, f"/admin/e/{summit.slug}/homerooms")
    settle(page)
    problems = serious_violations(page, "seating board")
    t1, t2 = summit.table_ids[:2]
    page.locator(f"#hr-table-{t1} .hr-pick").first.click()
    expect(page.locator("#hr-selection")).to_be_visible()
    problems += serious_violations(page, "seating board, a person selected")
    page.locator(f"#hr-table-{t2} .hr-move-here").click()
    expect(page.locator("#hr-status")).to_contain_text("is full")
    settle(page)
    problems += serious_violations(page, "seating board, a move refused")
    assert not problems, "\n".join(problems)
