"""Never lose a word: autosave, offline and back, reload before the retry, two-tab conflict.

Real Chromium at 360 px against the live server (CSRF on, strict CSP).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from summit.extensions import db

pytestmark = pytest.mark.browser

TAKE_BACK = "What will you take back to your district?"


@pytest.fixture
def attendee(live_server):
    from datetime import date

    from summit.events.services import create_event
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    with live_server.app.app_context():
        event = create_event("plan-summit", "AI Leadership Summit", date(2027, 3, 1), days=2)
        org = find_or_create_organization("Knox County Schools", "TN")
        person = Attendee(event_id=event.id, organization=org, first_name="Amber",
                          last_name="Lee", email="amber@example.org", role="Principal")
        db.session.add(person)
        db.session.commit()
        return {"id": person.id, "secret": person.personal_secret, "slug": event.slug}


def stored(live_server, attendee_id: int, field: str = "") -> str | None:
    from summit.plans.models import ActionPlan, PlanAnswer, PlanQuestion

    with live_server.app.app_context():
        value = db.session.scalar(
            select(PlanAnswer.value).join(ActionPlan).join(PlanQuestion)
            .where(ActionPlan.attendee_id == attendee_id, PlanQuestion.key == "take_back",
                   PlanAnswer.field == field))
        db.session.remove()
        return value


def open_plan(page, live_server, attendee):
    page.goto(f"{live_server.url}/me/{attendee['secret']}")
    page.goto(f"{live_server.url}/e/{attendee['slug']}/plan")
    return page.get_by_label(TAKE_BACK)


def state_of(field):
    return field.locator("xpath=ancestor::*[@data-answer][1]").locator("[data-save-state]")


def test_autosave_survives_a_reload(new_context, live_server, attendee):
    page = new_context(phone=True).new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    field = open_plan(page, live_server, attendee)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    field.fill("A district AI guidance page by May")
    expect(state_of(field)).to_have_text("Saved")
    expect(page.locator("#save-status")).to_have_text("All changes saved")
    assert stored(live_server, attendee["id"]) == "A district AI guidance page by May"
    # Readiness score and a priority rank save on change.
    page.get_by_label("Score").first.select_option("3")
    page.get_by_label("Data privacy").select_option("1")
    expect(state_of(page.get_by_label("Data privacy"))).to_have_text("Saved")
    page.reload()
    expect(page.get_by_label(TAKE_BACK)).to_have_value("A district AI guidance page by May")
    expect(page.get_by_label("Data privacy")).to_have_value("1")
    assert not [e for e in errors if "Content Security Policy" in e]


def test_offline_then_back_online_saves(new_context, live_server, attendee):
    context = new_context(phone=True)
    page = context.new_page()
    field = open_plan(page, live_server, attendee)
    context.set_offline(True)
    field.fill("Typed in the hallway with no signal")
    field.blur()
    expect(state_of(field)).to_have_text("Not saved yet")
    expect(page.locator("#save-status")).to_have_text("Not saved yet")
    assert stored(live_server, attendee["id"]) is None
    context.set_offline(False)
    expect(state_of(field)).to_have_text("Saved")
    assert stored(live_server, attendee["id"]) == "Typed in the hallway with no signal"


def test_reload_before_the_retry_offers_the_unsaved_text(new_context, live_server, attendee):
    context = new_context(phone=True)
    page = context.new_page()
    field = open_plan(page, live_server, attendee)
    context.set_offline(True)
    field.fill("Words that must not be lost")
    expect(state_of(field)).to_have_text("Not saved yet")
    # The network comes back but saving still fails, and the person reloads the page.
    page.route("**/save", lambda route: route.abort())
    context.set_offline(False)
    page.reload()
    banner = page.locator("#unsaved-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Words that must not be lost")
    expect(page.get_by_label(TAKE_BACK)).to_have_value("")
    assert stored(live_server, attendee["id"]) is None
    page.unroute("**/save")
    banner.get_by_role("button", name="Restore it").click()
    expect(page.get_by_label(TAKE_BACK)).to_have_value("Words that must not be lost")
    expect(state_of(page.get_by_label(TAKE_BACK))).to_have_text("Saved")
    assert stored(live_server, attendee["id"]) == "Words that must not be lost"
    page.reload()
    expect(page.locator("#unsaved-banner")).to_be_hidden()


def test_two_tabs_editing_the_same_field_get_a_choice(new_context, live_server, attendee):
    context = new_context(phone=True)
    first, second = context.new_page(), context.new_page()
    field_one = open_plan(first, live_server, attendee)
    field_two = open_plan(second, live_server, attendee)

    field_one.fill("Text from the phone")
    expect(state_of(field_one)).to_have_text("Saved")
    field_two.fill("Text from the laptop")
    conflict = second.locator(".conflict-box")
    expect(conflict).to_be_visible()
    expect(conflict.locator("[data-mine]")).to_have_text("Text from the laptop")
    expect(conflict.locator("[data-theirs]")).to_have_text("Text from the phone")
    expect(state_of(field_two)).to_contain_text("Not saved yet")
    # Nothing was overwritten while the person decides.
    assert stored(live_server, attendee["id"]) == "Text from the phone"

    conflict.get_by_role("button", name="Keep mine").click()
    expect(conflict).to_be_hidden()
    expect(state_of(field_two)).to_have_text("Saved")
    assert stored(live_server, attendee["id"]) == "Text from the laptop"

    # The first tab is now behind: its next edit is a conflict too, and combining works.
    field_one.fill("Text from the phone, edited")
    merged_box = first.locator(".conflict-box")
    expect(merged_box).to_be_visible()
    merged_box.locator("[data-merged]").fill("Both ideas, combined")
    merged_box.get_by_role("button", name="Keep the combined text").click()
    expect(state_of(field_one)).to_have_text("Saved")
    assert stored(live_server, attendee["id"]) == "Both ideas, combined"


def test_words_typed_before_the_page_finished_loading_are_saved(new_context, live_server,
                                                                  attendee):
    """On slow Wi-Fi the worksheet can be typed into before autosave.js (deferred) has run; those
    words are saved once it does, without another key press."""
    page = new_context(phone=True).new_page()
    page.goto(f"{live_server.url}/me/{attendee['secret']}")
    # The document is parsed, the deferred scripts have not run yet: type exactly then.
    page.add_init_script("""
        document.addEventListener("readystatechange", function () {
          var root = document.querySelector("[data-autosave-root]");
          if (document.readyState !== "interactive" || !root) { return; }
          var box = Array.prototype.find.call(root.querySelectorAll("textarea"), function (el) {
            return el.labels[0] && el.labels[0].textContent.indexOf("take back") >= 0;
          });
          box.value = "Typed while the page was still loading";
          box.dispatchEvent(new Event("input", {bubbles: true}));
          // autosave.js, had it been listening, would have marked the field "Not saved yet"
          var state = box.closest("[data-answer]").querySelector("[data-save-state]");
          window.typedBeforeAutosave = state.textContent === "";
        });
    """)
    page.goto(f"{live_server.url}/e/{attendee['slug']}/plan")
    field = page.get_by_label(TAKE_BACK)
    expect(state_of(field)).to_have_text("Saved")
    assert stored(live_server, attendee["id"]) == "Typed while the page was still loading"
    assert page.evaluate("window.typedBeforeAutosave") is True
    page.reload()  # a plain reload: nothing typed, nothing saved again, nothing offered
    expect(field).to_have_value("Typed while the page was still loading")
    expect(page.locator("#unsaved-banner")).to_be_hidden()
