"""Sharing (PDF, email, team plan), progress without content, aggregates without names, CSV."""

import csv
import io
import re
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select

from summit.extensions import db
from summit.jobs import run_pending_jobs
from summit.messages.models import MessageRecipient
from summit.plans import services
from summit.plans.models import ActionPlan


def write(attendee, question, value, field=""):
    plan = services.plan_for(attendee)
    services.save_answer(plan, question, field, value, 0, by=attendee.full_name)
    db.session.commit()
    return plan


def test_pdf_and_email_it_to_me(app, client, auth, make_event, make_attendee, question):
    event = make_event()
    amber = make_attendee(event, first_name="Amber", email="amber@example.org")
    plan = write(amber, question(event, "take_back"), "Publish staff guidance on AI")
    write(amber, question(event, "actions"), "Draft the guidance", field="a1.first_step")
    auth.as_attendee(amber)
    pdf = client.get(f"/e/{event.slug}/plan/{plan.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Publish staff guidance on AI" in text and "Draft the guidance" in text

    sent = client.post(f"/e/{event.slug}/plan/{plan.id}/email")
    assert sent.status_code == 302
    outbox = Path(app.config["OUTBOX_DIR"])
    assert not list(outbox.glob("*.eml")), "rendered and sent by jobs, not in the request"
    assert run_pending_jobs() == 2  # the PDF, then its delivery through the outbox
    [eml] = outbox.glob("*.eml")
    message = message_from_bytes(eml.read_bytes())
    assert message["To"] == "amber@example.org"
    assert "Attached is your action plan" in message.get_payload()[0].get_payload(decode=True) \
        .decode()
    [attachment] = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert attachment.get_filename().endswith(".pdf")
    emailed = attachment.get_payload(decode=True)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(emailed)).pages)
    assert "Publish staff guidance on AI" in text and "Draft the guidance" in text
    [row] = db.session.scalars(select(MessageRecipient)).all()
    assert (row.status, row.attendee_id, row.reason_key.split(":")[0]) == \
        ("sent", amber.id, "plan")


def test_an_event_name_with_a_line_break_still_emails_the_plan(app, client, auth, make_event,
                                                                make_attendee, question):
    """Found by the form fuzzer: the event settings form took a name with a line break, and
    "email it to me" answered 500 (a header cannot hold one)."""
    event = make_event(name="AI Leadership\r\nSummit")
    amber = make_attendee(event, email="amber@example.org")
    plan = write(amber, question(event, "take_back"), "Publish staff guidance on AI")
    auth.as_attendee(amber)
    assert client.post(f"/e/{event.slug}/plan/{plan.id}/email").status_code == 302
    run_pending_jobs()
    [eml] = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    assert message_from_bytes(eml.read_bytes(), policy=policy.default)["Subject"] == \
        "Your action plan · AI Leadership Summit"


def test_team_plan_is_shared_and_individual_plans_stay_private(client, auth, make_event,
                                                               make_attendee, make_member,
                                                               question, save):
    event = make_event()
    amber = make_attendee(event, first_name="Amber")
    ben = make_attendee(event, first_name="Ben")
    make_member(amber, ben)
    outsider = make_attendee(event, first_name="Olga", organization="Metro Schools")
    amber_plan = write(amber, question(event, "take_back"), "Amber's private idea")

    auth.as_attendee(ben)
    assert client.get(f"/e/{event.slug}/plan/{amber_plan.id}").status_code == 403
    assert "Join the team plan" in client.get(f"/e/{event.slug}/plan/team").get_data(True)
    assert client.post(f"/e/{event.slug}/plan/team/join").status_code == 302
    team = db.session.scalar(select(ActionPlan).where(ActionPlan.organization_id.is_not(None)))
    assert save(event, team.id, question(event, "who_else"), "The school board").status_code == 200

    auth.as_attendee(amber)
    client.post(f"/e/{event.slug}/plan/team/join")
    page = client.get(f"/e/{event.slug}/plan/team").get_data(True)
    assert "The school board" in page and "Team plan · Knox County Schools" in page
    # Amber saved from a stale version: a conflict naming who wrote the other text.
    stale = save(event, team.id, question(event, "who_else"), "Parents", base=0)
    assert stale.status_code == 409 and "by Person" in stale.get_data(True) or "by Ben" in \
        stale.get_data(True)
    client.post(f"/e/{event.slug}/plan/share", data={"shared": "1"})

    auth.as_attendee(ben)
    assert "Amber&#39;s private idea" in client.get(
        f"/e/{event.slug}/plan/{amber_plan.id}").get_data(True)
    auth.as_attendee(outsider)
    assert client.get(f"/e/{event.slug}/plan/{amber_plan.id}").status_code == 403
    assert save(event, team.id, question(event, "who_else"), "x").status_code == 403


