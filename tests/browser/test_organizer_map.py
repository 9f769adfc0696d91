"""The organizer's map in Chromium at 1366×768 (the facilitator's table at 360×740): the
grouped navigation, the dense seating board with answers where the organizer is looking, and
results organizers can use."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.big_summit import (
    FACILITATOR,
    HEARING,
    ORGANIZER,
    PASSWORD,
    WHEELCHAIR,
    build_big_summit,
)
from tests.browser.conftest import htmx_settled, sign_in

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
SHOTS = "test-results/organizer-map"


def shot(page, name: str) -> None:
    page.screenshot(path=f"{SHOTS}/{name}.png")


def in_viewport(page, selector: str) -> bool:
    """Whether the element is inside the window and is what a click at its centre reaches."""
    return page.evaluate("""sel => {
        const el = document.querySelector(sel);
        if (!el) return false;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.top < 0 || r.left < 0 || r.bottom > innerHeight
            || r.right > innerWidth) return false;
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return !!hit && (hit === el || el.contains(hit));
    }""", selector)


@pytest.fixture
def big(live_server):
    live_server.app.config["HOMEROOMS_ANNEAL_ITERATIONS"] = 500
    return live_server, build_big_summit(live_server.app)


def test_9_the_seating_board_shows_20_tables_and_answers_where_the_organizer_looks(
        big, new_context):
    server, summit = big
    page = new_context(**LAPTOP).new_page()
    sign_in(page, server.url, ORGANIZER, PASSWORD, f"/admin/e/{summit.slug}/homerooms")
    htmx_settled(page)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 5_000, f"the board is {height} px tall at 44 tables"
    # Scrolled to the board, the window shows at least 20 whole tables.
    page.locator("#hr-board").evaluate("el => el.scrollIntoView({block: 'start'})")
    visible = page.evaluate("""() => [...document.querySelectorAll('.hr-table')].filter(t => {
        const r = t.getBoundingClientRect();
        return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
    }).length""")
    shot(page, "seating-board")
    assert visible >= 20, f"only {visible} whole tables in the window"

    # A refused move, by drag and drop: Table 1's first person onto Table 2 (full). The answer
    # is in the window (a toast that nothing covers) and on Table 2, announced politely.
    t1, t2, t44 = summit.table_ids[0], summit.table_ids[1], summit.table_ids[-1]
    name = summit.first_person[1]
    page.locator(f'#hr-table-{t1} li.hr-chip[data-attendee-id]').first.drag_to(
        page.locator(f"#hr-table-{t2} .hr-chips"))
    status = page.locator("#hr-status")
    expect(status).to_contain_text("Table 2 is full (8 seats) on day 1.")
    expect(page.locator(f"#hr-table-{t2}-note")).to_contain_text("Table 2 is full")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    assert in_viewport(page, "#hr-status .hr-toast"), "the refusal is out of sight"
    assert in_viewport(page, f"#hr-table-{t2}-note")
    shot(page, "seating-board-refused")

    # A move to the last table (2 people, far below), by keyboard: select the person, then
    # "Move here" on Table 44. The answer is in the window, and so is the person.
    chip = page.locator(f'#hr-table-{t1} .hr-pick[data-name="{name}"]')
    chip.focus()
    page.keyboard.press("Enter")
    expect(chip).to_have_attribute("aria-pressed", "true")
    page.locator(f"#hr-table-{t44} .hr-move-here").focus()
    page.keyboard.press("Enter")
    expect(status).to_contain_text(f"{name} moved to Table 44 for day 1.")
    moved = f'#hr-table-{t44} .hr-pick[data-name="{name}"]'
    expect(page.locator(moved)).to_be_visible()
    assert in_viewport(page, "#hr-status .hr-toast")
    page.wait_for_function("""sel => { const r = document.querySelector(sel)
        .getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }""", arg=moved)
    expect(page.locator(f"#hr-table-{t44}-note")).to_contain_text(f"{name} moved here.")
    expect(page.locator(f"#hr-table-{t2}-note")).to_be_empty()  # the old answer is gone
    shot(page, "seating-board-moved")


def test_10_the_facilitators_table_shows_accessibility_needs_on_a_phone(big, new_context):
    """360×740, device scale 2: the people of the hosted table, with their accessibility
    needs, readable without scrolling sideways."""
    server, summit = big
    page = new_context(**PHONE).new_page()
    sign_in(page, server.url, FACILITATOR, PASSWORD, f"/admin/e/{summit.slug}/my-table?day=1")
    expect(page.get_by_role("heading", name="Table 5")).to_be_visible()
    members = page.locator(".hr-member")
    expect(members).to_have_count(8)
    needs = page.locator(".hr-member.has-needs")
    expect(needs).to_have_count(2)
    expect(needs.first).to_contain_text("Needs an accessible place.")
    expect(needs.first).to_contain_text(WHEELCHAIR)
    expect(needs.nth(1)).to_contain_text(HEARING)
    expect(page.locator("#hr-needs-summary")).to_contain_text("1 person needs")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide on a 360 px phone"
    for i in range(2):
        box = needs.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    # The facilitator's navigation is their own short list.
    nav = page.locator("nav.event-nav a")
    expect(nav).to_have_text(["Overview", "My table", "My sessions", "Table progress",
                              "Live Q&A"])
    needs.nth(1).scroll_into_view_if_needed()
    shot(page, "my-table-phone")


def nav_rows(page) -> list[float]:
    """The distinct tops of the event navigation's links: one per row."""
    return sorted({round(box["y"]) for box in (
        link.bounding_box() for link in page.locator("nav.event-nav a").all())})


