"""After-action feedback (anonymous, once each) and participant-led topics (one vote each)."""

import threading
from datetime import date, time, timedelta

from sqlalchemy import func, select

from summit.extensions import db
from summit.plans.models import DiscussionPrompt, Feedback, Topic, TopicVote

ANSWERS = {"supposed": "Plan a pilot", "actual": "We argued about data",
           "learned": "Start with privacy", "adjust": "Invite IT", "rating": "4"}


def days_ago(n: int) -> date:
    return date.today() - timedelta(days=n)


def test_feedback_anonymous_and_only_once(client, auth, make_event, make_attendee, make_staff):
    event = make_event(days=2, start_date=days_ago(4))  # over: both days can be reviewed
    amber = make_attendee(event, first_name="Amber")
    auth.as_attendee(amber)
    listing = client.get(f"/e/{event.slug}/feedback").get_data(True)
    assert "Day 1" in listing and "Day 2" in listing
    missing = client.post(f"/e/{event.slug}/feedback/d1", data={**ANSWERS, "rating": ""})
    assert missing.status_code == 400 and "rating from 1 to 5" in missing.get_data(True)
    sent = client.post(f"/e/{event.slug}/feedback/d1", data={**ANSWERS, "anonymous": "1"})
    assert sent.status_code == 302
    again = client.post(f"/e/{event.slug}/feedback/d1", data=ANSWERS)
    assert again.status_code == 409
    assert db.session.scalar(select(func.count(Feedback.id))) == 1
    row = db.session.scalar(select(Feedback))
    assert row.attendee_id is None and row.anonymous and len(row.submitter_token) == 64
    assert "Thank you" in client.get(f"/e/{event.slug}/feedback").get_data(True)
    client.post(f"/e/{event.slug}/feedback/d2", data={**ANSWERS, "rating": "2"})
    assert client.get(f"/e/{event.slug}/feedback/d9").status_code == 404

    auth.login(make_staff("organizer", event))
    results = client.get(f"/admin/e/{event.slug}/feedback").get_data(True)
    assert "4.0" in results and "2.0" in results
    detail = client.get(f"/admin/e/{event.slug}/feedback?target=d1").get_data(True)
    assert "We argued about data" in detail and "anonymous" in detail and "Amber" not in detail
    named = client.get(f"/admin/e/{event.slug}/feedback?target=d2").get_data(True)
    assert "Amber" in named


