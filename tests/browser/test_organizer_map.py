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
    expect(nav).to_have_text(["Overview", "My table", "My sessions", "Table progress"])
    needs.nth(1).scroll_into_view_if_needed()
    shot(page, "my-table-phone")
