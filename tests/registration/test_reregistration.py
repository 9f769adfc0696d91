"""Registering again with the address of a cancelled registration: a new attendee, who sees
nothing of the earlier one, on any attendee page, in the data export or in the database.

Found by a security review: the public form reused the cancelled row and signed the new browser
in, so the next registrant read the earlier person's emails (with their old personal link),
action plan, named feedback, topics, change history, dietary and accessibility notes.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import select

from summit.extensions import db
from summit.jobs import run_pending_jobs
from summit.plans import feedback as feedback_service
from summit.plans import services as plans
from summit.plans import topics
from summit.registration import services as registration
from summit.registration.models import Attendee
from tests.attendee_routes import LIVE_ROOMS, leaks, readable, urls

# A community invitation link nobody was given (community.join).
MADE_UP_INVITE = "n0t-a-real-invitation-link-0123456789abc"

EARLIER = {
    "first_name": "Veradine", "last_name": "Earlyperson", "email": "vera@knoxschools.org",
    "organization": "Knox County Schools", "state": "TN", "role": "Principal",
    "dietary": "Peanut allergy VDIET", "accessibility": "Wheelchair VACCESS",
    "share_contact": "y",
}
LATER = {**EARLIER, "first_name": "Newt", "last_name": "Laterly", "dietary": "",
         "accessibility": "", "role": "Teacher"}


def question(event, key):
    template = plans.template_for(event)
    db.session.flush()
    return next(q for s in plans.live_sections(template) for q in s.questions if q.key == key)


def earlier_registration(app, event, make_attendee, make_member):
    """Vera registers on the form, uses Summit fully, then cancels. Returns her and the values
    no later registrant may ever see."""
    vera_phone = app.test_client()
    assert vera_phone.post(f"/e/{event.slug}/register", data=EARLIER).status_code == 302
    vera = db.session.scalar(select(Attendee).where(Attendee.first_name == "Veradine"))
    vera_phone.get(f"/me/{vera.personal_secret}")  # she opens the link from her email
    registration.update_attendee(vera, {"dietary": "Peanut and sesame VDIET2"})  # history
    colleague = make_attendee(event, first_name="Colleague", email="col@knoxschools.org")
    make_member(vera, colleague)
    mine = plans.plan_for(vera)
    plans.save_answer(mine, question(event, "take_back"), "", "My private VPLAN", 0,
                      by=vera.full_name)
    mine.shared_with_team = True
    team = plans.join_team(vera)
    plans.save_answer(team, question(event, "who_else"), "", "VTEAM board", 0,
                      by=vera.full_name)
    day1 = feedback_service.targets(event)[0]
    feedback_service.submit(current_app.config["SECRET_KEY"], event, vera, day1,
                            {"supposed": "VFEEDBACK named"}, 4, anonymous=False)
    topic = topics.submit(event, vera, "question", "VTOPIC grading")
    other_topic = topics.submit(event, colleague, "topic", "Staff guidance")
    topics.vote(event, other_topic, vera)
    db.session.commit()
    run_pending_jobs()  # her confirmation email ("Hello Veradine", her link) goes out
    assert vera_phone.post(f"/e/{event.slug}/me/cancel").status_code == 302
    run_pending_jobs()
    db.session.refresh(vera)
    assert vera.status == "cancelled"
    secrets = [vera.personal_secret, vera.checkin_code]
    db.session.commit()
    return vera, team, topic, [
        "Veradine", "Earlyperson", "VDIET", "VACCESS", "VPLAN", "VFEEDBACK", *secrets]


def test_registering_again_after_a_cancellation_shows_nothing_of_the_earlier_person(
        app, make_event, make_attendee, make_member):
    event = make_event()
    vera, team, topic, secret_values = earlier_registration(app, event, make_attendee,
                                                            make_member)
    vera_id = vera.id
    newcomer = app.test_client()
    answer = newcomer.post(f"/e/{event.slug}/register", data=LATER)
    assert answer.status_code == 302
    newt = db.session.scalar(select(Attendee).where(Attendee.first_name == "Newt"))
    assert newt.id != vera_id
    db.session.refresh(vera)
    assert (vera.status, vera.first_name, vera.dietary) == (
        "cancelled", "Veradine", "Peanut and sesame VDIET2")  # her record stays hers
    run_pending_jobs()

    # The new attendee starts empty: no table holds anything of theirs but their own email.
    own_rows = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "attendees" for fk in column.foreign_keys):
                count = db.session.scalar(sa.select(sa.func.count()).select_from(table)
                                          .where(column == newt.id))
                if count:
                    own_rows[f"{table.name}.{column.name}"] = count
    assert own_rows == {"message_recipients.attendee_id": 1}, own_rows

    candidates = {"plan_id": [team.id, plans.existing_plan(vera).id, 999_999],
                  "key": ["d1", "d2"], "series_id": [999_999], "invite": [MADE_UP_INVITE],
                  **LIVE_ROOMS}

    def walk(client, when):
        problems = []
        for endpoint, url in urls(app, event.slug, candidates):
            if endpoint == "registration.cancel":
                continue  # a GET that only asks for confirmation; walked anyway below
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            found = leaks(readable(response), secret_values)
            if found:
                problems.append(f"{when}: {url} shows {found}")
        page = client.get(f"/e/{event.slug}/me/cancel").get_data(as_text=True)
        problems += [f"{when}: cancel page shows {m}" for m in leaks(page, secret_values)]
        # Her vote is not "mine" on the topic list.
        listing = client.get(f"/e/{event.slug}/topics").get_data(as_text=True)
        if 'aria-pressed="true"' in listing:
            problems.append(f"{when}: the topics list shows her vote as mine")
        # The data export: nothing of hers, not even the topic she proposed.
        export = client.get(f"/e/{event.slug}/me/my-data.json")
        assert export.status_code == 200
        data = json.loads(export.data)
        text = export.get_data(as_text=True)
        problems += [f"{when}: export shows {m}" for m in leaks(text, [*secret_values,
                                                                       "VTOPIC", "VTEAM"])]
        if [e["subject"] for e in data["messages"]["emails"]] != [
                "You are registered for AI Leadership Summit"]:
            problems.append(f"{when}: export emails {data['messages']['emails']}")
        own_plan = data["plans"]["my_plan"] or {}  # walking /plan started an empty one
        if own_plan.get("answers") or data["plans"]["feedback"] or data["plans"]["votes"] \
                or data["plans"]["topics"] or data["history"]["entries"][0]["action"] != \
                "attendee.registered":
            problems.append(f"{when}: export plans {data['plans']}")
        return problems

    assert newcomer.get(f"/e/{event.slug}/me").status_code == 200  # signed in to the new one
    problems = walk(newcomer, "form session")
    # The owner of the address opens the link that went to it: still nothing of Vera's.
    newt_phone = app.test_client()
    [email] = [p for p in Path(app.config["OUTBOX_DIR"]).glob("*.eml")
               if "Newt" in p.read_text()]
    assert vera.personal_secret not in email.read_text()
    newt_phone.get(f"/me/{newt.personal_secret}")
    problems += walk(newt_phone, "personal link")
    assert not problems, "\n".join(problems)

    # Vera's own link still opens her (cancelled) record and her data.
    vera_phone = app.test_client()
    vera_phone.get(f"/me/{vera.personal_secret}")
    mine = vera_phone.get(f"/e/{event.slug}/me/my-data.json").get_data(as_text=True)
    assert "VDIET2" in mine and "VPLAN" in mine and "VTOPIC" in mine


def test_the_walk_sees_a_leak_when_there_is_one(app, make_event, make_attendee, make_member,
                                                monkeypatch):
    """The test above can fail: had registering reused the cancelled row (as it did), the
    new browser would read Vera's notes, plan and emails."""
    event = make_event()
    vera, _team, _topic, secret_values = earlier_registration(app, event, make_attendee,
                                                              make_member)
    browser = app.test_client()
    from summit.access import sign_in_attendee

    with app.test_request_context():  # what the old code did: the new browser in her row
        sign_in_attendee(vera, by_form=True)
        cookie_session = dict(__import__("flask").session)
    with browser.session_transaction() as session:
        session.update(cookie_session)
    vera.email_confirmed_at = None
    vera.status = "registered"
    db.session.commit()
    found = []
    for _endpoint, url in urls(app, event.slug, {"plan_id": [plans.existing_plan(vera).id],
                                                 "key": ["d1"], "series_id": [999_999],
                                                 "invite": [MADE_UP_INVITE], **LIVE_ROOMS}):
        found += leaks(readable(browser.get(url)), secret_values)
    found += leaks(browser.get(f"/e/{event.slug}/me/my-data.json").get_data(as_text=True),
                   secret_values)
    assert {"Veradine", "VDIET", "VPLAN", "VFEEDBACK"} <= set(found)