def test_topics_vote_once_live_list_and_moderation(client, auth, make_event, make_attendee,
                                                   make_staff):
    event = make_event()
    amber, ben = make_attendee(event, first_name="Amber"), make_attendee(event, first_name="Ben")
    carol = make_attendee(event, first_name="Carol")
    auth.as_attendee(amber)
    assert client.post(f"/e/{event.slug}/topics", data={"title": " ", "kind": "topic"}
                       ).status_code == 400
    client.post(f"/e/{event.slug}/topics", data={"title": "Cheating and AI", "kind": "question"})
    auth.as_attendee(ben)
    client.post(f"/e/{event.slug}/topics", data={"title": "AI and cheating", "kind": "topic",
                                                  "body": "Detectors?"})
    first, second = db.session.scalars(select(Topic).order_by(Topic.id)).all()

    # Nobody votes for their own topic: no button for it, and a clear refusal by address.
    auth.as_attendee(amber)
    page = client.get(f"/e/{event.slug}/topics").get_data(True)
    assert "Vote for Cheating and AI" not in page and "Your topic" in page
    assert "Vote for AI and cheating" in page
    own = client.post(f"/e/{event.slug}/topics/{first.id}/vote", headers={"HX-Request": "true"})
    assert own.status_code == 409 and "your own topic" in own.get_data(True)
    assert db.session.scalar(select(func.count(TopicVote.id))) == 0

    vote = client.post(f"/e/{event.slug}/topics/{second.id}/vote",
                       headers={"HX-Request": "true"})
    assert vote.status_code == 200 and 'data-count>1<' in vote.get_data(True)
    client.post(f"/e/{event.slug}/topics/{second.id}/vote")  # a second vote changes nothing
    assert db.session.scalar(select(func.count(TopicVote.id))) == 1

    # The page itself shows the list as HTML (the same partial the poll returns), not as text.
    page = client.get(f"/e/{event.slug}/topics").get_data(True)
    assert '<ul class="topic-list"' in page and "&lt;ul" not in page
    assert "Cheating and AI" in page

    listing = client.get(f"/e/{event.slug}/topics/list")
    etag = listing.headers["ETag"]
    assert "Cheating and AI" in listing.get_data(True)
    unchanged = client.get(f"/e/{event.slug}/topics/list", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304

    auth.as_attendee(ben)
    client.post(f"/e/{event.slug}/topics/{first.id}/vote")
    changed = client.get(f"/e/{event.slug}/topics/list", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    auth.as_attendee(carol)
    client.post(f"/e/{event.slug}/topics/{second.id}/vote")

    # Merging moves the duplicate's votes, except its author's own (Amber wrote the first).
    auth.login(make_staff("organizer", event))
    base = f"/admin/e/{event.slug}/topics"
    assert client.post(f"{base}/{second.id}", data={"action": "merge", "into": first.id}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(Topic, first.id).vote_count == 2  # Ben and Carol
    assert db.session.scalar(select(func.count(TopicVote.id)).where(
        TopicVote.attendee_id == amber.id)) == 0
    assert db.session.get(Topic, second.id).status == "merged"
    assert "Detectors?" in db.session.get(Topic, first.id).body
    client.post(f"{base}/{first.id}", data={"action": "prompt", "day": "1"})
    prompt = db.session.scalar(select(DiscussionPrompt))
    assert prompt.text == "Cheating and AI" and prompt.topic_id == first.id
    client.post(f"{base}/{first.id}", data={"action": "hide"})
    auth.as_attendee(amber)
    assert "Cheating and AI" not in client.get(f"/e/{event.slug}/topics/list").get_data(True)


def test_concurrent_votes_count_once(live_server):
    """The same attendee voting from many requests at once: one vote, one count."""
    from datetime import date

    import requests

    from summit.events.services import create_event
    from summit.plans import topics
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    app = live_server.app
    with app.app_context():
        event = create_event("vote-race", "Summit", date(2027, 3, 1))
        org = find_or_create_organization("Knox", "TN")
        people = [Attendee(event_id=event.id, organization=org, first_name=f"P{n}",
                           last_name="T", email=f"p{n}@x.org") for n in range(5)]
        db.session.add_all(people)
        db.session.flush()
        topic = topics.submit(event, people[4], "topic", "Race me")  # the others vote
        db.session.commit()
        secrets = [p.personal_secret for p in people[:4]]
        topic_id = topic.id
        db.session.remove()

    def voter(secret):
        session = requests.Session()
        page = session.get(f"{live_server.url}/me/{secret}")
        token = page.text.split('"X-CSRFToken": "')[1].split('"')[0]
        barrier.wait()
        for _ in range(3):
            session.post(f"{live_server.url}/e/vote-race/topics/{topic_id}/vote",
                         headers={"X-CSRFToken": token})

    barrier = threading.Barrier(len(secrets))
    threads = [threading.Thread(target=voter, args=(s,)) for s in secrets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        assert db.session.scalar(select(func.count(TopicVote.id))) == 4
        assert db.session.get(Topic, topic_id).vote_count == 4
        db.session.remove()


def test_breakout_feedback_is_filed_on_the_day_of_its_slot(client, auth, make_event,
                                                           make_attendee):
    """A breakout's day is its time slot's day (the feedback was filed on day 1 whatever it was)."""
    from summit.breakouts import services as breakouts

    event = make_event(days=3, start_date=days_ago(5))
    room = breakouts.save_room(event, "Room 101", 30, True)
    slot = breakouts.save_slot(event, 3, time(13), time(14))
    session = breakouts.save_session(event, breakouts.SessionData(
        title="AI and assessment", room_id=room.id, slot_id=slot.id))
    amber = make_attendee(event, first_name="Amber")
    breakouts.sign_up(amber, session)
    db.session.commit()
    auth.as_attendee(amber)
    sent = client.post(f"/e/{event.slug}/feedback/s{session.id}", data=ANSWERS)
    assert sent.status_code == 302
    row = db.session.scalar(select(Feedback))
    assert (row.session_id, row.day, row.label) == (session.id, 3, "AI and assessment")


def test_a_topic_becomes_a_breakout_through_the_breakouts_rules(client, auth, make_event,
                                                               make_attendee, make_staff):
    from summit.audit import AuditLog
    from summit.breakouts.models import BreakoutSession
    from summit.plans import topics

    event = make_event()
    amber = make_attendee(event, first_name="Amber")
    topic = topics.submit(event, amber, "topic", "  AI   tutors for algebra ", "Pilots so far")
    db.session.commit()
    auth.login(make_staff("organizer", event))
    answer = client.post(f"/admin/e/{event.slug}/topics/{topic.id}", data={"action": "breakout"})
    assert answer.status_code == 302
    session = db.session.scalar(select(BreakoutSession))
    # The breakouts service made it: the body became the description, and it was audited.
    assert (session.title, session.description) == ("AI tutors for algebra", "Pilots so far")
    assert session.room_id is None and session.slot_id is None
    actions = set(db.session.scalars(select(AuditLog.action).where(
        AuditLog.event_id == event.id)))
    assert {"breakouts.session_created", "topics.breakout"} <= actions


def test_feedback_is_offered_for_days_that_started_and_sessions_the_person_attended(
        client, auth, make_event, make_attendee):
    """Days open for feedback when they start. A session opens when it starts, to the people
    who took part: checked in at its door, or (where the door was not scanned) holding a
    seat."""
    from summit.breakouts import services as breakouts
    from summit.checkin import services as checkin

    event = make_event(days=3, start_date=days_ago(1), timezone="UTC")  # day 2 is today
    room = breakouts.save_room(event, "Room 101", 30, True)
    hours = iter(range(8, 20))

    def session(title, day=1, mode="signup"):
        hour = next(hours)  # one session per slot: an attendee holds one seat per slot
        slot = breakouts.save_slot(event, day, time(hour), time(hour, 50))
        return breakouts.save_session(event, breakouts.SessionData(
            title=title, room_id=room.id, slot_id=slot.id, mode=mode))

    enrolled = session("Enrolled, door not scanned")
    skipped = session("Not enrolled")
    scanned = session("Enrolled, door scanned, not there")
    walked_in = session("Open seating, checked in at the door", mode="open")
    upcoming = session("Enrolled, not started", day=3)
    amber, ben = make_attendee(event, first_name="Amber"), make_attendee(event)
    for s in (enrolled, scanned, upcoming):
        breakouts.sign_up(amber, s)
    checkin.check_in(ben, checkin.session_list(event.id, scanned.id, scanned.title))
    checkin.check_in(amber, checkin.session_list(event.id, walked_in.id, walked_in.title))
    db.session.commit()

    auth.as_attendee(amber)
    listing = client.get(f"/e/{event.slug}/feedback").get_data(True)
    assert "Day 1" in listing and "Day 2" in listing and "Day 3" not in listing
    assert "Enrolled, door not scanned" in listing and "Open seating, checked in" in listing
    for absent in ("Not enrolled", "door scanned, not there", "not started"):
        assert absent not in listing
    # Asking for one that is not offered, by its address: a clear refusal, nothing stored.
    for key, why in (("d3", "opens when it starts"), (f"s{upcoming.id}", "opens when it starts"),
                     (f"s{skipped.id}", "for the people who took part"),
                     (f"s{scanned.id}", "for the people who took part")):
        page = client.get(f"/e/{event.slug}/feedback/{key}")
        assert page.status_code == 403 and why in page.get_data(True)
        assert client.post(f"/e/{event.slug}/feedback/{key}", data=ANSWERS).status_code == 403
    assert db.session.scalar(select(func.count(Feedback.id))) == 0
    assert client.post(f"/e/{event.slug}/feedback/s{walked_in.id}", data=ANSWERS
                       ).status_code == 302
    assert client.post(f"/e/{event.slug}/feedback/d2", data=ANSWERS).status_code == 302
    assert db.session.scalar(select(func.count(Feedback.id))) == 2


def test_before_the_event_there_is_nothing_to_review(client, auth, make_event, make_attendee):
    event = make_event(days=2, start_date=date.today() + timedelta(days=30))
    auth.as_attendee(make_attendee(event))
    listing = client.get(f"/e/{event.slug}/feedback").get_data(True)
    assert 'id="feedback-none"' in listing and "Day 1" not in listing
