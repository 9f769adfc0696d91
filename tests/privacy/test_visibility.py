"""Who can see dietary and accessibility notes.

Organizers see both; the check-in role may see accessibility (the desk shows it) but never
dietary notes; facilitators see accessibility only for their own table (none here); other
attendees and anonymous visitors see neither. Every GET route is requested as every role, with
the ids of the attendee who wrote the notes, so pages added later are covered too.
"""

from __future__ import annotations

import pytest

DIETARY = "Dietary-marker-kosher"
ACCESS = "Access-marker-hearing-loop"

SEES = {
    "anonymous": set(),
    "other-attendee": set(),
    "facilitator": set(),  # with no table of theirs containing the attendee
    "checkin": {ACCESS},
    "other-event-organizer": set(),
    "organizer": {DIETARY, ACCESS},
}


@pytest.fixture
def setup(app, make_event, make_attendee, make_staff):
    event = make_event("notes")
    other = make_event("other-notes")
    person = make_attendee(event, email="notes@example.org", dietary=DIETARY,
                           accessibility=ACCESS)
    colleague = make_attendee(event, email="colleague@example.org")
    staff = {role: make_staff(role, event) for role in ("facilitator", "checkin", "organizer")}
    staff["other-event-organizer"] = make_staff("organizer", other)
    return event, person, colleague, staff


def url_for_rule(rule, event, person):
    values = {}
    for name in rule.arguments:
        if name == "slug":
            values[name] = event.slug
        elif name == "attendee_id":
            values[name] = person.id
        elif name == "secret":
            values[name] = "x" * 40
        elif name == "code":
            values[name] = person.checkin_code
        elif rule._converters[name].__class__.__name__ in ("IntegerConverter",
                                                            "NumberConverter"):
            values[name] = 999_999
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def test_notes_are_visible_only_to_the_roles_that_need_them(app, setup):
    event, person, colleague, staff = setup
    urls = sorted({url_for_rule(rule, event, person) for rule in app.url_map.iter_rules()
                   if rule.endpoint != "static" and "GET" in rule.methods})
    seen_by_organizer = set()
    failures = []
    for role, allowed in SEES.items():
        client = app.test_client()
        if role == "other-attendee":
            client.get(f"/me/{colleague.personal_secret}")
        elif role != "anonymous":
            assert client.post("/login", data={"email": staff[role].email,
                                               "password": "correct horse battery"}
                               ).status_code == 302
        for url in urls:
            body = client.get(url).data
            for marker in (DIETARY, ACCESS):
                if marker.encode() in body:
                    if role == "organizer":
                        seen_by_organizer.add(marker)
                    if marker not in allowed:
                        failures.append(f"{role} sees {marker[:6]}… at {url}")
    assert not failures, "\n".join(failures)
    # The walk reached the pages that show the notes (so the test can fail).
    assert seen_by_organizer == {DIETARY, ACCESS}


def test_the_organizer_attendee_page_and_the_export_are_organizer_only(client, auth, setup):
    event, person, _, staff = setup
    for role in ("checkin", "facilitator", "other-event-organizer"):
        auth.login(staff[role])
        assert client.get(f"/admin/e/{event.slug}/attendees/{person.id}").status_code == 403
        assert client.get(f"/admin/e/{event.slug}/export.csv").status_code == 403
        assert client.get(f"/admin/e/{event.slug}/attendees").status_code == 403
        auth.logout()