def test_8_the_navigation_is_grouped_by_stage_and_the_overview_says_what_to_do_next(
        big, new_context):
    server, summit = big
    page = new_context(**LAPTOP).new_page()
    sign_in(page, server.url, ORGANIZER, PASSWORD, f"/admin/e/{summit.slug}/")
    main = page.locator(".event-nav-main a")
    expect(main).to_have_text(["Overview", "Before", "Program", "On the day", "After"])
    assert len(nav_rows(page)) == 1  # was 21 tabs in three rows
    steps = page.locator("#next-steps")
    expect(steps).to_contain_text("Badges not printed for 346 people: print badges")
    expect(steps).to_contain_text("No breakout sessions yet: add sessions")
    expect(steps).to_contain_text("Everyone registered has a homeroom seat on day 1")
    assert "flask --app" not in page.content()
    shot(page, "overview")
    # A stage opens its first page, with the stage's pages on a second row.
    page.get_by_role("link", name="After", exact=True).click()
    page.wait_for_url(f"{server.url}/admin/e/{summit.slug}/feedback")
    expect(page.locator(".event-nav-pages a")).to_have_text(
        ["Feedback", "Plans", "Messages", "Log", "Learning credit", "Communities"])
    expect(page.locator(".event-nav-main a[aria-current]")).to_have_text("After")
    assert len(nav_rows(page)) == 2
    page.locator(".event-nav-pages").get_by_role("link", name="Plans").click()
    page.wait_for_url(f"{server.url}/admin/e/{summit.slug}/plans")
    expect(page.locator(".event-nav-pages a[aria-current=page]")).to_have_text("Plans")
    # The step's link goes where it says.
    page.goto(f"{server.url}/admin/e/{summit.slug}/")
    steps.get_by_role("link", name="print badges").click()
    page.wait_for_url(f"{server.url}/admin/e/{summit.slug}/badges#batch")
    expect(page.locator(".event-nav-main a[aria-current]")).to_have_text("On the day")

    # On a phone the same navigation fits the width, in at most four short rows.
    phone = new_context(**PHONE).new_page()
    sign_in(phone, server.url, ORGANIZER, PASSWORD, f"/admin/e/{summit.slug}/badges")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert len(nav_rows(phone)) <= 4
    nav_height = phone.locator("nav.event-nav").bounding_box()["height"]
    assert nav_height < 740 * 0.25, f"the navigation takes {nav_height} px of 740"
    shot(phone, "nav-phone")