def test_facilitator_sees_status_not_content(client, auth, make_event, make_attendee,
                                             make_staff, question):
    event = make_event()
    amber = make_attendee(event, first_name="Amber")
    ben = make_attendee(event, first_name="Ben")
    write(amber, question(event, "take_back"), "A secret plan detail")
    assert services.plan_progress_for([amber.id, ben.id]) == {
        amber.id: "started", ben.id: "not started"}
    facilitator = make_staff("facilitator", event)
    auth.login(facilitator)
    page = client.get(f"/admin/e/{event.slug}/plans/tables")
    html = page.get_data(True)
    assert page.status_code == 200
    assert "Amber" in html and "Started" in html and "Not started" in html
    assert "A secret plan detail" not in html
    assert client.get(f"/admin/e/{event.slug}/plans").status_code == 403


def test_aggregates_have_no_names_and_csv_exports(client, auth, make_event, make_attendee,
                                                  make_staff, question):
    event = make_event()
    take_back = question(event, "take_back")
    technical = question(event, "readiness_technical")
    priorities = question(event, "priorities")
    texts = ["Write an AI use policy for staff", "Staff guidance and an AI use policy",
             "Professional learning on AI use policy", "Student data privacy review"]
    for n, text in enumerate(texts):
        person = make_attendee(event, first_name=f"Zed{n}", role="Principal")
        write(person, take_back, text)
        write(person, technical, str(2 + n % 2), field="score")
        write(person, priorities, "1", field="rank:Data privacy")
        if n < 2:
            write(person, priorities, "2", field="rank:Staff guidance")
    services.set_completed(services.plan_for(person), True)
    db.session.commit()
    auth.login(make_staff("organizer", event))
    html = client.get(f"/admin/e/{event.slug}/plans").get_data(True)
    assert "Zed" not in html
    assert "<td>Data privacy</td><td>4</td><td>1.0</td>" in html
    # Two plans ranked it: its average rank would show their ranks; the count is shown.
    assert ('<td>Staff guidance</td><td>2</td><td><span class="muted">fewer than 3</span></td>'
            in html)
    assert "2.5" in html  # average technical readiness of the four principals
    assert "<li>use policy <span class=\"muted\">· 3</span>" in html
    assert "<li>policy <span class=\"muted\">· 3</span>" in html
    words = html.split('id="top-words"', 1)[1].split("</ol>", 1)[0]
    assert "staff" not in words and "privacy" not in words  # in 2 answers, 1 answer
    # The aggregates come first, the long progress tables after them.
    assert html.index('id="priority-counts"') < html.index('id="progress-by-district"')
    assert 'id="plans-started">4<' in html and 'id="plans-completed">1<' in html

    export = client.get(f"/admin/e/{event.slug}/plans/export.csv?kind=responses")
    rows = list(csv.DictReader(io.StringIO(export.get_data(True).lstrip("\ufeff"))))
    assert len(rows) == 4 and "Zed0" not in export.get_data(True)
    assert rows[0]["Technical score"] == "2"
    assert rows[0]["Priorities (ranked)"] == "Data privacy; Staff guidance"
    progress = client.get(f"/admin/e/{event.slug}/plans/export.csv?kind=progress")
    assert "Knox County Schools,4,4,1" in progress.get_data(True)


