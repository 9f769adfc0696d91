"""The worksheet: default template, autosave with versions, conflicts, template changes."""

from sqlalchemy import select

from summit.extensions import db
from summit.plans.models import ActionPlan, PlanAnswer, PlanTemplate
from summit.plans.services import plan_for


def open_plan(client, auth, attendee):
    auth.as_attendee(attendee)
    page = client.get(f"/e/{attendee.event.slug}/plan")
    assert page.status_code == 200
    return page, db.session.scalar(select(ActionPlan).where(ActionPlan.attendee_id == attendee.id))


def test_default_template_is_seeded_once_and_rendered(client, auth, make_event, make_attendee):
    event = make_event()
    attendee = make_attendee(event)
    page, plan = open_plan(client, auth, attendee)
    html = page.get_data(as_text=True)
    for text in ("What will you take back to your district?", "Technical: Is our data accurate",
                 "Measurement: Have success metrics", "Community communication",
                 "Success measure", "Who else in my district needs to be part of this?",
                 "Who isn&#39;t at the table, and why?", "How am I building trust?",
                 "Where am I taking a creative risk?", "static/js/autosave.js"):
        assert text in html, text
    assert html.count('data-field="a5.owner"') == 1
    assert " onclick" not in html and "hx-on" not in html and 'style="' not in html
    client.get(f"/e/{event.slug}/plan")
    assert len(db.session.scalars(select(PlanTemplate)).all()) == 1
    assert plan.status == "not started"


def test_save_versions_conflict_and_idempotent_retry(client, auth, make_event, make_attendee,
                                                     question, save):
    event = make_event()
    attendee = make_attendee(event)
    _, plan = open_plan(client, auth, attendee)
    take_back = question(event, "take_back")

    first = save(event, plan.id, take_back, "Draft an AI guidance page", base=0)
    assert first.status_code == 200
    assert first.headers["X-Answer-Version"] == "1"
    # The same request again (a retry after a lost response) is fine and changes nothing.
    again = save(event, plan.id, take_back, "Draft an AI guidance page", base=0)
    assert again.status_code == 200 and again.headers["X-Answer-Version"] == "1"
    second = save(event, plan.id, take_back, "Draft an AI guidance page for staff", base=1)
    assert second.headers["X-Answer-Version"] == "2"

    # A device still on version 1 must not overwrite version 2.
    stale = save(event, plan.id, take_back, "Something else entirely", base=1)
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Something else entirely" in html and "Draft an AI guidance page for staff" in html
    assert 'data-server-version="2"' in html
    answer = db.session.scalar(select(PlanAnswer))
    db.session.refresh(answer)
    assert answer.value == "Draft an AI guidance page for staff" and answer.version == 2
    db.session.refresh(plan)
    assert plan.status == "started"


def test_fields_are_checked_against_the_question(client, auth, make_event, make_attendee,
                                                 question, save):
    event = make_event()
    attendee = make_attendee(event)
    _, plan = open_plan(client, auth, attendee)
    readiness = question(event, "readiness_human")
    priorities = question(event, "priorities")
    actions = question(event, "actions")
    assert save(event, plan.id, readiness, "3", field="score").status_code == 200
    assert save(event, plan.id, readiness, "7", field="score").status_code == 400
    assert save(event, plan.id, priorities, "1", field="rank:Data privacy").status_code == 200
    assert save(event, plan.id, priorities, "1", field="rank:Made up").status_code == 400
    assert save(event, plan.id, actions, "Ms. Ortiz", field="a5.owner").status_code == 200
    assert save(event, plan.id, actions, "Nobody", field="a6.owner").status_code == 400


def test_other_people_cannot_write_into_a_plan(client, auth, make_event, make_attendee,
                                               question, save):
    event = make_event()
    owner, other = make_attendee(event), make_attendee(event)
    plan = plan_for(owner)
    db.session.commit()
    auth.as_attendee(other)
    response = save(event, plan.id, question(event, "take_back"), "Hijack")
    assert response.status_code == 403
    assert client.get(f"/e/{event.slug}/plan/{plan.id}").status_code == 403
    assert db.session.scalar(select(PlanAnswer)) is None


def test_template_changes_keep_started_answers(client, auth, make_event, make_attendee,
                                               make_staff, question, save):
    event = make_event()
    attendee = make_attendee(event)
    _, plan = open_plan(client, auth, attendee)
    risk = question(event, "reflect_risk")
    trust = question(event, "reflect_trust")
    assert save(event, plan.id, risk, "Piloting with students").status_code == 200
    assert save(event, plan.id, trust, "Weekly office hours").status_code == 200

    organizer = make_staff("organizer", event)
    auth.login(organizer)
    base = f"/admin/e/{event.slug}/plans/template"
    editor = client.get(base)
    assert editor.status_code == 200 and "Leadership" not in editor.get_data(as_text=True)[:0]
    r = client.post(f"{base}/questions/{trust.id}", data={
        "action": "save", "prompt": "How am I building trust with families?", "help": ""},
        headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'id="template-editor"' in r.get_data(as_text=True)
    assert client.post(f"{base}/questions/{risk.id}", data={"action": "remove"}).status_code == 302
    assert client.post(f"{base}/questions/{trust.id}", data={"action": "up"}).status_code == 302
    section_id = trust.section_id
    added = client.post(f"{base}/sections/{section_id}/questions",
                        data={"prompt": "What will you stop doing?", "kind": "text"})
    assert added.status_code == 302
    bad = client.post(f"{base}/sections/{section_id}/questions",
                      data={"prompt": "Rank these", "kind": "priorities", "options": "one"},
                      headers={"HX-Request": "true"})
    assert bad.status_code == 400 and "at least two options" in bad.get_data(as_text=True)
    assert client.post(f"{base}/sections", data={"title": "Budget"}).status_code == 302
    template = db.session.scalar(select(PlanTemplate))
    db.session.refresh(template)
    assert template.version >= 5

    auth.as_attendee(attendee)
    html = client.get(f"/e/{event.slug}/plan").get_data(as_text=True)
    assert "How am I building trust with families?" in html
    assert "Weekly office hours" in html  # the reworded question kept its answer
    assert "What will you stop doing?" in html and "Budget" in html
    assert "From an earlier version" in html and "Piloting with students" in html
    assert html.index("How am I building trust") < html.index("Who isn&#39;t at the table")
