"""Download my data, erasure by an organizer, and statistics that survive it."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from summit.admin.queries import event_counts
from summit.audit import AuditLog
from summit.checkin.api import arrivals
from summit.extensions import db
from summit.plans.models import Feedback, PlanAnswer, Topic
from summit.privacy.models import ErasedAttendee
from summit.privacy.registry import personal_data, providers
from summit.privacy.tally import erased_checkin_counts
from summit.registration.models import Attendee


def download(client, event):
    return client.get(f"/e/{event.slug}/me/my-data.json")


def test_download_my_data_holds_everything_about_me_and_nobody_else(client, auth, world):
    auth.as_attendee(world.ada)
    response = download(client, world.event)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.data)
    assert data["format"] == "summit-personal-data/1"
    reg = data["registration"]
    assert (reg["email"], reg["dietary"], reg["accessibility"], reg["organization"]) == (
        "ada@example.org", "Vegan", "Step-free seat", "Knox County Schools")
    plans = data["plans"]
    assert [a["value"] for a in plans["my_plan"]["answers"]] == [
        "Bring the AI guidance to our board"]
    assert [a["value"] for a in plans["team_plan"]["answers_last_written_by_me"]] == [
        "Team text Ada wrote"]
    assert [f["supposed"] for f in plans["feedback"]] == ["Ada's named feedback"]
    assert [t["title"] for t in plans["topics"]] == ["AI and grading"]
    assert [v["topic"] for v in plans["votes"]] == ["Who owns the data?"]
    assert [c["at"] for c in data["checkins"]["checkins"]] == ["2027-03-01T14:07:31+00:00"]
    assert any(e["action"] == "attendee.updated" for e in data["history"]["entries"])
    text = response.get_data(as_text=True)
    for other in ("grace@example.org", "Grace's own plan", "Team text Grace wrote",
                  "Anonymous note", world.ada.personal_secret, world.ada.checkin_code):
        assert other not in text


def test_an_attendee_only_ever_gets_their_own_file(app, client, auth, world, make_event,
                                                   make_attendee):
    assert download(client, world.event).status_code == 302  # not signed in
    auth.as_attendee(world.grace)
    text = download(client, world.event).get_data(as_text=True)
    assert "grace@example.org" in text and "ada@example.org" not in text
    assert "Bring the AI guidance" not in text
    other_event = make_event("other-summit")
    make_attendee(other_event, email="zed@example.org")
    # Signed in for one event only: the other event's download sends them to sign in.
    response = client.get(f"/e/{other_event.slug}/me/my-data.json")
    assert response.status_code == 302 and "/signed-out" in response.headers["Location"]
    # The organizer's copy is by id, organizer-only, and scoped to the event in the URL.
    assert client.get(f"/admin/e/{world.event.slug}/attendees/{world.ada.id}/data.json"
                      ).status_code == 302


def test_my_summit_offers_the_download(client, auth, world):
    auth.as_attendee(world.ada)
    html = client.get(f"/e/{world.event.slug}/me").get_data(as_text=True)
    assert "Download my data" in html and f"/e/{world.event.slug}/me/my-data.json" in html


def personal_columns():
    """Every column that can point at an attendee: attendee_id, email, or a FK to attendees."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            refs_attendee = any(fk.column.table.name == "attendees" for fk in column.foreign_keys)
            if column.name in ("attendee_id", "email") or refs_attendee or (
                    table.name == "attendees" and column.name == "id"):
                yield table, column


