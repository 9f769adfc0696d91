"""The vote fast path (summit/live/fastpath.py): a phone's answer to a poll, sent as
static/js/live.js sends it, is answered before Flask runs, exactly as the view answers it, on
the same rows, counters and rate-limit counters; everything it will not decide (a bad or
missing CSRF token, another viewer's page, a closed poll, a wrong answer, someone not
registered, a limit reached) goes to the view, which answers it. CSRF is on, as in
production."""

from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import func, select

from summit.extensions import db
from summit.live.models import LivePoll, LivePollVote

# Headers whose values differ from one answer to the next, or between the two ways: the page
# CSP's nonce (the fast path sends the JSON API's policy, stricter: a JSON answer loads
# nothing).
VARYING = {"X-Request-ID", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After",
           "Date", "Content-Security-Policy", "Content-Length", "Set-Cookie"}


@pytest.fixture
def app_config(request):
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_HEADERS_ENABLED": True, "WTF_CSRF_ENABLED": True,
            "RATELIMITS": getattr(request, "param", {})}


class VotingPhone:
    """An attendee's phone on the room's page: its CSRF token and the page's ETag."""

    def __init__(self, app, w, attendee):
        self.app = app
        self.client = app.test_client()
        assert self.client.get(f"/me/{attendee.personal_secret}").status_code == 302
        page = self.client.get(f"/e/{w.slug}/qa/{w.skey}").get_data(as_text=True)
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.etag = self.client.get(f"/e/{w.slug}/qa/{w.skey}/live").headers["ETag"]
        self.base = f"/e/{w.slug}/qa/{w.skey}/polls"

    def vote(self, poll_id, form, *, fast: bool = True, etag: str | None = None,
             token: str | None = None, query: str = "", **headers):
        self.app.config["LIVE_FAST_PATH"] = fast
        data = {**form, "csrf_token": self.token if token is None else token}
        try:
            return self.client.post(
                f"{self.base}/{poll_id}/vote{query}", data=data,
                headers={"X-Live-Queue": "1", "X-Live-Poll": "1",
                         "X-Live-ETag": self.etag if etag is None else etag, **headers})
        finally:
            self.app.config["LIVE_FAST_PATH"] = True


@pytest.fixture
def room_poll(live_world):
    """An open poll in the session's room: (poll id, option ids)."""
    from summit.live import services

    def make(kind="single", question="Does your district have an AI policy?",
             options=("Adopted", "In draft", "Not yet"), results="voted"):
        ref = services.resolve(live_world.event, live_world.skey)
        room = services.ensure_room(live_world.event, ref)
        poll = services.create_poll(room, kind, question, list(options), results=results)
        services.open_poll(room, poll)
        db.session.commit()
        return poll.id, [o.id for o in poll.options]

    return make


def _stored(poll_id) -> tuple[int, int]:
    """(answers stored, the poll's counter)."""
    db.session.expire_all()
    rows = db.session.scalar(select(func.count()).select_from(LivePollVote)
                             .where(LivePollVote.poll_id == poll_id))
    return rows, db.session.get(LivePoll, poll_id).votes


def _headers(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in VARYING}


def test_a_vote_is_answered_before_flask_as_the_view_would(app, live_world, room_poll,
                                                          flask_saw):
    w = live_world
    poll_id, options = room_poll()
    amber, ben = VotingPhone(app, w, w.amber), VotingPhone(app, w, w.ben)
    flask_saw.clear()

    fast = amber.vote(poll_id, {"option": options[0]})
    assert flask_saw == [] and fast.status_code == 200
    assert _stored(poll_id) == (1, 1)
    slow = ben.vote(poll_id, {"option": options[1]}, fast=False)
    assert flask_saw == [f"{ben.base}/{poll_id}/vote"] and slow.status_code == 200
    assert _stored(poll_id) == (2, 2)

    assert _headers(fast) == _headers(slow)
    fast_data, slow_data = json.loads(fast.get_data()), json.loads(slow.get_data())
    assert fast_data["message"] == slow_data["message"] == "Your answer is in."
    assert "-en1-" in fast_data["etag"] and "-en1-" in slow_data["etag"]
    assert fast_data["etag"].split("-")[1:3] == amber.etag.split("-")[1:3]  # the page's room
    assert "1 answer" in fast_data["poll"] and "2 answers" in slow_data["poll"]
    # The same section, but for the counts.
    heading = re.compile(r"<h2>.*?</h2>\s*<p class=\"live-voted\">Your answer is in.</p>", re.S)
    assert heading.search(fast_data["poll"])[0] == heading.search(slow_data["poll"])[0]
    assert 'id="live-poll"' in fast_data["poll"] and "<form" not in fast_data["poll"]
    # The new ETag is the page's, now showing the results: unchanged since, "not modified".
    live = f"/e/{w.slug}/qa/{w.skey}/live"
    assert amber.client.get(live, headers={"If-None-Match": fast_data["etag"]}
                            ).status_code in (200, 304)  # ben's vote may have turned it
    assert ben.client.get(live, headers={"If-None-Match": slow_data["etag"]}).status_code == 304

    # Sent again (the queue retrying, another tab): the first answer counts, on both paths.
    again_fast = amber.vote(poll_id, {"option": options[2]})
    again_slow = amber.vote(poll_id, {"option": options[2]}, fast=False)
    assert json.loads(again_fast.get_data())["message"] == json.loads(
        again_slow.get_data())["message"] == (
        "You had answered this poll already: your first answer counts.")
    assert _stored(poll_id) == (2, 2)
    assert len(flask_saw) == 2


