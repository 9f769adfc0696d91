"""Every page and export, as every audience, against the one declaration of who sees which
personal field (``summit.personal_fields``).

Paula, the person under test, has a unique marker in every personal field (name, district and
state, role, email, dietary and accessibility notes). She sits at Tom's homeroom table (Tom is
another attendee), at the table Fiona facilitates, in a breakout session Fiona facilitates,
with a plan, a calendar feed and sent email; Frank facilitates another table. Every GET route
of the URL map (ids and secrets filled with Paula's, search boxes filled with her name) is then
opened as the organizer, a check-in volunteer, Fiona (the facilitator of Paula's table), Frank,
Paula herself, Tom and another attendee; pages, fragments, CSV,
JSON, calendar and email files and PDFs (their text) are searched for the markers. A marker
found anywhere its field's declaration does not name that audience fails the test; the
audiences the declaration names must find it somewhere (so the walk reaches the pages, and the
test can fail). Paula's "share with my tablemates" choice is tried both ways.
"""

from __future__ import annotations

import io
import re
from datetime import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from summit.extensions import db
from summit.personal_fields import (
    ATTENDEE,
    CHECKIN,
    FACILITATOR,
    FIELDS,
    ORGANIZER,
    SELF,
    TABLE_FACILITATOR,
    TABLEMATE,
    may_see,
)

# One marker per field (lower case: pages may change the case of a name or a state).
MARKERS = {
    "name": ("qzpaulafirst", "qzpaulalast"),
    "district": ("qzdistrictmark", "qzstatemark"),
    "role": ("qzrolemark",),
    "email": ("qzemailmark",),
    "dietary": ("qzdietmark",),
    "accessibility": ("qzaccessmark",),
}
NOT_A_SECRET = "x" * 40
# A facilitator of another homeroom table than Paula's (Frank): a viewer, not an audience.
ELSEWHERE = "facilitator elsewhere"
VIEWERS = (ORGANIZER, CHECKIN, FACILITATOR, ELSEWHERE, SELF, TABLEMATE, ATTENDEE)


@pytest.fixture(params=[True, False], ids=["shares", "keeps-private"])
def paula_world(request, app, make_event, make_attendee, make_staff):
    from summit.breakouts import services as breakouts
    from summit.homerooms import services as homerooms
    from summit.homerooms.models import HomeroomTable
    from summit.messages.services import preferences_token
    from summit.plans import services as plans

    app.config["HOMEROOMS_ANNEAL_ITERATIONS"] = 500
    event = make_event("fields", days=1)
    paula = make_attendee(
        event, first_name="Qzpaulafirst", last_name="Qzpaulalast",
        email="qzemailmark@example.org", organization="Qzdistrictmark Schools",
        state="QZSTATEMARK", role="Qzrolemark", dietary="Qzdietmark: no nuts",
        accessibility="Qzaccessmark: a hearing loop", share_contact=request.param)
    tom = make_attendee(event, first_name="Tom", last_name="Mate", email="tom@example.org",
                        organization="Other District", state="TN", share_contact=True)
    other = make_attendee(event, first_name="Olga", last_name="Far", email="olga@example.org",
                          organization="Far District", state="TX")
    staff = {role: make_staff(role, event) for role in (ORGANIZER, CHECKIN, FACILITATOR)}
    fiona = staff[FACILITATOR]
    staff[ELSEWHERE] = make_staff("facilitator", event)  # Frank: Olga's table, not Paula's

    # Paula and Tom at one table (Fiona's), Olga at another.
    first, second = homerooms.create_tables(event, 2, 2)
    db.session.commit()
    from summit.homerooms.models import Seat

    for attendee, table in ((paula, first), (tom, first), (other, second)):
        db.session.add(Seat(event_id=event.id, table_id=table.id, attendee_id=attendee.id,
                            day=1))
    first.facilitator_user_id = fiona.id
    second.facilitator_user_id = staff[ELSEWHERE].id
    db.session.commit()
    assert db.session.scalar(select(HomeroomTable.facilitator_user_id)
                             .where(HomeroomTable.id == first.id)) == fiona.id

    room = breakouts.save_room(event, "Room 101", 20, True)
    slot = breakouts.save_slot(event, 1, time(9), time(10))
    session = breakouts.save_session(event, breakouts.SessionData(
        title="Policy", room_id=room.id, slot_id=slot.id,
        facilitators=[("Fiona", fiona.email)]))
    db.session.commit()
    breakouts.sign_up(paula, session)
    db.session.commit()

    plan = plans.plan_for(paula)
    template = plans.template_for(event)
    question = next(q for s in plans.live_sections(template) for q in s.questions
                    if q.kind == "text")
    plans.save_answer(plan, question, "", "Policy by May", 0, by=paula.full_name)
    calendar = breakouts.calendar_secret(paula)
    db.session.commit()

    from summit.messages.services import send_personal_link

    send_personal_link(paula, requested_by_attendee=False)
    db.session.commit()
    ids = {"attendee_id": paula.id, "table_id": first.id, "session_id": session.id,
           "room_id": room.id, "slot_id": slot.id, "plan_id": plan.id}
    return {"event": event, "paula": paula, "tom": tom, "other": other, "staff": staff,
            "ids": ids, "shares": request.param,
            "secrets": {"secret": paula.personal_secret, "code": paula.checkin_code,
                        "calendar": calendar, "token": preferences_token(paula)}}


