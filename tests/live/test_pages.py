"""Live rooms through their pages: asking, upvoting, moderating, polls, the projector, the
export, and refusals that change nothing."""

from __future__ import annotations

import csv
import io
import time

from sqlalchemy import func, select

from summit.extensions import db
from summit.live.models import LivePoll, LivePollVote, LiveQuestion, LiveRoom, LiveUpvote


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _ask(client, w, text, key=None, **extra):
    return client.post(f"/e/{w.slug}/qa/{key or w.skey}/ask",
                       data={"text": text, "anonymous": "1", **extra},
                       headers={"X-Live-Queue": "1"})


def test_ask_anonymously_and_by_name_and_upvote_once(live_world, phone):
    w = live_world
    amber, ben = phone(w.amber), phone(w.ben)
    page = amber.get(f"/e/{w.slug}/qa/{w.skey}")
    assert page.status_code == 200 and "AI policy workshop" in page.get_data(as_text=True)
    assert _ask(amber, w, "How do we keep student data private?").status_code == 200
    assert _ask(ben, w, "Which tools are approved?", anonymous="0",
                name="Ben from Austin").status_code == 200
    anon, named = db.session.scalars(select(LiveQuestion).order_by(LiveQuestion.id)).all()
    assert anon.anonymous and anon.display_name == "" and anon.status == "visible"
    assert not named.anonymous and named.display_name == "Ben from Austin"
    body = ben.get(f"/e/{w.slug}/qa/{w.skey}").get_data(as_text=True)
    assert "How do we keep student data private?" in body and "Amber" not in body
    assert "Ben from Austin" in body
    url = f"/e/{w.slug}/qa/{w.skey}/questions/{anon.id}/upvote"
    for _ in range(3):
        assert ben.post(url, headers={"X-Live-Queue": "1"}).status_code == 200
    db.session.refresh(anon)
    assert anon.upvotes == 1 and _count(LiveUpvote) == 1


def test_a_question_sent_twice_with_its_key_is_saved_once(live_world, phone):
    w = live_world
    amber = phone(w.amber)
    for _ in range(3):
        assert _ask(amber, w, "Queued offline?", client_key="k-123").status_code == 200
    assert _count(LiveQuestion) == 1


def test_bad_questions_get_a_clear_answer_and_change_nothing(live_world, phone):
    w = live_world
    amber = phone(w.amber)
    for text in ("", "   ", "x" * 10_000):
        response = _ask(amber, w, text)
        assert response.status_code == 400
        assert "question" in response.get_data(as_text=True).lower()
    assert _count(LiveQuestion) == 0 and _count(LiveRoom) <= 1
    # Without the queue's header: back to the page with the message.
    response = amber.post(f"/e/{w.slug}/qa/{w.skey}/ask", data={"text": ""},
                          follow_redirects=True)
    assert "Write your question first." in response.get_data(as_text=True)
    assert amber.get(f"/e/{w.slug}/qa/s999999").status_code == 404
    assert amber.get(f"/e/{w.slug}/qa/nonsense").status_code == 404