def test_each_kind_of_poll_is_read_as_the_view_reads_it(app, live_world, room_poll,
                                                       flask_saw, make_attendee):
    from summit.live import services

    w = live_world
    cases = [("multiple", ("A", "B", "C"), lambda o: {"option": [o[0], o[2]]}),
             ("scale", (), lambda o: {"value": " 4 "}),
             ("text", (), lambda o: {"text": "  Curious  "})]
    for kind, labels, form in cases:
        poll_id, options = room_poll(kind, f"A {kind} poll", labels)
        fast_phone = VotingPhone(app, w, make_attendee(w.event))
        slow_phone = VotingPhone(app, w, make_attendee(w.event))
        flask_saw.clear()
        assert fast_phone.vote(poll_id, form(options)).status_code == 200 and flask_saw == []
        assert slow_phone.vote(poll_id, form(options), fast=False).status_code == 200
        rows = db.session.execute(select(LivePollVote.option_ids, LivePollVote.value,
                                         LivePollVote.text).where(
            LivePollVote.poll_id == poll_id).order_by(LivePollVote.id)).all()
        assert len(rows) == 2 and rows[0] == rows[1], (kind, rows)
    poll = services.snapshot(db.session.get(LivePoll, poll_id))
    assert services.tally_of(poll).votes == 2


def test_what_the_fast_path_will_not_decide_goes_to_the_view(app, live_world, room_poll,
                                                            flask_saw, make_attendee):
    w = live_world
    poll_id, options = room_poll()
    other_poll, other_options = room_poll(question="Another", options=("X", "Y"))
    amber, ben = VotingPhone(app, w, w.amber), VotingPhone(app, w, w.ben)
    waitlisted = make_attendee(w.event, status="registered")
    late = VotingPhone(app, w, waitlisted)
    waitlisted.status = "waitlisted"
    db.session.commit()
    vote_path = f"{amber.base}/{other_poll}/vote"

    refusals = [
        ("no CSRF token", amber.vote(other_poll, {"option": other_options[0]}, token=""),
         400),
        ("a CSRF token that is not the session's",
         amber.vote(other_poll, {"option": other_options[0]}, token=ben.token), 400),
        ("an option of another poll", amber.vote(other_poll, {"option": options[0]}), 400),
        ("no option", amber.vote(other_poll, {}), 400),
        ("a closed poll", amber.vote(poll_id, {"option": options[0]}), 409),
        ("not registered", late.vote(other_poll, {"option": other_options[0]}), 403),
    ]
    for why, response, status in refusals:
        assert response.status_code == status, (why, response.status_code)
    assert _stored(other_poll) == (0, 0) and _stored(poll_id) == (0, 0)
    assert flask_saw.count(vote_path) == 5 and flask_saw.count(f"{amber.base}/{poll_id}/vote")

    # Answered by the view, though valid: another viewer's page (the plain answer), a query
    # string.
    flask_saw.clear()
    plain = amber.vote(other_poll, {"option": other_options[0]}, etag=ben.etag)
    assert plain.status_code == 200 and plain.mimetype == "text/plain"
    assert flask_saw == [vote_path]
    query = ben.vote(other_poll, {"option": other_options[1]}, query="?x=1")
    assert query.status_code == 200 and flask_saw == [vote_path, vote_path]
    assert _stored(other_poll) == (2, 2)

    # A link replaced since the phone signed in: the view signs it out.
    carl = make_attendee(w.event)
    phone = VotingPhone(app, w, carl)
    third, third_options = room_poll(question="Third", options=("1", "2"))
    carl.personal_secret = "replaced-" + carl.personal_secret
    db.session.commit()
    flask_saw.clear()
    gone = phone.vote(third, {"option": third_options[0]})
    assert gone.status_code in (302, 401) and flask_saw == [f"{phone.base}/{third}/vote"]
    assert _stored(third) == (0, 0)


@pytest.mark.parametrize("app_config", [{"live_post": "3 per minute"}], indirect=True,
                         ids=["small-limits"])
