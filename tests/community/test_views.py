"""The community pages end to end: an organizer creates a series and invites by segment,
members accept, RSVP, submit and upvote topics, the host publishes the agenda (members told
through the outbox) and members see it; the feed; privacy; bad input in words."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from summit.community.models import (
    CommunityAttendance,
    CommunityMeeting,
    CommunityMember,
    CommunityRsvp,
    CommunitySeries,
    CommunityTopic,
    CommunityTopicVote,
)
from summit.extensions import db
from summit.messages.models import MessageRecipient


def _series_form(**changes):
    form = {"title": "Leadership AI Roundtable", "description": "Monthly.",
            "rrule": "FREQ=MONTHLY;BYDAY=2FR", "first_date": (date.today()).isoformat(),
            "timezone": "America/Los_Angeles", "starts": "09:00", "ends": "10:30",
            "video_url": "https://meet.example.org/roundtable", "room": "",
            "group_size": "5", "agenda_days_before": "3"}
    form.update(changes)
    return form


def _setup(client, auth, make_event, make_attendee, make_staff):
    event = make_event()
    organizer = make_staff("organizer", event)
    people = [make_attendee(event, first_name=name, organization=org)
              for name, org in (("Amber", "Knox"), ("Ben", "Austin"), ("Cara", "Denver"))]
    auth.login(organizer)
    response = client.post(f"/admin/e/{event.slug}/community", data=_series_form())
    assert response.status_code == 302, response.get_data(True)
    series = db.session.scalar(select(CommunitySeries))
    return event, organizer, people, series


def test_host_invites_members_shape_the_agenda_and_see_it(client, auth, make_event,
                                                         make_attendee, make_staff):
    event, _organizer, (amber, ben, cara), series = _setup(client, auth, make_event,
                                                           make_attendee, make_staff)
    admin = f"/admin/e/{event.slug}/community/{series.id}"
    assert db.session.scalar(select(func.count(CommunityMeeting.id))) >= 12
    page = client.get(admin)
    assert page.status_code == 200 and "Leadership AI Roundtable" in page.get_data(True)
    client.post(admin, data={"action": "invite", "segment": "all:"})
    assert db.session.scalar(select(func.count(CommunityMember.id))) == 3
    invites = db.session.scalars(select(MessageRecipient).where(
        MessageRecipient.reason_key.like("community:%:invited:%"))).all()
    assert len(invites) == 3

    member_url = f"/e/{event.slug}/community/{series.id}"
    for person in (amber, ben):
        auth.as_attendee(person)
        assert "Join" in client.get(member_url).get_data(True)
        client.post(member_url, data={"action": "accept"})
    meeting = db.session.scalar(select(CommunityMeeting).where(
        CommunityMeeting.starts_at > datetime.now(UTC)).order_by(CommunityMeeting.starts_at))
    auth.as_attendee(amber)
    client.post(member_url, data={"action": "rsvp", "meeting": meeting.id, "answer": "yes"})
    client.post(member_url, data={"action": "topic", "kind": "question",
                                  "title": "Which AI tools are approved?"})
    topic = db.session.scalar(select(CommunityTopic))
    auth.as_attendee(ben)
    client.post(member_url, data={"action": "vote", "topic": topic.id})
    client.post(member_url, data={"action": "vote", "topic": topic.id})  # once is enough
    db.session.expire_all()
    assert db.session.get(CommunityTopic, topic.id).vote_count == 1
    assert "Which AI tools are approved?" in client.get(member_url).get_data(True)

    auth.login(_organizer)
    meeting_url = f"{admin}/meetings/{meeting.id}"
    page = client.get(meeting_url).get_data(True)
    assert "Which AI tools are approved?" in page and "1 yes" in page
    client.post(meeting_url, data={"action": "publish", "agenda": "1. Approved AI tools",
                                   "topic": str(topic.id)})
    db.session.expire_all()
    assert db.session.get(CommunityTopic, topic.id).status == "chosen"
    told = db.session.scalars(select(MessageRecipient).where(
        MessageRecipient.reason_key.like(f"community:{series.id}:meeting:{meeting.id}:agenda%")))
    assert {r.attendee_id for r in told} == {amber.id, ben.id}

    auth.as_attendee(amber)
    assert "1. Approved AI tools" in client.get(member_url).get_data(True)
    member = db.session.scalar(select(CommunityMember).where(
        CommunityMember.attendee_id == amber.id))
    feed = client.get(f"/e/{event.slug}/community/feed/{member.calendar_secret}.ics")
    assert feed.status_code == 200
    events = {str(e["uid"]): e for e in Calendar.from_ical(feed.data).walk("VEVENT")}
    assert "1. Approved AI tools" in str(events[f"community-{meeting.id}@"
                                              + next(iter(events)).split("@")[1]]["description"])

    # Cara never accepted: she sees the invitation only; someone else's series is a 404.
    auth.as_attendee(cara)
    assert "Which AI tools" not in client.get(member_url).get_data(True)
    assert client.get(f"/e/{event.slug}/community/999999").status_code == 404


def test_changes_reach_members_and_bad_input_is_refused_in_words(client, auth, make_event,
                                                                 make_attendee, make_staff):
    event, organizer, (amber, *_rest), series = _setup(client, auth, make_event,
                                                       make_attendee, make_staff)
    admin = f"/admin/e/{event.slug}/community/{series.id}"
    bad = client.post(f"/admin/e/{event.slug}/community",
                      data=_series_form(rrule="FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2"))
    assert bad.status_code == 422 and "gives no dates" in bad.get_data(True)
    for field, value, words in (("first_date", "next Friday", "YYYY-MM-DD"),
                                ("starts", "9am", "HH:MM"), ("title", "  ", "a title"),
                                ("group_size", "40", "2 to 20 people")):
        bad = client.post(f"/admin/e/{event.slug}/community",
                          data=_series_form(**{field: value}))
        assert bad.status_code == 422 and words in bad.get_data(True), field
    assert db.session.scalar(select(func.count(CommunitySeries.id))) == 1
    client.post(admin, data={"action": "invite", "segment": "all:"})
    auth.as_attendee(amber)
    client.post(f"/e/{event.slug}/community/{series.id}", data={"action": "accept"})
    auth.login(organizer)
    meetings = db.session.scalars(select(CommunityMeeting).where(
        CommunityMeeting.starts_at > datetime.now(UTC)).order_by(CommunityMeeting.starts_at)
    ).all()
    first, second = meetings[0], meetings[1]
    past = (date.today() - timedelta(days=3)).isoformat()
    response = client.post(f"{admin}/meetings/{first.id}", data={
        "action": "move", "day": past, "starts": "09:00", "ends": "10:30"},
        follow_redirects=True)
    assert "cannot move into the past" in response.get_data(True)
    new_day = (first.starts_at + timedelta(days=7)).date().isoformat()
    client.post(f"{admin}/meetings/{first.id}", data={
        "action": "move", "day": new_day, "starts": "09:00", "ends": "10:30"})
    client.post(f"{admin}/meetings/{second.id}", data={"action": "cancel"})
    reasons = set(db.session.scalars(select(MessageRecipient.reason_key).where(
        MessageRecipient.attendee_id == amber.id)))
    assert f"community:{series.id}:meeting:{first.id}:moved:1" in reasons
    assert f"community:{series.id}:meeting:{second.id}:cancelled:1" in reasons

    # The invitation link, then revoked: a clear page, not a join.
    invite = db.session.get(CommunitySeries, series.id).invite_secret
    client.post(admin, data={"action": "revoke_link"})
    auth.as_attendee(_rest[0])
    gone = client.post(f"/e/{event.slug}/community/join/{invite}")
    assert gone.status_code == 410 and "no longer works" in gone.get_data(True)


def test_invitation_link_asks_and_a_host_approves(client, auth, make_event, make_attendee,
                                                  make_staff):
    event, organizer, (amber, *_rest), series = _setup(client, auth, make_event,
                                                       make_attendee, make_staff)
    auth.as_attendee(amber)
    client.post(f"/e/{event.slug}/community/join/{series.invite_secret}")
    member = db.session.scalar(select(CommunityMember))
    assert member.status == "requested"
    auth.login(organizer)
    client.post(f"/admin/e/{event.slug}/community/{series.id}",
                data={"action": "decide", "member": member.id, "decision": "approve"})
    db.session.expire_all()
    assert db.session.get(CommunityMember, member.id).status == "active"
    auth.as_attendee(amber)
    client.post(f"/e/{event.slug}/community/{series.id}", data={"action": "leave"})
    db.session.expire_all()
    assert db.session.get(CommunityMember, member.id).status == "left"
    assert client.get(f"/e/{event.slug}/community/{series.id}").status_code == 404


def test_concurrent_votes_count_once(live_server):
    """One member voting from many requests at once, on both databases: one vote."""
    import requests

    from summit.community import services
    from summit.events.services import create_event
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    app = live_server.app
    with app.app_context():
        event = create_event("cp-race", "Summit", date(2027, 3, 1))
        org = find_or_create_organization("Knox", "TN")
        people = [Attendee(event_id=event.id, organization=org, first_name=f"P{n}",
                           last_name="T", email=f"p{n}@x.org") for n in range(5)]
        db.session.add_all(people)
        db.session.flush()
        series = services.create_series(event, services.SeriesData(
            "Roundtable", "", "FREQ=MONTHLY;BYDAY=2FR", date.today(), "America/Los_Angeles",
            datetime(2027, 1, 1, 9).time(), datetime(2027, 1, 1, 10, 30).time(), room="B"))
        members = []
        for person in people:
            member = services.ask_to_join(series, person)
            services.decide(member, "approve")
            members.append(member)
        topic = services.submit_topic(members[4], "topic", "Race me")
        db.session.commit()
        secrets = [p.personal_secret for p in people[:4]]
        topic_id, series_id = topic.id, series.id
        db.session.remove()

    def voter(secret):
        session = requests.Session()
        page = session.get(f"{live_server.url}/me/{secret}")
        token = page.text.split('"X-CSRFToken": "')[1].split('"')[0]
        barrier.wait()
        for _ in range(3):
            session.post(f"{live_server.url}/e/cp-race/community/{series_id}",
                         data={"action": "vote", "topic": topic_id},
                         headers={"X-CSRFToken": token}, allow_redirects=False)

    barrier = threading.Barrier(len(secrets))
    threads = [threading.Thread(target=voter, args=(s,)) for s in secrets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        assert db.session.scalar(select(func.count(CommunityTopicVote.id))) == 4
        assert db.session.get(CommunityTopic, topic_id).vote_count == 4
        db.session.remove()


def _snapshot():
    """Every community row, to show a refused form changed nothing."""
    return {model.__name__: sorted(map(repr, db.session.execute(select(model.__table__))))
            for model in (CommunityMember, CommunityMeeting, CommunityTopic,
                          CommunityTopicVote, CommunityRsvp, CommunityAttendance)}


def test_a_form_naming_another_series_rows_is_refused_whole(client, auth, make_event,
                                                            make_attendee, make_staff):
    """Topics, members and meetings in a form: one outside the series refuses the whole form
    (404) before any action runs; an id that is not a whole number is a bad request (400)."""
    from summit.community import services

    event, organizer, (amber, ben, _cara), series = _setup(client, auth, make_event,
                                                           make_attendee, make_staff)
    other = services.create_series(event, services.SeriesData(
        "Another circle", "", "FREQ=MONTHLY;BYDAY=1MO", date.today(), "America/Chicago",
        datetime(2027, 1, 1, 9).time(), datetime(2027, 1, 1, 10).time(), room="B"))
    own, theirs = {}, {}
    for where, store in ((series, own), (other, theirs)):
        members = []
        for person in (amber, ben):
            member = services.ask_to_join(where, person)
            services.decide(member, "approve")
            members.append(member)
        store.update(member=members[1].id, meeting=services.next_meeting(where).id,
                     topic=services.submit_topic(members[1], "topic", f"{where.title}?").id)
    db.session.commit()
    admin = f"/admin/e/{event.slug}/community/{series.id}"
    meeting_url = f"{admin}/meetings/{own['meeting']}"
    before = _snapshot()
    refused = [
        (admin, {"action": "decide", "member": theirs["member"], "decision": "colead"}, 404),
        (admin, {"action": "decide", "member": "x", "decision": "colead"}, 400),
        (meeting_url, {"action": "publish", "agenda": "1. Ours",
                       "topic": [own["topic"], theirs["topic"]]}, 404),
        (meeting_url, {"action": "attendance", "present": [own["member"],
                                                           theirs["member"]]}, 404),
        (meeting_url, {"action": "attendance", "present": [own["member"], "99999999999999"]},
         400),
        # Whatever the action: a cancel naming another series' topic cancels nothing.
        (meeting_url, {"action": "cancel", "topic": theirs["topic"]}, 404),
    ]
    for url, data, status in refused:
        assert client.post(url, data=data).status_code == status, data
    auth.as_attendee(amber)
    member_url = f"/e/{event.slug}/community/{series.id}"
    for data, status in (({"action": "vote", "topic": theirs["topic"]}, 404),
                         ({"action": "rsvp", "meeting": theirs["meeting"], "answer": "yes"}, 404),
                         ({"action": "vote", "topic": own["topic"],
                           "meeting": theirs["meeting"]}, 404),
                         ({"action": "rsvp", "meeting": "1.5", "answer": "yes"}, 400)):
        assert client.post(member_url, data=data).status_code == status, data
    db.session.expire_all()
    assert _snapshot() == before
    # The same forms with this series' own rows do what they are for.
    assert client.post(member_url, data={"action": "vote", "topic": own["topic"]}
                       ).status_code == 303
    auth.login(organizer)
    assert client.post(meeting_url, data={"action": "attendance", "present": [own["member"]]}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(CommunityTopic, own["topic"]).vote_count == 1
    assert services.present_ids(db.session.get(CommunityMeeting, own["meeting"])) == {
        own["member"]}


def test_bad_days_and_times_are_refused_in_words_and_the_series_form_keeps_them(
        client, auth, make_event, make_attendee, make_staff):
    event, _organizer, _people, series = _setup(client, auth, make_event, make_attendee,
                                                make_staff)
    admin = f"/admin/e/{event.slug}/community/{series.id}"
    meeting = db.session.scalar(select(CommunityMeeting).where(
        CommunityMeeting.starts_at > datetime.now(UTC)).order_by(CommunityMeeting.starts_at))
    count = db.session.scalar(select(func.count(CommunityMeeting.id)))
    later = (date.today() + timedelta(days=40)).isoformat()
    for url, action in ((admin, "add_meeting"), (f"{admin}/meetings/{meeting.id}", "move")):
        for changes, words in (({"day": "next Friday"}, "YYYY-MM-DD"), ({"day": ""}, "YYYY-MM-DD"),
                               ({"starts": "9am"}, "HH:MM"), ({"ends": ""}, "HH:MM")):
            data = {"action": action, "day": later, "starts": "09:00", "ends": "10:30",
                    **changes}
            page = client.post(url, data=data, follow_redirects=True).get_data(True)
            assert words in page, (action, changes)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(CommunityMeeting.id))) == count
    assert db.session.get(CommunityMeeting, meeting.id).sequence == meeting.sequence
    client.post(admin, data={"action": "add_meeting", "day": later, "starts": "09:00:00",
                             "ends": "10:30"})
    assert db.session.scalar(select(func.count(CommunityMeeting.id))) == count + 1

    # A refused series form comes back with what was typed.
    bad = client.post(f"/admin/e/{event.slug}/community",
                      data=_series_form(title="Principals' circle", starts="9am",
                                        rrule="FREQ=WEEKLY;BYDAY=TU", room="Room 12"))
    page = bad.get_data(True)
    assert bad.status_code == 422 and "HH:MM" in page
    for typed in ("Principals&#39; circle", "FREQ=WEEKLY;BYDAY=TU", 'value="9am"', "Room 12"):
        assert typed in page, typed
    fresh = client.get(f"/admin/e/{event.slug}/community").get_data(True)
    assert "FREQ=MONTHLY;BYDAY=2FR" in fresh and 'value="09:00"' in fresh