def test_erasure_leaves_no_trace_and_keeps_the_statistics(client, auth, make_staff, world):
    event, ada = world.event, world.ada
    ada_id, email = ada.id, ada.email
    before_counts = event_counts(event)
    before_arrivals = arrivals(event, 15)
    assert before_counts["checked_in"] == 3
    auth.login(make_staff("organizer", event))

    page = client.get(f"/admin/e/{event.slug}/attendees/{ada_id}")
    assert f"/admin/e/{event.slug}/attendees/{ada_id}/erase" in page.get_data(as_text=True)
    confirm = client.get(f"/admin/e/{event.slug}/attendees/{ada_id}/erase")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    for provider in providers():
        assert provider.title in html
    assert "my plan: yes" in html and "votes: 1" in html and "checkins: 1" in html
    unticked = client.post(f"/admin/e/{event.slug}/attendees/{ada_id}/erase")
    assert unticked.status_code == 400  # the page again, the box to tick marked
    assert "Tick the box to confirm the erasure." in unticked.get_data(as_text=True)
    assert 'aria-invalid="true"' in unticked.get_data(as_text=True)
    assert db.session.get(Attendee, ada_id) is not None

    response = client.post(f"/admin/e/{event.slug}/attendees/{ada_id}/erase",
                           data={"confirm": "erase"})
    assert response.status_code == 302
    db.session.expire_all()

    leftovers = []
    for table, column in personal_columns():
        value = email if column.name == "email" else ada_id
        n = db.session.scalar(sa.select(sa.func.count()).select_from(table)
                              .where(column == value))
        if n:
            leftovers.append(f"{table.name}.{column.name}: {n}")
    assert not leftovers, leftovers
    # Nothing left in free-text or JSON columns either (audit values, answer authors).
    dump = json.dumps([[e.action, e.before, e.after, e.actor_label]
                       for e in db.session.scalars(sa.select(AuditLog))])
    for trace in ("Lovelace", "ada@example.org", "Vegan", "Step-free"):
        assert trace not in dump
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanAnswer).where(
        PlanAnswer.updated_by == "Ada Lovelace")) == 0
    erased = db.session.scalars(sa.select(AuditLog).where(
        AuditLog.action == "attendee.erased")).one()
    assert erased.after == {"attendee": f"#{ada_id}", "reason": "request"}

    # Statistics: the same check-in count and the same arrivals curve.
    assert event_counts(event)["checked_in"] == before_counts["checked_in"] == 3
    assert arrivals(event, 15) == before_arrivals
    assert sum(erased_checkin_counts(event).values()) == 1
    tally = db.session.scalars(sa.select(ErasedAttendee)).one()
    assert (tally.status, tally.reason) == ("registered", "request")

    # Other people's work is untouched; Ada's topic stays, unsigned; her vote is gone.
    team_texts = set(db.session.scalars(sa.select(PlanAnswer.value)))
    assert {"Team text Ada wrote", "Team text Grace wrote", "Grace's own plan"} <= team_texts
    assert "Bring the AI guidance to our board" not in team_texts
    topic = db.session.get(Topic, world.ada_topic.id)
    assert topic.attendee_id is None and topic.vote_count == 1
    assert db.session.get(Topic, world.grace_topic.id).vote_count == 1
    anonymous = db.session.scalars(sa.select(Feedback)).one()
    assert anonymous.learned == "Anonymous note" and anonymous.anonymous
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendee)) == 2
    home = client.get(f"/admin/e/{event.slug}/").get_data(as_text=True)
    panel = home[home.index("privacy-home-panel"):]
    assert "1 person has been erased so far" in panel and "March 2, 2028" in panel, panel[:600]


def test_erasing_a_registered_attendee_gives_the_place_to_the_waitlist(
        client, auth, make_staff, make_event, make_attendee):
    from datetime import date, timedelta

    event = make_event("full-summit", capacity=1, start_date=date.today() + timedelta(days=30))
    first = make_attendee(event, email="first@example.org")
    waiting = make_attendee(event, email="wait@example.org", status="waitlisted",
                            waitlist_position=1)
    auth.login(make_staff("organizer", event))
    client.post(f"/admin/e/{event.slug}/attendees/{first.id}/erase", data={"confirm": "erase"})
    db.session.expire_all()
    assert db.session.get(Attendee, waiting.id).status == "registered"
    assert event_counts(event)["registered"] == 1


def test_erase_and_download_are_organizer_only(client, auth, make_staff, world):
    event = world.event
    for role in ("checkin", "facilitator"):
        auth.login(make_staff(role, event))
        for url in (f"/admin/e/{event.slug}/attendees/{world.ada.id}/erase",
                    f"/admin/e/{event.slug}/attendees/{world.ada.id}/data.json"):
            assert client.get(url).status_code == 403
        assert client.post(f"/admin/e/{event.slug}/attendees/{world.ada.id}/erase",
                           data={"confirm": "erase"}).status_code == 403
        auth.logout()
    assert db.session.get(Attendee, world.ada.id) is not None


def test_a_provider_needs_both_functions():
    with pytest.raises(TypeError):
        @personal_data(order=1)
        class Incomplete:
            def export(attendee):
                return {}
