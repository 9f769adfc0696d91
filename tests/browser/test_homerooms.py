"""The seating board in real Chromium: select-then-move and drag and drop update the score."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from summit.extensions import db
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture
def seated(live_server):
    from summit.auth.services import create_user
    from summit.events.services import create_event
    from summit.homerooms import services
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    app = live_server.app
    app.config["HOMEROOMS_ANNEAL_ITERATIONS"] = 2000
    with app.app_context():
        event = create_event("board-summit", "AI Leadership Summit", date(2027, 3, 1), days=2)
        create_user("lead@example.org", "organizer", PASSWORD, event_id=event.id)
        # Two delegations of 4 on 4 tables of 3: the engine seats nobody with a colleague;
        # a hand move that does shows up in the score at once.
        for i in range(8):
            org = find_or_create_organization(["Knox County Schools", "Austin ISD"][i % 2],
                                              ["TN", "TX"][i % 2])
            db.session.add(Attendee(event_id=event.id, organization=org, first_name=f"P{i}",
                                    last_name="Person", email=f"p{i}@example.org",
                                    role="Teacher", status="registered"))
        services.create_tables(event, 4, 3)
        db.session.commit()
        services.assign(event, seed=1)
        slug = event.slug
    return live_server, slug


def table_of(app, name: str, day: int = 1) -> int:
    from summit.homerooms.models import Seat
    from summit.registration.models import Attendee

    with app.app_context():
        return db.session.scalar(
            select(Seat.table_id).join(Attendee, Attendee.id == Seat.attendee_id)
            .where(Attendee.first_name == name, Seat.day == day))


def test_select_then_move_and_drag_and_drop(seated, page):
    server, slug = seated
    sign_in(page, server.url, "lead@example.org", PASSWORD, f"/admin/e/{slug}/homerooms")
    score = page.locator("#hr-score-district")
    expect(score).to_have_text("0")
    source = table_of(server.app, "P0")
    # A table with a Knox County colleague (P2, P4, P6 are Knox County too).
    target = next(t for t in (table_of(server.app, f"P{i}") for i in (2, 4, 6)) if t != source)
    chip = page.locator(f'#hr-table-{source} .hr-pick[data-name="P0 Person"]')
    # Keyboard path: focus the chip, press Enter, then "Move here" on the target table.
    chip.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#hr-selection")).to_be_visible()
    expect(chip).to_have_attribute("aria-pressed", "true")
    move_here = page.locator(f"#hr-table-{target} .hr-move-here")
    move_here.focus()
    page.keyboard.press("Enter")
    moved = page.locator(f'#hr-table-{target} .hr-pick[data-name="P0 Person"]')
    expect(moved).to_be_visible()
    expect(page.locator(f'#hr-table-{source} .hr-pick[data-name="P0 Person"]')).to_have_count(0)
    expect(score).to_have_text("1")  # two Knox County people now share a table
    expect(page.locator("#hr-status")).to_contain_text("P0 Person moved to")
    assert table_of(server.app, "P0") == target
    # Drag and drop back to where P0 came from: the score returns to 0.
    page.locator(f'#hr-table-{target} li.hr-chip[data-attendee-id]').filter(
        has_text="P0 Person").drag_to(page.locator(f"#hr-table-{source} .hr-chips"))
    expect(page.locator(f'#hr-table-{source} .hr-pick[data-name="P0 Person"]')).to_be_visible()
    expect(score).to_have_text("0")
    assert table_of(server.app, "P0") == source
    # Lock the table: the button flips.
    page.locator(f"#hr-table-{source}").get_by_role("button", name="Lock table").click()
    expect(page.locator(f"#hr-table-{source}").get_by_role("button", name="Unlock table")
           ).to_be_visible()
