"""The program: the organizer's plenary blocks (validated, audited), the public program on the
event page (days, blocks, sessions, filters, htmx fragment), the embed and who may frame it."""

from __future__ import annotations

import html
import re
from datetime import time

import pytest
from sqlalchemy import func, select

from summit.audit import AuditLog
from summit.breakouts import api
from summit.breakouts.program import services
from summit.breakouts.program.models import ProgramBlock, ProgramSettings
from summit.extensions import db

HX = {"HX-Request": "true"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def block_form(**values) -> dict:
    form = {"title": "Opening keynote", "kind": "plenary", "day": "1", "starts": "08:00",
            "ends": "08:50", "room_id": "", "description": "Welcome and a keynote."}
    form.update(values)
    return form


@pytest.fixture
def organizer(client, auth, make_staff, schedule):
    auth.login(make_staff("organizer", schedule.event))
    return schedule


def ancestors(response) -> str:
    """The frame-ancestors sources of an answer's CSP."""
    policy = response.headers["Content-Security-Policy"]
    return next(d for d in policy.split("; ") if d.startswith("frame-ancestors ")).split(
        " ", 1)[1]


def errors(response) -> list[str]:
    return [html.unescape(e) for e in
            re.findall(r'class="error"[^>]*>([^<]*)<', response.get_data(as_text=True))]


# --- the organizer's page ---------------------------------------------------------------------


def test_an_organizer_adds_a_block_and_everyone_sees_it_on_the_event_page(client, organizer):
    s = organizer
    slug = s.event.slug
    page = client.get(f"/admin/e/{slug}/program")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'href="/admin/e/{slug}/program"' in html  # in the organizer's navigation
    assert "Drafting a district AI policy" in html  # the breakout slots, read only
    saved = client.post(f"/admin/e/{slug}/program/blocks",
                        data=block_form(room_id=str(s.big.id)))
    assert saved.status_code == 302 and saved.location.endswith("#day-1")
    block = db.session.scalar(select(ProgramBlock))
    assert (block.title, block.kind, block.day, block.starts, block.ends, block.room_id) == (
        "Opening keynote", "plenary", 1, time(8), time(8, 50), s.big.id)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "program.block_added"))
    assert entry.after["title"] == "Opening keynote" and entry.event_id == s.event.id

    client.post("/logout")
    public = client.get(f"/e/{slug}/").get_data(as_text=True)
    assert "Opening keynote" in public and "Welcome and a keynote." in public
    assert public.index("Opening keynote") < public.index("Drafting a district AI policy")


@pytest.mark.parametrize(("values", "field_message"), [
    ({"title": ""}, "Give the block a title"),
    ({"title": "x" * 201}, "at most 200"),
    ({"day": "4"}, "Choose one of the event's days."),
    ({"day": "abc"}, "Choose one of the event's days."),
    ({"starts": "25:99"}, "Not a valid time value."),
    ({"ends": ""}, "Enter an end time"),
    ({"starts": "10:00", "ends": "09:00"}, "The end time must be after the start time."),
    ({"starts": "10:00", "ends": "10:00"}, "The end time must be after the start time."),
    ({"kind": "party"}, "Choose what kind of block this is."),
    ({"room_id": "999999"}, "Choose one of this event's rooms, or no room."),
    ({"room_id": "x"}, "Choose one of this event's rooms, or no room."),
    ({"description": "y" * 4001}, "at most 4,000 characters"),
])
def test_a_refused_block_changes_nothing_and_keeps_what_was_typed(client, organizer, values,
                                                                  field_message):
    slug = organizer.event.slug
    typed = block_form(title="Closing keynote", **{k: v for k, v in values.items()
                                                    if k != "title"})
    if "title" in values:
        typed["title"] = values["title"]
    before = count(AuditLog)
    response = client.post(f"/admin/e/{slug}/program/blocks", data=typed)
    assert response.status_code == 400
    assert any(field_message in e for e in errors(response)), errors(response)
    assert count(ProgramBlock) == 0 and count(AuditLog) == before
    html = response.get_data(as_text=True)
    if typed["title"] and len(typed["title"]) < 50:
        assert f'value="{typed["title"]}"' in html
    if values.get("starts") == "10:00":
        assert 'value="10:00"' in html


