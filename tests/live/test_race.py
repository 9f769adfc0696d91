"""Racing requests from one person count once: votes, upvotes and a queued question sent
twice at once, through a real server with CSRF on (both databases)."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, time

from flask import request, request_started
from sqlalchemy import func, select

from summit.extensions import db

RACERS = 8


class Phone:
    """One browser of an attendee: cookies and the CSRF token of the page it loaded."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def load(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            page = response.read().decode()
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        if found:
            self.token = found.group(1)
        return page

    def etag(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.headers["ETag"]

    def post(self, path: str, form: dict, headers: dict | None = None) -> int:
        body = urllib.parse.urlencode(form | {"csrf_token": self.token}, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body,
                                         headers={"X-Live-Queue": "1", **(headers or {})})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


def race(phones, send) -> list:
    barrier = threading.Barrier(len(phones))
    results: list = [None] * len(phones)

    def run(i):
        barrier.wait()
        try:
            results[i] = send(phones[i])
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(phones))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return results


def test_racing_votes_upvotes_and_questions_from_one_person_count_once(live_server):
    from summit.breakouts.program import services as program
    from summit.events.services import create_event
    from summit.live import services
    from summit.live.models import LivePoll, LivePollVote, LiveQuestion, LiveUpvote
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    app = live_server.app
    with app.app_context():
        event = create_event("race-live", "Race Summit", date(2027, 3, 1), days=1)
        block = program.save_block(event, program.BlockData(
            title="Keynote", day=1, starts=time(9), ends=time(10)))
        org = find_or_create_organization("Knox County Schools", "TN")
        people = [Attendee(event_id=event.id, organization=org, first_name=f"P{i}",
                           last_name="Racer", email=f"p{i}@race.test", status="registered")
                  for i in range(2)]
        db.session.add_all(people)
        db.session.flush()
        ref = services.resolve(event, f"b{block.id}")
        room = services.ensure_room(event, ref)
        poll = services.create_poll(room, "multiple", "Which?", ["A", "B", "C"])
        services.open_poll(room, poll)
        question, _ = services.ask(room, people[1], "Upvote me", anonymous=True)
        db.session.commit()
        slug, key = event.slug, ref.key
        poll_id, option_ids = poll.id, [o.id for o in poll.options]
        question_id, secret = question.id, people[0].personal_secret
        second_secret = people[1].personal_secret
        db.session.remove()

    def browsers(secret):
        phones = []
        for _ in range(RACERS):  # one person, several browsers (phone and laptop, a retry)
            phone = Phone(live_server.url)
            phone.load(f"/me/{secret}")
            phone.load(f"/e/{slug}/qa/{key}")
            phone.page_etag = phone.etag(f"/e/{slug}/qa/{key}/live")
            phones.append(phone)
        return phones

    phones, seconds = browsers(secret), browsers(second_secret)
    vote_path = f"/e/{slug}/qa/{key}/polls/{poll_id}/vote"
    through_flask = []

    def saw(sender, **extra):
        through_flask.append(request.path)

    request_started.connect(saw, app)
    votes = race(phones, lambda p: p.post(vote_path, {"option": option_ids[:2]}))
    # As static/js/live.js sends a vote (answered before Flask, summit/live/fastpath.py),
    # mixed with the plain form's way.
    fast_votes = race(seconds, lambda p: p.post(
        vote_path, {"option": option_ids[1:]},
        {"X-Live-Poll": "1", "X-Live-ETag": p.page_etag} if seconds.index(p) % 2 else {}))
    assert fast_votes == [200] * RACERS, fast_votes
    request_started.disconnect(saw, app)
    assert through_flask.count(vote_path) == RACERS + RACERS // 2  # the rest: the fast path
    upvotes = race(phones, lambda p: p.post(
        f"/e/{slug}/qa/{key}/questions/{question_id}/upvote", {}))
    asks = race(phones, lambda p: p.post(f"/e/{slug}/qa/{key}/ask", {
        "text": "Sent from the queue", "anonymous": "1", "client_key": "same-key-1"}))
    assert votes == [200] * RACERS, votes
    assert upvotes == [200] * RACERS, upvotes
    assert asks == [200] * RACERS, asks
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LivePollVote)) == 2
        assert db.session.get(LivePoll, poll_id).votes == 2
        assert db.session.scalar(select(func.count()).select_from(LiveUpvote)) == 1
        assert db.session.get(LiveQuestion, question_id).upvotes == 1
        assert db.session.scalar(select(func.count()).select_from(LiveQuestion).where(
            LiveQuestion.client_key == "same-key-1")) == 1
        db.session.remove()