def test_a_refused_question_or_poll_comes_back_as_typed(live_world, phone, staff_client):
    """Without the queue (no script), a refusal shows the page again with the message and
    what was typed (summit.forms.typed), and saves nothing."""
    w = live_world
    amber = phone(w.amber)
    response = amber.post(f"/e/{w.slug}/qa/{w.skey}/ask", data={
        "text": "Why so long? " + "x" * 600, "anonymous": "0", "name": "Amber of Austin"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Keep your question under 500 characters." in body
    assert "Why so long? xxx" in body and 'value="Amber of Austin"' in body
    assert 'name="anonymous" value="0" checked' in body
    assert _count(LiveQuestion) == 0
    lead = staff_client(w.host)
    response = lead.post(f"/admin/e/{w.slug}/qa/{w.skey}/polls", data={
        "kind": "multiple", "question": "Which tools?", "options": "Only one",
        "results": "closed"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give at least two answers to choose from." in body
    assert 'value="Which tools?"' in body and ">Only one</textarea>" in body
    assert '<option value="multiple" selected>' in body
    assert '<option value="closed" selected>' in body
    assert _count(LivePoll) == 0


def test_a_poll_answer_that_is_not_a_whole_number_is_refused_in_words(live_world, phone,
                                                                      staff_client):
    w = live_world
    lead, amber = staff_client(w.host), phone(w.amber)
    poll = _opened_poll(lead, w, "Ready?", "Yes\nNo")
    vote = f"/e/{w.slug}/qa/{w.skey}/polls/{poll.id}/vote"
    for option in ("yes", "99999999999999999999", ""):
        response = amber.post(vote, data={"option": option}, headers={"X-Live-Queue": "1"})
        assert response.status_code == 400
        assert "That choice is not one of this poll's." in response.get_data(as_text=True)
    assert _count(LivePollVote) == 0
    scale = _poll(lead, w, "scale", "How sure?")
    lead.post(f"/admin/e/{w.slug}/qa/{w.skey}/polls/{scale.id}", data={"action": "open"})
    vote = f"/e/{w.slug}/qa/{w.skey}/polls/{scale.id}/vote"
    for value in ("six", "6", "0", ""):
        response = amber.post(vote, data={"value": value}, headers={"X-Live-Queue": "1"})
        assert response.status_code == 400
        assert "Choose a number from 1 to 5." in response.get_data(as_text=True)
    assert amber.post(vote, data={"value": " 4 "},
                      headers={"X-Live-Queue": "1"}).status_code == 200
    assert _count(LivePollVote) == 1


def test_approval_moderation_hidden_count_answered_and_pinned(live_world, phone, staff_client):
    w = live_world
    lead = staff_client(w.organizer)
    assert lead.post(f"/admin/e/{w.slug}/qa/{w.bkey}/settings",
                     data={"moderation": "approval"}).status_code == 302
    amber, ben = phone(w.amber), phone(w.ben)
    response = _ask(amber, w, "Will the slides be shared?", key=w.bkey)
    assert "approve" in response.get_data(as_text=True)
    _ask(amber, w, "Something rude", key=w.bkey)
    first, rude = db.session.scalars(select(LiveQuestion).order_by(LiveQuestion.id)).all()
    assert first.status == rude.status == "pending"
    room_page = ben.get(f"/e/{w.slug}/qa/{w.bkey}").get_data(as_text=True)
    assert "Will the slides" not in room_page and "2 waiting for approval" in room_page
    assert "Will the slides" in amber.get(f"/e/{w.slug}/qa/{w.bkey}").get_data(as_text=True)
    queue = lead.get(f"/admin/e/{w.slug}/qa/{w.bkey}").get_data(as_text=True)
    assert "Will the slides" in queue and "Something rude" in queue
    base = f"/admin/e/{w.slug}/qa/{w.bkey}/questions"
    assert lead.post(f"{base}/{first.id}", data={"action": "approve"}).status_code == 302
    assert lead.post(f"{base}/{rude.id}", data={"action": "hide"}).status_code == 302
    room_page = ben.get(f"/e/{w.slug}/qa/{w.bkey}").get_data(as_text=True)
    assert "Will the slides" in room_page and "Something rude" not in room_page
    assert "1 question hidden by the moderators" in room_page
    lead.post(f"{base}/{first.id}", data={"action": "pin"})
    screen = lead.get(f"/admin/e/{w.slug}/qa/{w.bkey}/screen").get_data(as_text=True)
    assert "Will the slides" in screen and "1 question hidden" in screen and "<svg" in screen
    lead.post(f"{base}/{first.id}", data={"action": "answer"})
    db.session.refresh(first)
    assert first.status == "answered" and not first.pinned
    assert "Answered" in ben.get(f"/e/{w.slug}/qa/{w.bkey}").get_data(as_text=True)
    # An answered question takes no more upvotes.
    response = ben.post(f"/e/{w.slug}/qa/{w.bkey}/questions/{first.id}/upvote",
                        headers={"X-Live-Queue": "1"})
    assert response.status_code == 409 and first.upvotes == 0


def _poll(lead, w, kind, question, options="", results="voted", key=None):
    key = key or w.skey
    assert lead.post(f"/admin/e/{w.slug}/qa/{key}/polls", data={
        "kind": kind, "question": question, "options": options,
        "results": results}).status_code == 302
    return db.session.scalars(select(LivePoll).order_by(LivePoll.id.desc())).first()


def _opened_poll(lead, w, question, options, results="voted"):
    """A single-choice poll of the session's room, opened."""
    poll = _poll(lead, w, "single", question, options, results=results)
    lead.post(f"/admin/e/{w.slug}/qa/{w.skey}/polls/{poll.id}", data={"action": "open"})
    return poll


def test_polls_open_vote_once_results_close(live_world, phone, staff_client):
    w = live_world
    lead = staff_client(w.host)  # the session's facilitator
    poll = _poll(lead, w, "single", "Is your district ready?", "Yes\nNot yet\nNo idea")
    other = _poll(lead, w, "single", "Another", "A\nB")
    amber, ben = phone(w.amber), phone(w.ben)
    vote = f"/e/{w.slug}/qa/{w.skey}/polls/{poll.id}/vote"
    yes, not_yet = poll.options[0].id, poll.options[1].id
    # A draft poll takes no vote.
    assert amber.post(vote, data={"option": yes}, headers={"X-Live-Queue": "1"}).status_code == 409
    admin = f"/admin/e/{w.slug}/qa/{w.skey}/polls/{poll.id}"
    assert lead.post(admin, data={"action": "open"}).status_code == 302
    page = amber.get(f"/e/{w.slug}/qa/{w.skey}").get_data(as_text=True)
    assert "Is your district ready?" in page and "Send my answer" in page
    # An option of another poll: refused, nothing saved.
    response = amber.post(vote, data={"option": other.options[0].id},
                          headers={"X-Live-Queue": "1"})
    assert response.status_code == 400 and _count(LivePollVote) == 0
    assert amber.post(vote, data={"option": yes}, headers={"X-Live-Queue": "1"}).status_code == 200
    again = amber.post(vote, data={"option": not_yet}, headers={"X-Live-Queue": "1"})
    assert "first answer counts" in again.get_data(as_text=True)
    ben.post(vote, data={"option": not_yet}, headers={"X-Live-Queue": "1"})
    db.session.refresh(poll)
    assert poll.votes == 2 and _count(LivePollVote) == 2
    page = amber.get(f"/e/{w.slug}/qa/{w.skey}").get_data(as_text=True)
    assert "2 answers" in page and "50%" in page
    assert lead.post(admin, data={"action": "close"}).status_code == 302
    response = amber.post(vote, data={"option": yes}, headers={"X-Live-Queue": "1"})
    assert response.status_code == 409 and "closed" in response.get_data(as_text=True)
    assert _count(LivePollVote) == 2


def test_results_hidden_until_close_and_word_cloud(live_world, phone, staff_client):
    w = live_world
    lead = staff_client(w.organizer)
    poll = _poll(lead, w, "text", "One word for AI in your district", results="closed",
                 key=w.bkey)
    admin = f"/admin/e/{w.slug}/qa/{w.bkey}/polls/{poll.id}"
    lead.post(admin, data={"action": "open"})
    vote = f"/e/{w.slug}/qa/{w.bkey}/polls/{poll.id}/vote"
    amber, ben = phone(w.amber), phone(w.ben)
    amber.post(vote, data={"text": "Curieux"}, headers={"X-Live-Queue": "1"})
    ben.post(vote, data={"text": "curious, and CURIEUX"}, headers={"X-Live-Queue": "1"})
    page = amber.get(f"/e/{w.slug}/qa/{w.bkey}").get_data(as_text=True)
    assert "The results show when the poll closes." in page and "curieux" not in page
    lead.post(admin, data={"action": "close"})
    page = amber.get(f"/e/{w.slug}/qa/{w.bkey}").get_data(as_text=True)
    assert "curieux" in page
    screen = lead.get(f"/admin/e/{w.slug}/qa/{w.bkey}/screen").get_data(as_text=True)
    assert "cloud-word s6" in screen and "curieux" in screen


def _turn_count_windows(monkeypatch):
    """Every phone's count window turns now (instead of within 30 s)."""
    from summit.live import polling

    real_bucket = polling._bucket
    monkeypatch.setattr(polling, "_bucket", lambda viewer, now=None: real_bucket(
        viewer, (now or time.time()) + polling.PHONE_COUNTS_SECONDS))


def test_phone_polls_get_304_until_something_changes(live_world, phone, staff_client, app,
                                                     monkeypatch):
    """A hidden question leaves phones at their next poll (a render); a new question reaches
    them with their counts, once their window turns."""
    w = live_world
    amber = phone(w.amber)
    fast = app.extensions["summit_fast_paths"]["live-room"]
    url = f"/e/{w.slug}/qa/{w.skey}/live"
    first = amber.get(url)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"lq-')
    assert amber.get(url, headers={"If-None-Match": etag}).status_code == 304
    _ask(phone(w.ben), w, "A new question")
    fast._cache.clear()  # its 1 s cache
    assert amber.get(url, headers={"If-None-Match": etag}).status_code == 304  # the window
    question = db.session.scalars(select(LiveQuestion)).one()
    staff_client(w.host).post(f"/admin/e/{w.slug}/qa/{w.skey}/questions/{question.id}",
                              data={"action": "hide"})
    fast._cache.clear()
    changed = amber.get(url, headers={"If-None-Match": etag})
    page = changed.get_data(as_text=True)
    assert changed.status_code == 200 and "1 question hidden by the moderators" in page
    assert "A new question" not in page
    forged = etag[:-4] + 'abc"'
    assert amber.get(url, headers={"If-None-Match": forged}).status_code == 200


def test_fast_path_agrees_with_the_view(live_world, phone, staff_client, app, monkeypatch):
    """The fast path answers the view's ETag with 304, sends a forged one to the view, and
    lets a change that must show at once through once its cache (``TTL``) expires."""
    from summit.live.polling import LiveRoomFastPath

    w = live_world
    fast = app.extensions["summit_fast_paths"][LiveRoomFastPath.NAME]
    _ask(phone(w.ben), w, "Changed")
    amber = phone(w.amber)
    url = f"/e/{w.slug}/qa/{w.skey}/live"
    etag = amber.get(url).headers["ETag"]
    calls = []
    inner = fast.wsgi_app
    monkeypatch.setattr(fast, "wsgi_app", lambda env, sr: calls.append(1) or inner(env, sr))
    assert amber.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert calls == []  # answered before Flask
    assert amber.get(url, headers={"If-None-Match": etag[:-4] + 'abc"'}).status_code == 200
    assert calls == [1]
    question = db.session.scalars(select(LiveQuestion)).one()
    staff_client(w.host).post(f"/admin/e/{w.slug}/qa/{w.skey}/questions/{question.id}",
                              data={"action": "hide"})
    fast._cache.clear()  # what TTL does after a second
    assert amber.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_access_facilitators_their_own_sessions_only(live_world, staff_client, phone):
    w = live_world
    host, other, lead = staff_client(w.host), staff_client(w.other_host), \
        staff_client(w.organizer)
    for path in ("", "/screen", "/queue", "/export.csv"):
        assert host.get(f"/admin/e/{w.slug}/qa/{w.skey}{path}").status_code == 200
        assert other.get(f"/admin/e/{w.slug}/qa/{w.skey}{path}").status_code == 403
        assert host.get(f"/admin/e/{w.slug}/qa/{w.bkey}{path}").status_code == 403
        assert lead.get(f"/admin/e/{w.slug}/qa/{w.bkey}{path}").status_code == 200
    assert "AI policy workshop" in host.get(f"/admin/e/{w.slug}/qa").get_data(as_text=True)
    assert "AI policy workshop" not in other.get(f"/admin/e/{w.slug}/qa").get_data(as_text=True)
    assert other.post(f"/admin/e/{w.slug}/qa/{w.skey}/settings",
                      data={"moderation": "approval"}).status_code == 403
    assert phone(w.amber).get(f"/admin/e/{w.slug}/qa/{w.skey}").status_code in (302, 401)


def test_export_and_data_download_keep_anonymous_anonymous(live_world, phone, staff_client):
    w = live_world
    amber = phone(w.amber)
    _ask(amber, w, "=HYPERLINK(\"http://x\")")
    _ask(amber, w, "Named one", anonymous="0")
    lead = staff_client(w.organizer)
    poll = _poll(lead, w, "scale", "How ready are you?")
    lead.post(f"/admin/e/{w.slug}/qa/{w.skey}/polls/{poll.id}", data={"action": "open"})
    amber.post(f"/e/{w.slug}/qa/{w.skey}/polls/{poll.id}/vote", data={"value": "4"},
               headers={"X-Live-Queue": "1"})
    text = lead.get(f"/admin/e/{w.slug}/qa/{w.skey}/export.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    anon = next(r for r in rows if "HYPERLINK" in r["text"])
    assert anon["text"].startswith("'") and anon["asked_by"] == ""
    assert next(r for r in rows if r["text"] == "Named one")["asked_by"] == "Amber Ames"
    assert "amber" not in text.lower().replace("amber ames", "")
    assert any(r["answer"] == "4" and r["votes"] == "1" for r in rows)
    moderator = lead.get(f"/admin/e/{w.slug}/qa/{w.skey}").get_data(as_text=True)
    assert moderator.count("Amber Ames") == 1  # the named question only
    from summit.privacy.services import export_attendee

    data = export_attendee(w.amber)["live"]
    assert [q["anonymous"] for q in data["questions"]] == [True, False]
    assert data["poll_answers"][0]["value"] == 4


def test_erasure_keeps_poll_counts(live_world, phone, staff_client):
    from summit.privacy.services import erase_attendee

    w = live_world
    amber = phone(w.amber)
    _ask(amber, w, "Mine")
    lead = staff_client(w.organizer)
    poll = _poll(lead, w, "scale", "Ready?")
    lead.post(f"/admin/e/{w.slug}/qa/{w.skey}/polls/{poll.id}", data={"action": "open"})
    amber.post(f"/e/{w.slug}/qa/{w.skey}/polls/{poll.id}/vote", data={"value": "2"},
               headers={"X-Live-Queue": "1"})
    erase_attendee(w.amber)
    db.session.commit()
    assert _count(LiveQuestion) == 0 and _count(LivePollVote) == 1
    db.session.refresh(poll)
    assert poll.votes == 1


def test_my_summit_and_feedback_results_show_the_room(live_world, phone, staff_client):
    w = live_world
    amber = phone(w.amber)
    my = amber.get(f"/e/{w.slug}/me")
    assert "my-live-panel" in my.get_data(as_text=True)
    assert "Opening keynote" in amber.get(f"/e/{w.slug}/qa").get_data(as_text=True)
    _ask(amber, w, "What about parents?")
    lead = staff_client(w.organizer)
    page = lead.get(f"/admin/e/{w.slug}/feedback?target={w.skey}").get_data(as_text=True)
    assert "What about parents?" in page and f"live-results-{w.skey}" in page


def test_the_agenda_links_each_session_to_its_live_page(live_world, phone):
    from summit.breakouts import services as breakouts

    w = live_world
    breakouts.sign_up(w.amber, w.session)
    db.session.commit()
    page = phone(w.amber).get(f"/e/{w.slug}/agenda").get_data(as_text=True)
    assert f'href="/e/{w.slug}/qa/{w.skey}"' in page


def test_only_registered_people_ask_and_vote(live_world, phone):
    w = live_world
    amber = phone(w.amber)
    w.amber.status = "waitlisted"
    db.session.commit()
    assert _ask(amber, w, "From the waitlist").status_code == 403
    assert _count(LiveQuestion) == 0


def test_phones_get_new_counts_without_a_render(live_world, phone, staff_client, app,
                                                monkeypatch):
    """Once a phone's count window has turned and only the counts version changed (upvotes,
    answers, a new question), the fast path sends the room's list (the same JSON for every
    phone), never through Flask: the results only to a phone whose signed ETag says it shows
    them. A vote writes no room row: the counters add the open poll's answers."""
    import json

    from summit.live.polling import LiveRoomFastPath

    w = live_world
    lead = staff_client(w.host)
    poll = _opened_poll(lead, w, "Is your district ready?", "Yes\nNot yet")
    _ask(phone(w.ben), w, "Who writes the policy?")
    question = db.session.scalars(select(LiveQuestion).order_by(LiveQuestion.id.desc())).first()
    amber, ben = phone(w.amber), phone(w.ben)
    url = f"/e/{w.slug}/qa/{w.skey}/live"
    yes = poll.options[0].id
    amber.post(f"/e/{w.slug}/qa/{w.skey}/polls/{poll.id}/vote", data={"option": yes},
               headers={"X-Live-Queue": "1"})
    room = db.session.scalars(select(LiveRoom)).one()
    tally_before = room.tally_seq
    ben.post(f"/e/{w.slug}/qa/{w.skey}/polls/{poll.id}/vote", data={"option": yes},
             headers={"X-Live-Queue": "1"})
    db.session.refresh(room)
    assert room.tally_seq == tally_before  # a vote writes no room row
    amber_tag, ben_tag = amber.get(url).headers["ETag"], ben.get(url).headers["ETag"]
    assert "-en1-" in amber_tag  # amber sees the results
    lead.post(f"/admin/e/{w.slug}/qa/{w.skey}/polls/{poll.id}", data={"action": "close"})
    _opened_poll(lead, w, "Ready for the audit?", "Yes\nNo", results="closed")
    ben_tag = ben.get(url).headers["ETag"]
    amber_tag = amber.get(url).headers["ETag"]
    assert "-en0-" in ben_tag and "-en0-" in amber_tag  # results hidden until the close
    amber.post(f"/e/{w.slug}/qa/{w.skey}/questions/{question.id}/upvote",
               headers={"X-Live-Queue": "1"})
    _ask(amber, w, "And who checks it?")
    fast = app.extensions["summit_fast_paths"][LiveRoomFastPath.NAME]
    fast._cache.clear()
    fast._payloads.clear()
    _turn_count_windows(monkeypatch)
    calls = []
    inner = fast.wsgi_app
    monkeypatch.setattr(fast, "wsgi_app", lambda env, sr: calls.append(1) or inner(env, sr))

    counts = ben.get(url, headers={"If-None-Match": ben_tag})
    assert counts.status_code == 200 and counts.headers["X-Live-Counts"] == "1"
    data = json.loads(counts.get_data())
    assert "And who checks it?" in data["list"] and f'id="lq-n-{question.id}">1<' in data["list"]
    assert "results" not in data  # hidden until the close, whoever asks
    assert calls == []  # not through Flask
    # The new ETag names the new counts: the phone is current again.
    assert ben.get(url, headers={"If-None-Match": counts.headers["ETag"]}).status_code == 304


def test_results_come_with_the_counts_to_a_phone_that_shows_them(live_world, phone,
                                                                 staff_client, app,
                                                                 monkeypatch):
    import json

    from summit.live.polling import LiveRoomFastPath

    w = live_world
    lead = staff_client(w.host)
    poll = _opened_poll(lead, w, "Is your district ready?", "Yes\nNot yet")
    amber, ben = phone(w.amber), phone(w.ben)
    url = f"/e/{w.slug}/qa/{w.skey}/live"
    vote = f"/e/{w.slug}/qa/{w.skey}/polls/{poll.id}/vote"
    amber.post(vote, data={"option": poll.options[0].id}, headers={"X-Live-Queue": "1"})
    amber_tag, ben_tag = amber.get(url).headers["ETag"], ben.get(url).headers["ETag"]
    assert "-en1-" in amber_tag and "-en0-" in ben_tag
    ben.post(vote, data={"option": poll.options[1].id}, headers={"X-Live-Queue": "1"})
    fast = app.extensions["summit_fast_paths"][LiveRoomFastPath.NAME]
    fast._cache.clear()
    _turn_count_windows(monkeypatch)
    data = json.loads(amber.get(url, headers={"If-None-Match": amber_tag}).get_data())
    assert "2 answers" in data["results"] and "Not yet" in data["results"]
    fast._payloads.clear()
    other = phone(w.ben)  # a phone whose ETag says no results gets none, even now
    assert "results" not in json.loads(other.get(
        url, headers={"If-None-Match": ben_tag}).get_data())


def test_a_vote_answers_with_the_phones_poll_and_a_new_etag(live_world, phone, staff_client,
                                                            app):
    """live.js sends a vote with the page's ETag; the answer carries the poll section as it
    now is for the voter and an ETag that says the page shows the results (same room
    version), so the phone does not fetch the whole room again. Without a valid ETag of this
    viewer's page, the plain answer (the phone then fetches the room)."""
    import json

    w = live_world
    lead = staff_client(w.host)
    shown = _opened_poll(lead, w, "Is your district ready?", "Yes\nNot yet")
    amber, ben = phone(w.amber), phone(w.ben)
    url = f"/e/{w.slug}/qa/{w.skey}/live"
    page_tag = amber.get(url).headers["ETag"]
    ben_tag = ben.get(url).headers["ETag"]
    vote = f"/e/{w.slug}/qa/{w.skey}/polls/{shown.id}/vote"
    headers = {"X-Live-Queue": "1", "X-Live-Poll": "1"}

    answer = amber.post(vote, data={"option": shown.options[0].id},
                        headers={**headers, "X-Live-ETag": page_tag})
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    data = json.loads(answer.get_data())
    assert data["message"] == "Your answer is in."
    assert 'id="live-poll"' in data["poll"] and "live-voted" in data["poll"]
    assert "1 answer" in data["poll"] and "<form" not in data["poll"]
    assert "-en0-" in page_tag and "-en1-" in data["etag"]
    assert data["etag"].split("-")[1] == page_tag.split("-")[1]  # the page's room version
    assert amber.get(url, headers={"If-None-Match": data["etag"]}).status_code == 304

    # Another viewer's ETag, or none: the plain answer.
    again = amber.post(vote, data={"option": shown.options[0].id},
                       headers={**headers, "X-Live-ETag": ben_tag})
    assert again.mimetype == "text/plain" and "already" in again.get_data(as_text=True)
    plain = ben.post(vote, data={"option": shown.options[1].id}, headers=headers)
    assert plain.mimetype == "text/plain"

    # Results shown only at close: the voter's section says so, and the ETag says no results.
    hidden = _opened_poll(lead, w, "Ready for the audit?", "Yes\nNo", results="closed")
    tag = ben.get(url).headers["ETag"]
    data = json.loads(ben.post(f"/e/{w.slug}/qa/{w.skey}/polls/{hidden.id}/vote",
                               data={"option": hidden.options[0].id},
                               headers={**headers, "X-Live-ETag": tag}).get_data())
    assert "The results show when the poll closes." in data["poll"]
    assert "1 answer" not in data["poll"] and "-en0-" in data["etag"]


def test_a_poll_comes_with_all_its_options_in_one_query(live_world, staff_client):
    """``poll_of`` loads the options with the poll (a vote needs both): all of them."""
    from summit.events.models import Event
    from summit.live import services

    w = live_world
    poll = _poll(staff_client(w.host), w, "single", "Which first?", "A\nB\nC\nD")
    event_id, key = w.event.id, w.skey
    db.session.remove()  # nothing loaded already
    event = db.session.get(Event, event_id)
    room = services.find_room(event, services.resolve(event, key))
    assert [o.label for o in services.poll_of(room, poll.id).options] == ["A", "B", "C", "D"]


def test_closing_a_poll_sets_its_counter_from_the_answers(live_world, phone, staff_client):
    """A vote's counter is bumped after its commit (``count_answer``); should a process die in
    between, the close sets the counter from the answers themselves."""
    w = live_world
    lead = staff_client(w.host)
    poll = _poll(lead, w, "single", "Is your district ready?", "Yes\nNot yet")
    admin = f"/admin/e/{w.slug}/qa/{w.skey}/polls/{poll.id}"
    lead.post(admin, data={"action": "open"})
    phone(w.amber).post(f"/e/{w.slug}/qa/{w.skey}/polls/{poll.id}/vote",
                        data={"option": poll.options[0].id}, headers={"X-Live-Queue": "1"})
    db.session.refresh(poll)
    assert poll.votes == 1
    poll.votes = 0  # as if the process had died between the answer and its count
    db.session.commit()
    lead.post(admin, data={"action": "close"})
    db.session.refresh(poll)
    assert poll.votes == 1 == _count(LivePollVote)


def test_moderators_read_their_messages_in_their_language(live_world, staff_client):
    """A French-speaking facilitator's confirmations and refusals are in French."""
    w = live_world
    lead = staff_client(w.host)
    french = {"Accept-Language": "fr"}
    admin = f"/admin/e/{w.slug}/qa/{w.skey}"
    page = lead.post(f"{admin}/settings", data={"moderation": "approval"}, headers=french,
                     follow_redirects=True).get_data(as_text=True)
    assert "Les questions attendent désormais d’être approuvées." in page
    page = lead.post(f"{admin}/polls", data={"kind": "single", "question": "Prêts ?",
                                             "options": "Oui\nNon", "results": "voted"},
                     headers=french, follow_redirects=True).get_data(as_text=True)
    assert "Le sondage est prêt : ouvrez-le le moment venu." in page
    page = lead.post(f"{admin}/settings", data={"moderation": "sometimes"}, headers=french,
                     follow_redirects=True).get_data(as_text=True)
    assert "Choisissez comment les questions apparaissent." in page


def test_the_voted_section_is_rendered_again_when_it_lags(monkeypatch):
    """Up to ten answers, or a second later, each voter sees their own answer counted; in a
    keynote the section is kept until it lags by a tenth of the answers."""
    from summit.live import views

    clock = [100.0]
    monkeypatch.setattr(views.time, "monotonic", lambda: clock[0])
    made = ("<section>", True)
    assert [views._lags((*made, n - 1, 100.0), n) for n in range(1, 11)] == [True] * 10
    assert not views._lags((*made, 10, 100.0), 10)  # up to date
    assert not views._lags((*made, 1000, 100.0), 1050)  # 5 % behind, and fresh
    assert views._lags((*made, 1000, 100.0), 1112)  # a tenth behind
    clock[0] = 101.0
    assert views._lags((*made, 1000, 100.0), 1001)  # a second old