def _url(rule, world, audience) -> str:
    secrets = world["secrets"]
    values = {}
    for name in rule.arguments:
        if name == "slug":
            values[name] = world["event"].slug
        elif name == "code":  # printed on her badge: anyone may hold it
            values[name] = secrets["code"]
        elif name == "secret" and "calendar" in rule.rule:
            values[name] = secrets["calendar"] if audience == SELF else NOT_A_SECRET
        elif name == "token":
            values[name] = secrets["token"] if audience == SELF else NOT_A_SECRET
        elif name == "secret":
            values[name] = NOT_A_SECRET  # her personal link would sign anyone in as her
        elif name in world["ids"]:
            values[name] = world["ids"][name]
        elif name == "key":
            values[name] = f"s{world['ids']['session_id']}"
        elif name == "action":
            values[name] = "no-such-action"
        else:
            values[name] = 1
    path = rule.build(values, append_unknown=False)[1]
    query = {"q": "zpaulafirs",  # finds her; echoed back, it is not the whole marker
             "table": world["ids"]["table_id"], "day": 1}
    return f"{path}?{urlencode(query)}"


def _text(response) -> str:
    if response.mimetype == "application/pdf":
        from pypdf import PdfReader

        return " ".join(page.extract_text() or ""
                        for page in PdfReader(io.BytesIO(response.data)).pages)
    return response.get_data(as_text=True)


def _client_for(app, world, audience):
    client = app.test_client()
    person = {SELF: "paula", TABLEMATE: "tom", ATTENDEE: "other"}.get(audience)
    if person:
        assert client.get(f"/me/{world[person].personal_secret}").status_code == 302
    else:
        assert client.post("/login", data={"email": world["staff"][audience].email,
                                           "password": "correct horse battery"}
                           ).status_code == 302
    return client


def _audiences_of(audience, world) -> set[str]:
    """What the declaration calls this viewer: Tom is a tablemate only if Paula shares; Fiona
    hosts Paula's table, Frank only another one."""
    if audience == TABLEMATE and not world["shares"]:
        return {ATTENDEE}
    if audience == FACILITATOR:
        return {FACILITATOR, TABLE_FACILITATOR}
    if audience == ELSEWHERE:
        return {FACILITATOR}
    return {audience}


def test_every_page_and_export_shows_each_field_only_to_its_audiences(app, paula_world):
    world = paula_world
    rules = [rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and rule.endpoint != "static"]
    failures, seen_by = [], {field: set() for field in FIELDS}
    for audience in VIEWERS:
        client = _client_for(app, world, audience)
        viewer = _audiences_of(audience, world)
        for rule in sorted(rules, key=lambda r: r.rule):
            if rule.endpoint in ("registration.personal_link", "auth.logout"):
                continue
            url = _url(rule, world, audience)
            response = client.get(url)
            text = _text(response).lower()
            for field, markers in MARKERS.items():
                found = [m for m in markers if m in text]
                if not found:
                    continue
                seen_by[field].add(audience)
                if not may_see(field, viewer):
                    failures.append(f"{audience} sees {field} ({found[0]}) at {url} "
                                    f"[{response.status_code} {response.mimetype}]")
    assert not failures, "\n".join(failures)
    for field in FIELDS:
        # Frank is there to be refused: nothing puts Paula at his table or in his session.
        expected = {a for a in VIEWERS
                    if a != ELSEWHERE and may_see(field, _audiences_of(a, world))}
        assert expected <= seen_by[field], (
            f"{field}: the walk never showed it to {sorted(expected - seen_by[field])}")