def test_only_one_active_registration_per_address(app, make_event, make_attendee):
    """The database itself refuses a second active registration of an address (a partial
    unique index), while any number of cancelled ones may stay."""
    event = make_event()
    make_attendee(event, email="twice@example.org", status="cancelled")
    make_attendee(event, email="twice@example.org", status="cancelled")
    make_attendee(event, email="twice@example.org")
    try:
        with db.session.begin_nested():
            db.session.add(Attendee(event_id=event.id, first_name="A", last_name="B",
                                    email="twice@example.org", status="waitlisted"))
            db.session.flush()
    except sa.exc.IntegrityError:
        pass
    else:
        raise AssertionError("a second active registration of one address was stored")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendee)) == 3


def test_an_organizer_restores_the_same_record_unless_the_address_registered_again(
        app, client, auth, make_event, make_attendee, make_staff):
    event = make_event()
    auth.login(make_staff("organizer", event))
    kept = make_attendee(event, email="kept@example.org", dietary="Halal")
    registration.cancel(kept)
    db.session.commit()
    old_secret = kept.personal_secret
    assert client.post(f"/admin/e/{event.slug}/attendees/{kept.id}/restore").status_code == 302
    db.session.refresh(kept)
    assert (kept.status, kept.dietary) == ("registered", "Halal")
    assert kept.personal_secret != old_secret  # the old link stays dead

    gone = make_attendee(event, email="gone@example.org")
    registration.cancel(gone)
    db.session.commit()
    app.test_client().post(f"/e/{event.slug}/register", data={
        **LATER, "email": "gone@example.org"})
    refused = client.post(f"/admin/e/{event.slug}/attendees/{gone.id}/restore",
                          follow_redirects=True)
    assert "registered again since" in refused.get_data(as_text=True)
    db.session.refresh(gone)
    assert gone.status == "cancelled"