def test_formula_text_is_neutralized_in_csv(client, auth, make_event, make_attendee,
                                            make_staff, question):
    event = make_event()
    write(make_attendee(event), question(event, "take_back"), "=HYPERLINK(\"x\")")
    auth.login(make_staff("organizer", event))
    body = client.get(f"/admin/e/{event.slug}/plans/export.csv").get_data(True)
    assert "'=HYPERLINK" in body


def test_my_summit_panel_links_to_the_plan(client, auth, make_event, make_attendee):
    event = make_event()
    auth.as_attendee(make_attendee(event))
    html = client.get(f"/e/{event.slug}/me").get_data(True)
    assert "Start my plan" in html and f"/e/{event.slug}/topics" in html


def test_no_aggregate_shows_a_group_smaller_than_the_declared_minimum(
        client, auth, make_event, make_attendee, make_staff, question):
    """"Everyone 2.0 (1)" was a group of one: with fewer answers than
    ``personal_fields.SMALLEST_GROUP`` nothing is averaged, ranked or counted by word."""
    from summit.personal_fields import SMALLEST_GROUP
    from summit.plans import reports

    event = make_event()
    technical = question(event, "readiness_technical")
    take_back = question(event, "take_back")
    priorities = question(event, "priorities")
    people = [make_attendee(event, role="Principal", state="TN")
              for _ in range(SMALLEST_GROUP - 1)]
    for person in people:
        write(person, technical, "2", field="score")
        write(person, take_back, "Chatbot guidance for principals")
        write(person, priorities, "1", field="rank:Data privacy")
    auth.login(make_staff("organizer", event))
    html = client.get(f"/admin/e/{event.slug}/plans").get_data(True)
    overall = html.split('<tr class="overall">', 1)[1].split("</tr>", 1)[0]
    assert "2.0" not in overall and "fewer than 3" in overall
    assert "chatbot" not in html.split('id="top-words"', 1)[1].split("</ol>", 1)[0]
    assert reports.priority_counts(event)[0]["average_rank"] is None
    readiness = reports.readiness_averages(event)
    assert all(avg is None for avg, _n in readiness["overall"].values())
    assert reports.take_back_terms(event)["words"] == []
    # One more answer and each appears.
    third = make_attendee(event, role="Principal", state="TN")
    write(third, technical, "2", field="score")
    write(third, take_back, "Chatbot guidance for principals")
    write(third, priorities, "1", field="rank:Data privacy")
    html = client.get(f"/admin/e/{event.slug}/plans").get_data(True)
    assert "2.0 <small" in html.split('<tr class="overall">', 1)[1].split("</tr>", 1)[0]
    assert "<li>chatbot <span" in html
    assert reports.priority_counts(event)[0]["average_rank"] == 1.0


def test_tables_are_listed_by_number_not_as_text(client, auth, make_event, make_attendee,
                                                 make_staff):
    from summit.homerooms import services as homerooms
    from summit.homerooms.models import Seat
    from summit.textfold import natural_key

    assert sorted(["Table 10", "Table 2", "Table 1"], key=natural_key) == [
        "Table 1", "Table 2", "Table 10"]
    event = make_event()
    tables = homerooms.create_tables(event, 12, 4)
    db.session.commit()
    for number in (10, 2, 1, 11):
        person = make_attendee(event)
        db.session.add(Seat(event_id=event.id, table_id=tables[number - 1].id,
                            attendee_id=person.id, day=1))
    db.session.commit()
    auth.login(make_staff("organizer", event))
    dashboard = client.get(f"/admin/e/{event.slug}/plans").get_data(True)
    by_table = dashboard.split('id="progress-by-table"', 1)[1].split("</table>", 1)[0]
    assert [int(n) for n in re.findall(r"<td>Table (\d+)</td>", by_table)] == [1, 2, 10, 11]
    progress = client.get(f"/admin/e/{event.slug}/plans/tables").get_data(True)
    headings = re.findall(r"<h2>Table (\d+)</h2>", progress)
    assert [int(n) for n in headings] == [1, 2, 10, 11]