def test_both_ways_count_on_the_same_device_limit(app, live_world, room_poll, flask_saw):
    w = live_world
    poll_id, options = room_poll()
    amber, ben = VotingPhone(app, w, w.amber), VotingPhone(app, w, w.ben)
    flask_saw.clear()
    statuses = [amber.vote(poll_id, {"option": options[0]}).status_code,
                amber.vote(poll_id, {"option": options[0]}, fast=False).status_code,
                amber.vote(poll_id, {"option": options[0]}).status_code,
                amber.vote(poll_id, {"option": options[0]}).status_code]
    assert statuses == [200, 200, 200, 429], statuses
    assert len(flask_saw) == 2  # the one sent through Flask, and the refused one
    # The room's other phones, behind the same address, are not counted with it.
    assert ben.vote(poll_id, {"option": options[1]}).status_code == 200
    assert len(flask_saw) == 2
    assert _stored(poll_id) == (2, 2)


def test_the_answer_is_in_the_phones_language(app, live_world, room_poll, flask_saw,
                                              make_attendee):
    w = live_world
    poll_id, options = room_poll()
    claire = make_attendee(w.event, preferred_language="fr")
    denis = make_attendee(w.event)
    fast, slow = VotingPhone(app, w, claire), VotingPhone(app, w, denis)
    flask_saw.clear()
    by_preference = json.loads(fast.vote(poll_id, {"option": options[0]}).get_data())
    by_browser = json.loads(slow.vote(poll_id, {"option": options[0]},
                                      fast=False, **{"Accept-Language": "fr-CA"}).get_data())
    assert len(flask_saw) == 1
    assert by_preference["message"] == by_browser["message"] != "Your answer is in."
    assert "-fr1-" in by_preference["etag"] and "-fr1-" in by_browser["etag"]
    eve = VotingPhone(app, w, make_attendee(w.event))
    accepted = json.loads(eve.vote(poll_id, {"option": options[1]},
                                   **{"Accept-Language": "fr-CA"}).get_data())
    assert accepted["message"] == by_browser["message"]
    assert flask_saw.count(f"{eve.base}/{poll_id}/vote") == 1  # denis's, through Flask


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_a_fast_vote_writes_the_request_log_line(app, live_world, room_poll, flask_saw,
                                                 monkeypatch):
    w = live_world
    poll_id, options = room_poll()
    amber = VotingPhone(app, w, w.amber)
    monkeypatch.setitem(app.config, "LOG_FORMAT", "json")
    request_log = logging.getLogger("summit.request")
    lines = _Lines()  # on the logger itself: other tests may change where its lines go
    monkeypatch.setattr(request_log, "level", logging.INFO)
    monkeypatch.setattr(request_log, "disabled", False)
    request_log.addHandler(lines)
    flask_saw.clear()
    try:
        answer = amber.vote(poll_id, {"option": options[0]}, **{"X-Request-ID": "vote-0001"})
    finally:
        request_log.removeHandler(lines)
    assert answer.status_code == 200 and flask_saw == []
    assert answer.headers["X-Request-ID"] == "vote-0001"
    (line,) = lines.records
    assert (line.method, line.path, line.status, line.request_id) == (
        "POST", f"{amber.base}/{poll_id}/vote", 200, "vote-0001")
    assert isinstance(line.duration_ms, float)


def test_more_that_only_the_view_decides(app, live_world, room_poll, flask_saw, make_attendee,
                                         staff_client):
    """A poll of another room, a staff member signed in on the phone, an ``Authorization``
    header, a NUL, and HTTPS without the page's own referrer: each goes to the view, which
    answers as it always does."""
    from summit.live import services

    w = live_world
    poll_id, options = room_poll()
    # A poll of the keynote's room, sent to the breakout's address.
    keynote = services.ensure_room(w.event, services.resolve(w.event, w.bkey))
    elsewhere = services.create_poll(keynote, "single", "Keynote poll", ["A", "B"])
    services.open_poll(keynote, elsewhere)
    db.session.commit()
    amber = VotingPhone(app, w, w.amber)
    flask_saw.clear()
    assert amber.vote(elsewhere.id, {"option": elsewhere.options[0].id}).status_code == 404
    assert amber.vote(poll_id, {"option": options[0]},  # counted on the token's limit too
                      Authorization="Bearer not-a-token").status_code == 200
    assert amber.vote(poll_id, {"option": options[0], "text": "a\x00b"}).status_code == 400
    assert len(flask_saw) == 3

    # HTTPS: Flask-WTF wants the page's own referrer; so does the fast path.
    bea = VotingPhone(app, w, make_attendee(w.event))
    flask_saw.clear()
    secure = {"base_url": "https://localhost"}
    app.config["LIVE_FAST_PATH"] = True
    answer = bea.client.post(f"{bea.base}/{poll_id}/vote",
                             data={"option": options[0], "csrf_token": bea.token},
                             headers={"X-Live-Queue": "1", "X-Live-Poll": "1",
                                      "X-Live-ETag": bea.etag}, **secure)
    assert answer.status_code == 400 and len(flask_saw) == 1
    answer = bea.client.post(f"{bea.base}/{poll_id}/vote",
                             data={"option": options[0], "csrf_token": bea.token},
                             headers={"X-Live-Queue": "1", "X-Live-Poll": "1",
                                      "X-Live-ETag": bea.etag,
                                      "Referer": f"https://localhost/e/{w.slug}/qa/{w.skey}"},
                             **secure)
    assert answer.status_code == 200 and len(flask_saw) == 1  # answered before Flask

    # A staff member signed in on the same phone: the view (its limits count staff apart).
    phone = VotingPhone(app, w, make_attendee(w.event))
    login = phone.client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login)[1]
    assert phone.client.post("/login", data={"email": w.host.email, "csrf_token": token,
                                             "password": "correct horse battery"}
                             ).status_code == 302
    flask_saw.clear()
    assert phone.vote(poll_id, {"option": options[1]}).status_code == 200
    assert flask_saw == [f"{phone.base}/{poll_id}/vote"]
    assert _stored(poll_id) == (3, 3)