def test_a_room_holds_one_thing_at_a_time(client, organizer):
    s = organizer
    slug = s.event.slug
    assert client.post(f"/admin/e/{slug}/program/blocks", data=block_form(
        room_id=str(s.big.id))).status_code == 302
    # Another block overlapping in the same room.
    clash = client.post(f"/admin/e/{slug}/program/blocks", data=block_form(
        title="Coffee", kind="break", starts="08:30", ends="08:55", room_id=str(s.big.id)))
    assert clash.status_code == 400
    assert "Ballroom A already holds “Opening keynote” at 08:00–08:50 on day 1." in errors(clash)
    # A breakout session (Data privacy for staff, Ballroom A, 9:00-10:00).
    clash = client.post(f"/admin/e/{slug}/program/blocks", data=block_form(
        title="Coffee", kind="break", starts="09:45", ends="10:15", room_id=str(s.big.id)))
    assert "the breakout session “Data privacy for staff”" in " ".join(errors(clash))
    # Touching ends, another day or another room are fine.
    for values in ({"starts": "08:50", "ends": "09:00"}, {"day": "2", "starts": "08:30"},
                   {"starts": "08:30", "ends": "08:55", "room_id": ""}):
        ok = client.post(f"/admin/e/{slug}/program/blocks", data=block_form(
            title="Coffee", kind="break", **({"room_id": str(s.big.id)} | values)))
        assert ok.status_code == 302, errors(ok)
    assert count(ProgramBlock) == 4


def test_edit_and_delete_a_block(client, organizer):
    s = organizer
    slug = s.event.slug
    client.post(f"/admin/e/{slug}/program/blocks", data=block_form())
    block = db.session.scalar(select(ProgramBlock))
    form = client.get(f"/admin/e/{slug}/program/blocks/{block.id}").get_data(as_text=True)
    assert 'value="Opening keynote"' in form and 'value="08:00"' in form
    assert "Edit “Opening keynote”" in form
    # Editing into a bad state keeps the block as it was.
    bad = client.post(f"/admin/e/{slug}/program/blocks/{block.id}",
                      data=block_form(title="Keynote", starts="11:00", ends="10:00"))
    assert bad.status_code == 400 and 'value="Keynote"' in bad.get_data(as_text=True)
    db.session.refresh(block)
    assert block.title == "Opening keynote"
    saved = client.post(f"/admin/e/{slug}/program/blocks/{block.id}",
                        data=block_form(title="Keynote", kind="workshop", day="2"))
    assert saved.status_code == 302
    db.session.refresh(block)
    assert (block.title, block.kind, block.day) == ("Keynote", "workshop", 2)
    change = db.session.scalar(select(AuditLog).where(
        AuditLog.action == "program.block_changed"))
    assert change.before == {"title": "Opening keynote", "kind": "plenary", "day": 1}
    assert client.post(f"/admin/e/{slug}/program/blocks/{block.id}/delete").status_code == 302
    assert count(ProgramBlock) == 0
    assert db.session.scalar(select(AuditLog).where(
        AuditLog.action == "program.block_deleted")).before["title"] == "Keynote"


def test_another_events_block_and_rooms_are_out_of_reach(client, auth, make_staff,
                                                          make_event, schedule):
    from summit.breakouts import services as breakouts

    other = make_event("elsewhere")
    their_room = breakouts.save_room(other, "Their hall", 100, True)
    theirs = services.save_block(other, services.BlockData(
        title="Their keynote", day=1, starts=time(9), ends=time(10)))
    db.session.commit()
    auth.login(make_staff("organizer", schedule.event))
    slug = schedule.event.slug
    assert client.get(f"/admin/e/{slug}/program/blocks/{theirs.id}").status_code == 404
    assert client.post(f"/admin/e/{slug}/program/blocks/{theirs.id}",
                       data=block_form()).status_code == 404
    assert client.post(f"/admin/e/{slug}/program/blocks/{theirs.id}/delete").status_code == 404
    assert db.session.get(ProgramBlock, theirs.id).title == "Their keynote"
    refused = client.post(f"/admin/e/{slug}/program/blocks",
                          data=block_form(room_id=str(their_room.id)))
    assert refused.status_code == 400 and count(ProgramBlock) == 1
    # The other event's organizer is not this event's.
    assert client.get(f"/admin/e/{other.slug}/program").status_code == 403


def test_blocks_on_days_the_event_no_longer_has_are_flagged_and_left_out(client, organizer):
    s = organizer
    client.post(f"/admin/e/{s.event.slug}/program/blocks", data=block_form(
        title="Day three dinner", kind="meal", day="3"))
    s.event.days = 2
    db.session.commit()
    page = client.get(f"/admin/e/{s.event.slug}/program").get_data(as_text=True)
    assert "1 block is on a day the event no longer has" in page
    assert "Day three dinner" not in client.get(f"/e/{s.event.slug}/").get_data(as_text=True)
    assert api.program_blocks_of(s.event) == []


# --- the public program -----------------------------------------------------------------------


@pytest.fixture
def program(schedule):
    s = schedule
    services.save_block(s.event, services.BlockData(
        title="Opening keynote", day=1, starts=time(8), ends=time(8, 45), room_id=s.big.id,
        description="Why AI changes leadership."))
    services.save_block(s.event, services.BlockData(
        title="Lunch", kind="meal", day=1, starts=time(12), ends=time(13)))
    services.save_block(s.event, services.BlockData(
        title="Homeroom time", kind="homeroom", day=2, starts=time(9), ends=time(10)))
    db.session.commit()
    return s


