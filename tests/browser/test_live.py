"""Live Q&A with three browser contexts: an attendee asks on a phone, a moderator approves, the
projector shows it within 2 seconds, a second attendee upvotes it and the projector shows the
vote within 2 seconds; a question sent offline is queued and sent once when the network is
back."""

from __future__ import annotations

from datetime import date, time

import pytest
from flask import request, request_started
from playwright.sync_api import expect
from sqlalchemy import func, select

from summit.extensions import db
from tests.browser.conftest import htmx_settled, sign_in

pytestmark = pytest.mark.browser
WITHIN_2S = 2_000


def test_ask_approve_projector_upvote_and_offline_queue(live_server, new_context, tmp_path,
                                                        monkeypatch):
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
        poll = live.create_poll(room, "single", "Does your district have an AI policy?",
                                ["Yes, adopted", "In draft", "Not yet"])
        create_user("boss@staff.test", "organizer", "correct horse battery", event_id=event.id)
        db.session.commit()
        key, secrets = f"b{block.id}", (amber.personal_secret, ben.personal_secret)
        room_id, poll_id = room.id, poll.id
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
    # The phone shows the person what they did at once, not at its next count window.
    expect(question.locator("button.vote")).to_have_attribute("aria-pressed", "true")
    expect(question.locator(".vote-count")).to_have_text("1")
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

    # A poll: the answer and its results show at once; then another person's answer reaches
    # the page as new counts (JSON from the fast path, written in by live.js, no render),
    # once the phone's count window turns (2 s here instead of 30).
    from summit.live import polling
    from summit.live.models import LivePoll, LiveRoom

    with app.app_context():
        live.open_poll(db.session.get(LiveRoom, room_id), db.session.get(LivePoll, poll_id))
        db.session.commit()
        db.session.remove()
    poll_on_phone = voter.locator("#live-poll form")
    expect(poll_on_phone).to_be_visible(timeout=10_000)  # at the phone's next poll (3 s)
    through_flask: list[str] = []
    request_started.connect(lambda sender, **extra: through_flask.append(request.path), app,
                            weak=False)
    voter.get_by_label("In draft").check()
    voter.get_by_role("button", name="Send my answer").click()
    expect(voter.locator("#live-poll .live-voted")).to_have_text("Your answer is in.")
    # Sent by live.js as the vote fast path serves it: answered before Flask ran.
    assert not [path for path in through_flask if path.endswith("/vote")], through_flask
    expect(voter.locator("#live-results")).to_contain_text("1 answer")
    # The vote's answer carried the poll section and the room's new ETag (results shown).
    assert "-en1-" in voter.locator("#live-room").get_attribute("data-etag")
    monkeypatch.setattr(polling, "PHONE_COUNTS_SECONDS", 2)
    with voter.expect_response(lambda r: r.headers.get("x-live-counts") == "1",
                               timeout=15_000):
        expect(asker.locator("#live-poll form")).to_be_visible(timeout=10_000)
        asker.get_by_label("Yes, adopted").check()
        asker.get_by_role("button", name="Send my answer").click()
        expect(asker.locator("#live-results")).to_contain_text("2 answers")
    expect(voter.locator("#live-results")).to_contain_text("2 answers")
    expect(voter.locator("#live-results")).to_contain_text("Yes, adopted")
    # The question list came with those counts and kept Ben's marks: his upvote stays pressed.
    expect(question.locator("button.vote")).to_have_attribute("aria-pressed", "true")
    # The moderator approves Ben's question: it reaches his phone with the counts (no render),
    # marked as his, and leaves "Waiting for approval".
    basement = queue.locator("#live-queue li", has_text="Sent from the basement")
    expect(basement).to_be_visible()
    htmx_settled(queue)
    basement.get_by_role("button", name="Approve").click()
    mine = voter.locator("#live-questions .live-q", has_text="Sent from the basement")
    expect(mine).to_contain_text("your question", timeout=10_000)
    expect(voter.locator(".live-mine")).to_have_count(0)
    voter.screenshot(path=str(tmp_path / "live-phone-poll.png"), full_page=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveQuestion).where(
            LiveQuestion.text == "Sent from the basement")) == 1
        db.session.remove()