def test_a_poll_closed_while_a_vote_is_on_its_way_takes_no_answer(app, live_world, room_poll,
                                                                  flask_saw, monkeypatch):
    """The poll was open when the fast path read it, and closed before the answer was stored:
    the insert itself asks, stores nothing, and the view answers 409."""
    from summit.live import fastpath, services

    w = live_world
    poll_id, options = room_poll()
    amber = VotingPhone(app, w, w.amber)
    checked = fastpath.check_outside_flask

    def close_first(*args, **kwargs):
        with app.app_context():
            room = services.find_room(w.event, services.resolve(w.event, w.skey))
            services.close_poll(room, db.session.get(LivePoll, poll_id))
            db.session.commit()
        return checked(*args, **kwargs)

    monkeypatch.setattr(fastpath, "check_outside_flask", close_first)
    flask_saw.clear()
    answer = amber.vote(poll_id, {"option": options[0]})
    assert answer.status_code == 409 and "closed" in answer.get_data(as_text=True)
    assert flask_saw == [f"{amber.base}/{poll_id}/vote"]
    assert _stored(poll_id) == (0, 0)


@pytest.mark.parametrize(("failing", "through_flask", "mimetype"), [
    ("limits", True, "application/json"),  # Redis down: Flask-Limiter falls back there
    ("section", False, "text/plain"),  # the answer is in: the view's few words, never a 500
], ids=["limits", "section"])
def test_a_failure_on_the_fast_path_never_loses_or_doubles_a_vote(
        app, live_world, room_poll, flask_saw, monkeypatch, failing, through_flask, mimetype):
    """The limiter's storage failing hands the vote to the view; a failure rendering the
    voter's section, once the vote is stored, leaves the few words the view would send
    without it (the phone then fetches its room)."""
    from summit import ratelimits
    from summit.live import views

    def broken(*args, **kwargs):
        raise ConnectionError("down")

    w = live_world
    poll_id, options = room_poll()
    amber = VotingPhone(app, w, w.amber)
    if failing == "limits":
        monkeypatch.setattr(ratelimits, "_check_outside_flask", broken)
    else:
        monkeypatch.setattr(views, "voted_section_outside", broken)
    flask_saw.clear()
    answer = amber.vote(poll_id, {"option": options[0]})
    assert answer.status_code == 200 and answer.mimetype == mimetype
    assert flask_saw == ([f"{amber.base}/{poll_id}/vote"] if through_flask else [])
    if mimetype == "text/plain":
        assert answer.get_data(as_text=True) == "Your answer is in."
    assert _stored(poll_id) == (1, 1)


def test_the_attendees_choice_of_language_comes_before_the_browsers(app, live_world,
                                                                    room_poll, make_attendee):
    w = live_world
    poll_id, options = room_poll()
    english = VotingPhone(app, w, make_attendee(w.event, preferred_language="en"))
    data = json.loads(english.vote(poll_id, {"option": options[0]},
                                   **{"Accept-Language": "fr"}).get_data())
    assert data["message"] == "Your answer is in." and "-en1-" in data["etag"]
    cookie = VotingPhone(app, w, make_attendee(w.event))
    cookie.client.set_cookie("lang", "fr")
    data = json.loads(cookie.vote(poll_id, {"option": options[0]},
                                  **{"Accept-Language": "en"}).get_data())
    assert data["message"] != "Your answer is in." and "-fr1-" in data["etag"]