# How the form names each audience, in English and in French.
AUDIENCE_WORDS = {ORGANIZER: ("the organizers", "les organisateurs"),
                  CHECKIN: ("the check-in desk", "l’accueil"),
                  FACILITATOR: ("facilitators", "animateurs"),
                  TABLE_FACILITATOR: ("the facilitator of your homeroom table",
                                      "la personne qui anime votre table"),
                  TABLEMATE: ("tablemates", "personnes de ma table")}
# How the "share with my tablemates" box names each field, in English and in French.
FIELD_WORDS = {"name": ("name", "nom"), "district": ("district", "conseil scolaire"),
               "email": ("email", "courriel"), "role": ("role", "rôle")}


@pytest.mark.parametrize("language", [0, 1], ids=["en", "fr"])
def test_the_registration_form_promises_what_the_declaration_says(client, make_event,
                                                                  language):
    """The notes under the dietary and accessibility fields name exactly the audiences the
    declaration gives them; the "share" box names exactly what a tablemate sees."""
    from html import unescape

    from summit.personal_fields import SHARE_WITH_TABLEMATES

    event = make_event("form-words")
    page = unescape(client.get(f"/e/{event.slug}/register", headers={
        "Accept-Language": ("en", "fr")[language]}).get_data(as_text=True))
    for field in FIELDS.values():
        if not field.form_note:
            continue
        note = _translated(field.form_note, language)
        assert note in page, note
        for audience, words in AUDIENCE_WORDS.items():
            assert (words[language] in note) == (audience in field.seen_by), (field.key, note)
    share = _translated(SHARE_WITH_TABLEMATES, language)
    assert share in page
    for key, words in FIELD_WORDS.items():
        assert (words[language] in share) == may_see(key, [TABLEMATE]), (key, share)


def _translated(text: str, language: int) -> str:
    if not language:
        return text
    from babel.support import Translations

    from summit import ROOT

    translated = Translations.load(str(ROOT / "summit" / "translations"), ["fr"]).gettext(text)
    assert translated != text, f"no French for {text!r}"
    return translated


def test_the_privacy_notice_says_what_the_declaration_says():
    """docs/privacy.md's "Who can see what" table gives each field the declared audiences."""
    from summit import ROOT

    doc = (ROOT / "docs" / "privacy.md").read_text()
    section = doc.split("## Who can see what", 1)[1]
    lines = []  # the first table of the section
    for line in section.splitlines():
        if line.startswith("|"):
            lines.append(line)
        elif lines:
            break
    header, _rule, *rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    audience_of = {"Organizer": ORGANIZER, "Check-in volunteer": CHECKIN,
                   "Facilitator": FACILITATOR,
                   "Facilitator of their homeroom table": TABLE_FACILITATOR, "The attendee": SELF,
                   "Tablemates who chose to share": TABLEMATE, "Other attendees": ATTENDEE}
    assert set(header[1:]) == set(audience_of)
    documented = {row[0]: {audience_of[header[i]] for i in range(1, len(header))
                           if re.match(r"(\*\*)?yes", row[i])} for row in rows}
    for field in FIELDS.values():
        assert documented.get(field.label) == set(field.seen_by), field.label


def test_the_organizer_attendee_page_and_the_export_are_organizer_only(client, auth,
                                                                       make_event, make_staff,
                                                                       make_attendee):
    event = make_event("notes")
    other = make_event("other-notes")
    person = make_attendee(event, dietary="Dietary-marker", accessibility="Access-marker")
    staff = [make_staff(role, event) for role in ("facilitator", "checkin")]
    for user in [*staff, make_staff("organizer", other)]:
        auth.login(user)
        assert client.get(f"/admin/e/{event.slug}/attendees/{person.id}").status_code == 403
        assert client.get(f"/admin/e/{event.slug}/export.csv").status_code == 403
        assert client.get(f"/admin/e/{event.slug}/attendees").status_code == 403
        auth.logout()


def test_the_public_form_suggests_a_district_only_once_three_people_of_it_registered(
        client, make_event, make_attendee):
    from summit.registration.views import MIN_SUGGESTED_GROUP

    event = make_event("suggest")
    make_attendee(event, organization="Lonely Valley Schools", state="MT")
    for _ in range(MIN_SUGGESTED_GROUP):
        make_attendee(event, organization="Knox County Schools", state="TN")
    page = client.get(f"/e/{event.slug}/register").get_data(as_text=True)
    suggestions = page.split('<datalist id="known-organizations">', 1)[1].split("</datalist>")[0]
    assert '<option value="Knox County Schools">' in suggestions
    assert "Lonely Valley" not in page