def test_anyone_sees_the_program_with_sessions_rooms_facilitators_and_tags(client, program):
    html = client.get(f"/e/{program.event.slug}/").get_data(as_text=True)
    for text in ("Opening keynote", "Why AI changes leadership.", "Lunch", "Homeroom time",
                 "Drafting a district AI policy", "Dana Ruiz", "Room 101", "Ballroom A",
                 "Rethinking homework and exams.", "Day 1", "Day 2", "Day 3",
                 "Nothing is on the program for this day yet."):
        assert text in html, text
    assert "dana@example.org" not in html  # a facilitator's address is never public
    # Filters are real links that name the day or the topic.
    assert f'href="/e/{program.event.slug}/?day=2#program"' in html
    assert f'href="/e/{program.event.slug}/?tag=Policy#program"' in html
    assert "See the program" in client.get(f"/e/{program.event.slug}/register").get_data(
        as_text=True)


def test_a_facilitator_known_only_by_email_is_not_named(client, schedule):
    from summit.breakouts import services as breakouts

    s = schedule
    breakouts.save_session(s.event, breakouts.SessionData(
        title="Anonymous session", room_id=s.small.id, slot_id=s.late.id,
        facilitators=[("", "secret.person@example.org")]))
    db.session.commit()
    html = client.get(f"/e/{s.event.slug}/").get_data(as_text=True)
    assert "Anonymous session" in html and "secret.person" not in html


def test_filters_by_day_and_by_tag(client, program):
    slug = program.event.slug
    day2 = client.get(f"/e/{slug}/?day=2").get_data(as_text=True)
    assert "Homeroom time" in day2 and "Opening keynote" not in day2
    assert 'id="pg-day-2" hx-get' in day2 and 'aria-current="page">' in day2
    policy = client.get(f"/e/{slug}/?tag=policy").get_data(as_text=True)
    assert "Drafting a district AI policy" in policy and "Data privacy for staff" in policy
    assert "Assessment redesign" not in policy and "Opening keynote" not in policy
    assert "Breakout sessions on “Policy”." in policy
    for junk in ("?day=abc", "?day=99", "?day=-1", "?tag=" + "x" * 500, "?day=%00", "?tag=%ff"):
        response = client.get(f"/e/{slug}/{junk}")
        assert response.status_code in (200, 400), junk


def test_htmx_asks_for_the_program_section_alone(client, program):
    slug = program.event.slug
    response = client.get(f"/e/{slug}/?day=2", headers=HX | {"HX-Target": "program"})
    html = response.get_data(as_text=True).strip()
    assert html.startswith('<section id="program"') and "Homeroom time" in html
    assert "<html" not in html and "Register" not in html.split("pg-cta")[0][:200]
    assert "HX-Request" in response.headers["Vary"]
    page = client.get(f"/e/{slug}/?day=2")
    assert "<html" in page.get_data(as_text=True) and "HX-Request" in page.headers["Vary"]
    # Another target (or none) gets the whole page.
    assert "<html" in client.get(f"/e/{slug}/", headers=HX | {"HX-Target": "x"}).get_data(
        as_text=True)


def test_the_program_in_french(client, program):
    client.set_cookie("lang", "fr")
    html = client.get(f"/e/{program.event.slug}/").get_data(as_text=True)
    for text in ("Programme", "Tous les jours", "Jour 1", "Repas", "Plénière",
                 "Temps à la table d’attache", "Ateliers au choix", "8 h 00", "lundi 1 mars"):
        assert text in html, text


def test_an_event_without_a_program_shows_no_program_section(client, make_event):
    event = make_event()
    html = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert 'id="program"' not in html and 'class="card narrow"' in html


# --- the embed --------------------------------------------------------------------------------


def test_only_the_embed_may_be_framed_and_only_by_the_listed_websites(client, organizer):
    slug = organizer.event.slug
    embed = client.get(f"/e/{slug}/program/embed")
    assert embed.status_code == 200
    assert ancestors(embed) == "'self'"
    assert "X-Frame-Options" not in embed.headers
    html = embed.get_data(as_text=True)
    assert 'class="site-header"' not in html and "X-CSRFToken" not in html
    assert "Drafting a district AI policy" in html
    assert "Set-Cookie" not in embed.headers  # nothing to remember for a framed page

    saved = client.post(f"/admin/e/{slug}/program/embed", data={
        "origins": "https://www.district.org/summit\nsummit.example.org"})
    assert saved.status_code == 302
    assert services.embed_origins(organizer.event) == ["https://www.district.org",
                                                       "https://summit.example.org"]
    assert ancestors(client.get(f"/e/{slug}/program/embed")) == (
        "'self' https://www.district.org https://summit.example.org")
    fragment = client.get(f"/e/{slug}/program/embed?day=1", headers=HX)
    assert fragment.get_data(as_text=True).strip().startswith('<section id="program"')
    assert "https://www.district.org" in ancestors(fragment)
    # Every other page still refuses every frame.
    for path in (f"/e/{slug}/", f"/e/{slug}/register", f"/admin/e/{slug}/program", "/login",
                 f"/e/{slug}/program/embed/nope"):
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert ancestors(response) == "'none'", path


