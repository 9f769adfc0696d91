"""The command-line contract that scripts and operations teams rely on."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from summit.auth.services import user_for_token
from summit.events.models import Event
from summit.extensions import db
from summit.registration.models import Attendee

GOOD_CSV = (
    "\ufefffirst_name,last_name,email,organization,state,role,dietary\n"
    "Zoë,O'Brien,zoe@example.org,Knox County Schools,TN,Principal,Vegan\n"
    "太郎,山田,taro@example.jp,Toronto District School Board,ON,Teacher,\n"
    "Renée,Côté-Ñúñez,renee@example.ca,Centre de services scolaire de Montréal,QC,Coach,\n"
)


def test_event_create(runner):
    result = runner.invoke(args=["event", "create", "nashville-2027", "--name",
                                 "AI Summit Nashville", "--start", "2027-03-01", "--days", "3",
                                 "--capacity", "400"])
    assert result.exit_code == 0, result.output
    event = db.session.scalar(select(Event))
    assert (event.slug, event.days, event.capacity) == ("nashville-2027", 3, 400)
    again = runner.invoke(args=["event", "create", "nashville-2027", "--name", "X",
                                "--start", "2027-03-01"])
    assert again.exit_code != 0 and "already exists" in again.output
    bad = runner.invoke(args=["event", "create", "Bad Slug", "--name", "X", "--start", "soon"])
    assert bad.exit_code != 0


def test_import_then_export_round_trips_names_exactly(runner, make_event, tmp_path):
    make_event("surrey")
    path = tmp_path / "people.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    result = runner.invoke(args=["registrations", "import", "surrey", str(path)])
    assert result.exit_code == 0, result.output
    assert "Added 3 attendees" in result.output
    again = runner.invoke(args=["registrations", "import", "surrey", str(path)])
    assert again.exit_code == 0 and "Added 0 attendees" in again.output
    assert db.session.query(Attendee).count() == 3

    out = tmp_path / "out.csv"
    exported = runner.invoke(args=["registrations", "export", "surrey", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["first_name", "last_name", "email", "organization", "state", "role",
                             "dietary", "accessibility", "status", "checked_in_at", "homeroom",
                             "checkin_url"]
    by_email = {r["email"]: r for r in rows}
    assert by_email["taro@example.jp"]["first_name"] == "太郎"
    assert by_email["zoe@example.org"]["last_name"] == "O'Brien"
    assert by_email["renee@example.ca"]["last_name"] == "Côté-Ñúñez"
    zoe = db.session.scalar(select(Attendee).where(Attendee.email == "zoe@example.org"))
    assert by_email["zoe@example.org"]["checkin_url"] == f"http://summit.test/c/{zoe.checkin_code}"
    stdout = runner.invoke(args=["registrations", "export", "surrey"])
    assert "太郎" in stdout.output


def test_invalid_import_exits_non_zero_and_imports_nothing(runner, make_event, tmp_path):
    make_event("surrey")
    path = tmp_path / "bad.csv"
    path.write_text(GOOD_CSV + "Bad,Row,not-an-email,Org,BC,Teacher,\n,,x@example.org,,,,\n",
                    encoding="utf-8")
    result = runner.invoke(args=["registrations", "import", "surrey", str(path)])
    assert result.exit_code != 0
    assert "line 5" in result.output and "line 6" in result.output
    assert db.session.query(Attendee).count() == 0
    missing = runner.invoke(args=["registrations", "import", "nowhere", str(path)])
    assert missing.exit_code != 0 and "No event" in missing.output


def test_attendee_link(runner, make_event, make_attendee):
    event = make_event("surrey")
    attendee = make_attendee(event, email="amber@example.org")
    result = runner.invoke(args=["attendee", "link", "surrey", "AMBER@example.org"])
    assert result.exit_code == 0
    assert result.output.strip() == f"http://summit.test/me/{attendee.personal_secret}"
    assert runner.invoke(args=["attendee", "link", "surrey", "no@example.org"]).exit_code != 0


def test_user_create_and_token(runner, client):
    result = runner.invoke(args=["user", "create", "Lead@Example.org", "--role", "organizer",
                                 "--password-stdin"], input="a long password\n")
    assert result.exit_code == 0, result.output
    assert client.post("/login", data={"email": "lead@example.org",
                                       "password": "a long password"}).status_code == 302
    token = runner.invoke(args=["user", "token", "lead@example.org"]).stdout.strip()
    assert user_for_token(token).email == "lead@example.org"
    short = runner.invoke(args=["user", "create", "x@example.org", "--role", "checkin",
                                "--password-stdin"], input="short\n")
    assert short.exit_code != 0
    generated = runner.invoke(args=["user", "create", "desk@example.org", "--role", "checkin"])
    assert "Password:" in generated.output


def test_demo_is_realistic_and_prints_a_login(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "organizer@demo.summit" in result.output
    password = result.output.split("password ")[1].split()[0]
    attendees = db.session.scalars(select(Attendee)).all()
    assert len(attendees) >= 300
    districts = {a.organization_id for a in attendees}
    states = {a.organization.state for a in attendees}
    assert len(districts) >= 40
    assert {"ON", "BC", "TN"} <= states
    sizes = sorted((sum(1 for a in attendees if a.organization_id == d) for d in districts),
                   reverse=True)
    assert sizes[0] >= 50 and sizes[-1] <= 2  # a large host district and a long tail
    assert client.post("/login", data={"email": "organizer@demo.summit",
                                       "password": password}).status_code == 302
    # Each district's domain is confirmed: an attendee who opens their link is in the team.
    from summit.registration import membership

    knox = [a for a in attendees if a.organization.name == "Knox County Schools"]
    host = next(a for a in knox if a.email_confirmed_at is None)
    colleague = next(a for a in knox if a.email_confirmed_at is not None)
    assert membership.standing(host) == membership.UNCONFIRMED
    assert membership.is_member(colleague)
    phone = client.application.test_client()
    phone.get(f"/me/{host.personal_secret}")
    assert colleague.first_name in phone.get(f"/e/{host.event.slug}/team").get_data(True)
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and db.session.query(Attendee).count() == len(attendees)


def test_the_demo_has_a_full_public_program(runner, client):
    from summit.breakouts import api
    from summit.events.models import Event

    assert runner.invoke(args=["demo"]).exit_code == 0
    event = db.session.scalar(select(Event))
    blocks = api.program_blocks_of(event)
    kinds = {b.kind for b in blocks}
    assert {"plenary", "homeroom", "meal", "workshop"} <= kinds
    assert {b.day for b in blocks} == {1, 2, 3}
    sessions = [s for s in api.sessions_of(event) if s.day is not None]
    assert len(sessions) >= 12 and all(s.room for s in sessions)
    page = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    for text in ("Opening keynote", "Homeroom: meet your table", "Lunch",
                 "Leadership Action Planning Workshop, part 1", "Drafting a district AI policy",
                 "Marcus Johnson", "Teaching &amp; learning"):
        assert text in page, text
    assert runner.invoke(args=["demo"]).exit_code == 0  # once: nothing added the second time
    assert len(api.program_blocks_of(event)) == len(blocks)