def seed_plans_and_feedback(app, slug: str, readiness_answers: int) -> None:
    """``readiness_answers`` people rate their technical readiness 2; 12 give feedback on
    day 1 (the ratings 1 to 5 in a known spread)."""
    from sqlalchemy import select

    from summit.events.models import Event
    from summit.extensions import db
    from summit.plans import feedback, services
    from summit.registration.models import Attendee

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        people = db.session.scalars(select(Attendee).where(Attendee.event_id == event.id)
                                    .order_by(Attendee.id).limit(12)).all()
        template = services.template_for(event)
        technical = next(q for s in services.live_sections(template) for q in s.questions
                         if q.key == "readiness_technical")
        for person in people[:readiness_answers]:
            services.save_answer(services.plan_for(person), technical, "score", "2", 0,
                                 by=person.full_name)
        day_one = feedback.find_target(event, 1, None)
        for person, rating in zip(people, (5, 5, 5, 5, 4, 4, 4, 3, 3, 2, 1, 5), strict=True):
            feedback.submit(app.config["SECRET_KEY"], event, person, day_one,
                            {"learned": f"Lesson from {person.first_name}"}, rating,
                            anonymous=rating == 1)
        db.session.commit()
        db.session.remove()


def test_10_results_come_first_hide_small_groups_and_sort_tables_by_number(big, new_context):
    server, summit = big
    seed_plans_and_feedback(server.app, summit.slug, readiness_answers=1)
    page = new_context(**LAPTOP).new_page()
    sign_in(page, server.url, ORGANIZER, PASSWORD, f"/admin/e/{summit.slug}/plans")
    # The aggregates are on the first screen, the long progress tables after them.
    top = page.locator("#aggregates").bounding_box()["y"]
    assert top < 768, f"the aggregates start at {top} px"
    overall = page.locator("tr.overall").first
    expect(overall).to_contain_text("fewer than 3")  # a group of one is not shown
    expect(overall).not_to_contain_text("2.0")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3_000, f"the plans page is {height} px tall"
    # Tables by number: Table 1, 2, ... 9, 10, not 1, 10, 11, ...
    page.locator("#progress-table summary").click()
    labels = page.locator("#progress-by-table tbody td:first-child").all_inner_texts()
    assert labels[:11] == [f"Table {n}" for n in range(1, 12)], labels[:11]
    shot(page, "plans-dashboard")


def test_10_feedback_results_show_the_spread_the_answers_and_export_csv(big, new_context):
    server, summit = big
    seed_plans_and_feedback(server.app, summit.slug, readiness_answers=3)
    page = new_context(**LAPTOP, accept_downloads=True).new_page()
    sign_in(page, server.url, ORGANIZER, PASSWORD, f"/admin/e/{summit.slug}/feedback")
    spread = page.locator("#feedback-spread .rating-counts")
    expect(spread).to_have_text("1: 1 2: 1 3: 2 4: 3 5: 5", use_inner_text=True)
    page.get_by_role("link", name="Day 1 · Monday 1 March").click()
    detail = page.locator("#feedback-detail")
    expect(detail).to_contain_text("12 answers, average 3.83")
    expect(detail.get_by_role("heading", name="What did we learn? (12 answers)")).to_be_visible()
    expect(detail).to_contain_text("Lesson from Person000")
    with page.expect_download() as download:
        detail.get_by_role("link", name="Export these answers (CSV)").click()
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        lines = exported.read().strip().splitlines()
    assert lines[0].startswith("day,session,rating,supposed,actual,learned,adjust,anonymous")
    assert len(lines) == 13
    shot(page, "feedback-results")


def test_10_badges_for_people_picked_by_hand(big, new_context):
    server, summit = big
    page = new_context(**LAPTOP).new_page()
    sign_in(page, server.url, ORGANIZER, PASSWORD, f"/admin/e/{summit.slug}/attendees")
    boxes = page.locator('input[name="attendee_id"][form="badge-pick"]')
    expect(boxes).to_have_count(50)  # the first page of results
    for i in (0, 3, 7):
        boxes.nth(i).check()
    button = page.locator("#pick-print")
    expect(button).to_have_text("Print 3 badges")
    expect(page.locator("#pick-count")).to_have_text("3 people ticked.")
    button.click()
    page.wait_for_url(f"**/admin/e/{summit.slug}/badges/batches/*")
    expect(page.locator("dl.facts")).to_contain_text("Picked by hand (3 people)")
    shot(page, "badges-picked")
