"""Live Q&A with three browser contexts: an attendee asks on a phone, a moderator approves, the
projector shows it within 2 seconds, a second attendee upvotes it and the projector shows the
vote within 2 seconds; a question sent offline is queued and sent once when the network is
back."""

from __future__ import annotations

from datetime import date, time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from summit.extensions import db
from tests.browser.conftest import htmx_settled, sign_in

pytestmark = pytest.mark.browser
WITHIN_2S = 2_000


def test_ask_approve_projector_upvote_and_offline_queue(live_server, new_context, tmp_path):
    from summit.auth.services import create_user
    from summit.breakouts.program import services as program
    from summit.events.services import create_event
    from summit.live import services as live
    from summit.live.models import LiveQuestion
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    app = live_server.app
    with app.app_context():
        event = create_event("live-qa", "Live Summit", date(2027, 3, 1), days=1)
        block = program.save_block(event, program.BlockData(
            title="Opening keynote", day=1, starts=time(9), ends=time(10)))
        org = find_or_create_organization("Knox County", "TN")
        amber = Attendee(event_id=event.id, first_name="Amber", last_name="Ames",
                         email="amber@example.org", status="registered", organization=org)
        ben = Attendee(event_id=event.id, first_name="Ben", last_name="Bell",
                       email="ben@example.org", status="registered", organization=org)
        db.session.add_all([amber, ben])
        db.session.flush()
        room = live.ensure_room(event, live.resolve(event, f"b{block.id}"))
        live.set_moderation(room, "approval")
        create_user("boss@staff.test", "organizer", "correct horse battery", event_id=event.id)
        db.session.commit()
        key, secrets = f"b{block.id}", (amber.personal_secret, ben.personal_secret)
        db.session.remove()
    base, room_path = live_server.url, f"/e/live-qa/qa/{key}"

    asker = new_context(phone=True, device_scale_factor=2).new_page()
    asker.goto(f"{base}/me/{secrets[0]}")
    asker.goto(base + room_path)
    asker.get_by_label("Your question").fill("How do we keep student data private?")
    asker.get_by_role("button", name="Send my question").click()
    expect(asker.locator("#live-status")).to_contain_text("once the moderators approve it")
    expect(asker.locator("#live-room")).to_contain_text("Waiting for approval")
    asker.screenshot(path=str(tmp_path / "live-phone.png"), full_page=True)

    moderator = new_context()
    queue = moderator.new_page()
    sign_in(queue, base, "boss@staff.test", target=f"/admin/e/live-qa/qa/{key}")
    screen = moderator.new_page()
    screen.set_viewport_size({"width": 1366, "height": 768})
    screen.goto(f"{base}/admin/e/live-qa/qa/{key}/screen")
    expect(screen.locator("#live-screen")).to_contain_text("No questions yet")
    expect(screen.locator(".live-screen-qr svg")).to_be_visible()

    item = queue.locator("#live-queue li", has_text="student data private")
    expect(item).to_be_visible()
    htmx_settled(queue)
    item.get_by_role("button", name="Approve").click()
    expect(screen.locator("#live-screen-questions")).to_contain_text(
        "How do we keep student data private?", timeout=WITHIN_2S)

    voter = new_context(phone=True, device_scale_factor=2).new_page()
    voter.goto(f"{base}/me/{secrets[1]}")
    voter.goto(base + room_path)
    question = voter.locator(".live-q", has_text="student data private")
    expect(question).to_contain_text("Anonymous")
    question.get_by_role("button", name="Upvote").click()
    expect(voter.locator("#live-status")).to_contain_text("Your vote is in.")
    expect(screen.locator("#live-screen-questions li").first.locator(".live-screen-votes")
           ).to_have_text("1", timeout=WITHIN_2S)
    screen.screenshot(path=str(tmp_path / "live-projector.png"))

    # Offline: the question waits on the phone, then goes once when the network is back.
    voter.context.set_offline(True)
    voter.get_by_label("Your question").fill("Sent from the basement")
    voter.get_by_role("button", name="Send my question").click()
    expect(voter.locator("#live-status")).to_contain_text("Offline: 1 waiting")
    assert voter.evaluate("window.SummitLive.queue.size()") == 1
    voter.context.set_offline(False)
    voter.evaluate("window.dispatchEvent(new Event('online'))")
    expect(voter.locator("#live-status")).to_contain_text("approve")
    assert voter.evaluate("window.SummitLive.queue.size()") == 0
    voter.reload()  # nothing left to send twice
    expect(voter.locator("#live-room")).to_contain_text("Sent from the basement")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveQuestion).where(
            LiveQuestion.text == "Sent from the basement")) == 1
        db.session.remove()