def test_a_bad_website_list_changes_nothing_and_keeps_what_was_typed(client, organizer):
    slug = organizer.event.slug
    client.post(f"/admin/e/{slug}/program/embed", data={"origins": "https://a.example.org"})
    typed = "https://b.example.org\n* ; script-src"
    response = client.post(f"/admin/e/{slug}/program/embed", data={"origins": typed})
    assert response.status_code == 400
    assert "“*” is not allowed" in " ".join(errors(response))
    assert "https://b.example.org\n* ; script-src</textarea>" in response.get_data(
        as_text=True)
    assert services.embed_origins(organizer.event) == ["https://a.example.org"]
    assert count(ProgramSettings) == 1
    # Emptying the list: nobody else may frame it.
    client.post(f"/admin/e/{slug}/program/embed", data={"origins": ""})
    assert services.embed_origins(organizer.event) == []
    assert ancestors(client.get(f"/e/{slug}/program/embed")) == "'self'"


def test_the_embed_speaks_the_language_in_its_address(client, program):
    slug = program.event.slug
    html = client.get(f"/e/{slug}/program/embed?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in html and "Programme" in html and "S’inscrire" in html
    assert f'href="/e/{slug}/program/embed?day=2&amp;lang=fr"' in html  # filters keep it
    assert 'href="/e/' + slug + '/program/embed?lang=en"' in html
    assert 'target="_blank"' in html  # registering leaves the frame
    english = client.get(f"/e/{slug}/program/embed?lang=xx",
                         headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in english


def test_a_private_event_has_no_embed(client, program):
    program.event.is_public = False
    db.session.commit()
    assert client.get(f"/e/{program.event.slug}/program/embed").status_code == 404


def test_the_overview_offers_the_snippet_to_organizers_only(client, auth, make_staff, program):
    slug = program.event.slug
    services.save_embed_origins(program.event, "https://www.district.org")
    db.session.commit()
    auth.login(make_staff("organizer", program.event))
    home = client.get(f"/admin/e/{slug}/").get_data(as_text=True)
    assert "3 plenary blocks and 3 breakout sessions" in home
    assert (f'src=&#34;http://summit.test/e/{slug}/program/embed&#34;' in home
            or f'src="http://summit.test/e/{slug}/program/embed"' in home.replace("&#34;", '"'))
    assert 'e.origin===&#34;http://summit.test&#34;' in home or \
        'e.origin==="http://summit.test"' in home.replace("&#34;", '"')
    auth.logout()
    auth.login(make_staff("checkin", program.event))
    home = client.get(f"/admin/e/{slug}/").get_data(as_text=True)
    assert "plenary blocks" in home and "program/embed" not in home
    assert f"/admin/e/{slug}/program" not in home


# --- the interface for other capabilities -----------------------------------------------------


def test_the_api_adds_and_lists_blocks_with_the_same_rules(schedule):
    s = schedule
    block = api.save_program_block(s.event, title="Keynote", day=1, starts=time(7, 30),
                                   ends=time(8, 45), room="ballroom a")
    assert (block.room, block.minutes, block.kind) == ("Ballroom A", 75, "plenary")
    assert block.starts.isoformat() == "2027-03-01T07:30:00-06:00"
    lunch = api.save_program_block(s.event, title="Lunch", day=1, starts=time(12),
                                   ends=time(13), kind="meal")
    assert "meal" not in api.LEARNING_KINDS and "plenary" in api.LEARNING_KINDS
    assert [b.id for b in api.program_blocks_of(s.event)] == [block.id, lunch.id]
    with pytest.raises(api.ProgramError) as refused:
        api.save_program_block(s.event, title="Clash", day=1, starts=time(8),
                               ends=time(8, 30), room="Ballroom A")
    assert set(refused.value.problems) == {"room_id"}
    with pytest.raises(api.ProgramError):
        api.save_program_block(s.event, title="Nowhere", day=1, starts=time(14),
                               ends=time(15), room="The moon")
    with pytest.raises(api.ProgramError) as refused:
        api.save_program_block(s.event, title="Late", day=9, starts=time(15), ends=time(14))
    assert set(refused.value.problems) == {"day", "ends"}