def test_lookups_by_address_find_the_active_registration(app, runner, make_event,
                                                         make_attendee):
    event = make_event()
    old = make_attendee(event, email="same@example.org", status="cancelled")
    new = make_attendee(event, email="same@example.org")
    assert registration.active_registration(event.id, "same@example.org").id == new.id
    result = runner.invoke(args=["attendee", "link", event.slug, "same@example.org"])
    assert new.personal_secret in result.output and old.personal_secret not in result.output


def test_erasing_the_earlier_person_leaves_the_next_one_alone(app, make_event, make_attendee):
    """Two registrations share an address: erasing the cancelled one removes its rows only,
    and the seating rules that name the address now mean the active registration."""
    from summit.homerooms.models import HomeroomRules
    from summit.privacy.services import erase_attendee

    event = make_event()
    earlier = make_attendee(event, email="same@example.org", status="cancelled")
    later = make_attendee(event, email="same@example.org", first_name="Later")
    db.session.add(HomeroomRules(event_id=event.id, seed=0,
                                 keep_together=[["same@example.org", "b@example.org"]],
                                 keep_apart=[]))
    db.session.commit()
    erase_attendee(earlier)
    db.session.commit()
    assert db.session.scalar(select(HomeroomRules.keep_together)) == [
        ["same@example.org", "b@example.org"]]
    assert db.session.get(Attendee, later.id).first_name == "Later"
    erase_attendee(db.session.get(Attendee, later.id))
    db.session.commit()
    assert db.session.scalar(select(HomeroomRules.keep_together)) == []
