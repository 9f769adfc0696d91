"""The organizer's map: the event navigation grouped by stage (Before, Program, On the day,
After), each role's own pages, and the overview's "What to do next"."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from summit import panels
from summit.extensions import db
from summit.panels import NextStep, nav_for_roles


def labels(nav) -> dict[str, list[str]]:
    return {group.label: [item.label for item in group.items] for group in nav.groups}


def test_organizers_see_their_pages_grouped_in_the_order_they_work(app):
    nav = nav_for_roles({"organizer"})
    assert not nav.flat
    assert labels(nav) == {
        "Before": ["Attendees", "Import", "Districts", "Staff", "Settings"],
        "Program": ["Program", "Homerooms", "Breakouts", "Topics", "Worksheet"],
        "On the day": ["Check-in desk", "Live counts", "Entrance screen", "Badges",
                       "Announcements", "Attendance", "Live Q&A"],
        "After": ["Feedback", "Plans", "Messages", "Log", "Learning credit", "Communities"],
    }
    # Facilitators' own views are theirs, not the organizer's map.
    assert not {"My table", "My sessions", "Table progress"} & {
        i.label for i in nav.items}


def test_facilitators_and_volunteers_see_only_their_own_pages_in_one_short_list(app):
    facilitator = nav_for_roles({"facilitator"})
    assert facilitator.flat
    assert [i.label for i in facilitator.items] == ["My table", "My sessions",
                                                    "Table progress", "Live Q&A"]
    volunteer = nav_for_roles({"checkin"})
    assert volunteer.flat
    assert [i.label for i in volunteer.items] == ["Check-in desk", "Entrance screen", "Badges"]
    both = nav_for_roles({"checkin", "facilitator"})
    assert not both.flat  # seven pages: grouped like the organizer's
    assert labels(both) == {"On the day": ["Check-in desk", "Entrance screen", "Badges",
                                           "My table", "My sessions", "Table progress",
                                           "Live Q&A"]}


def test_a_nav_item_must_name_a_known_group(app):
    with pytest.raises(ValueError, match="group"):
        panels.add_nav_item(1, "Nowhere", "admin.home", ("organizer",), group="someday")
    with pytest.raises(TypeError):
        panels.add_nav_item(1, "Nowhere", "admin.home", ("organizer",))  # group is required


def test_a_page_shows_its_group_and_the_group_s_pages(client, auth, make_event, make_staff,
                                                      make_attendee):
    event = make_event("mapped")
    person = make_attendee(event)
    auth.login(make_staff("organizer", event))
    page = client.get(f"/admin/e/{event.slug}/attendees/{person.id}").get_data(as_text=True)
    nav = page.split('<nav class="event-nav"', 1)[1].split("</nav>", 1)[0]
    # The attendee's page sits under Attendees, in Before.
    assert 'class="event-nav-group" href="/admin/e/mapped/attendees" aria-current="true">Before' \
        in nav
    assert '<ul class="event-nav-pages" aria-label="Before">' in nav
    assert 'href="/admin/e/mapped/attendees" aria-current="true">Attendees' in nav
    assert "Homerooms" not in nav  # another group's pages stay on the overview's map
    home = client.get(f"/admin/e/{event.slug}/").get_data(as_text=True)
    assert "flask --app" not in home  # no command line on the overview


def nav_links(page: str) -> list[str]:
    nav = page.split('<nav class="event-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def test_a_facilitator_sees_a_flat_list_of_their_pages(client, auth, make_event, make_staff):
    event = make_event("flat")
    auth.login(make_staff("facilitator", event))
    page = client.get(f"/admin/e/{event.slug}/").get_data(as_text=True)
    assert nav_links(page) == ["Overview", "My table", "My sessions", "Table progress",
                               "Live Q&amp;A"]
    assert "event-nav-pages" not in page


# --- what to do next -------------------------------------------------------------------------


def texts(steps: list[NextStep]) -> list[str]:
    return [f"{s.text}: {s.action}" if s.action else s.text for s in steps]


def test_homeroom_steps_follow_the_seating_state():
    from summit.homerooms.next_steps import homeroom_steps, tables_needed

    base = {"day": 1, "without_facilitator": 0, "days_ahead": 30}
    assert texts(homeroom_steps(registered=346, tables=0, seats=0, seated=0, **base)) == [
        "346 registered, no tables yet: add tables"]
    assert texts(homeroom_steps(registered=346, tables=30, seats=300, seated=0, **base)) == [
        "Seats for 300 of 346: add tables"]
    assert texts(homeroom_steps(registered=346, tables=44, seats=352, seated=0, **base)) == [
        "44 tables, 352 seats, nobody seated yet: assign seats"]
    late = homeroom_steps(registered=346, tables=44, seats=352, seated=340, **base)
    assert texts(late) == ["6 registered people have no seat on day 1: seat them"]
    done = homeroom_steps(registered=346, tables=44, seats=352, seated=346,
                          **{**base, "without_facilitator": 3, "days_ahead": 7})
    assert [s.urgency for s in done] == ["done", "soon"]
    assert texts(done)[1] == "3 tables have no facilitator: assign facilitators"
    assert homeroom_steps(registered=0, tables=0, seats=0, seated=0, **base) == []
    assert tables_needed(346, 0, 8) == 44 and tables_needed(346, 300, 8) == 6
    assert tables_needed(346, 352, 8) == 0


def test_other_capabilities_say_what_waits():
    from summit.badges.next_steps import badge_steps
    from summit.breakouts.next_steps import breakout_steps
    from summit.checkin.next_steps import checkin_steps

    assert texts(badge_steps(registered=346, unprinted=40, days_ahead=3)) == [
        "Badges not printed for 40 people: print badges"]
    assert badge_steps(registered=346, unprinted=40, days_ahead=3)[0].urgency == "now"
    assert badge_steps(registered=346, unprinted=40, days_ahead=30)[0].urgency == "later"
    assert texts(breakout_steps(sessions=0, unscheduled=0, conflicts=0)) == [
        "No breakout sessions yet: add sessions"]
    assert texts(checkin_steps(days_ahead=1, registered=346, checked_in=0)) == [
        "Check-in opens tomorrow: test the desk"]
    assert checkin_steps(days_ahead=30, registered=346, checked_in=0) == []


def test_the_overview_says_what_to_do_next_most_urgent_first(client, auth, make_event,
                                                             make_staff, make_attendee):
    from summit.homerooms import services as homerooms

    tomorrow = datetime.now(ZoneInfo("America/Chicago")).date() + timedelta(days=1)
    event = make_event("next", start_date=tomorrow, days=2)
    for _ in range(5):
        make_attendee(event)
    auth.login(make_staff("organizer", event))

    def steps() -> list[str]:
        page = client.get(f"/admin/e/{event.slug}/").get_data(as_text=True)
        section = page.split('id="next-steps"', 1)[1].split("</section>", 1)[0]
        items = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", li.split(">", 1)[1]))
                 for li in section.split('<li class="step')[1:]]
        return [re.sub(r"^[\s!✓•]*(Now:|Done:)?\s*", "", item).replace(" :", ":").strip()
                for item in items]

    first = steps()
    assert first[0] == "Check-in opens tomorrow: test the desk"  # the most urgent first
    assert "5 registered, no tables yet: add tables" in first
    assert "Badges not printed for 5 people: print badges" in first
    homerooms.create_tables(event, 1, 4)
    db.session.commit()
    assert "Seats for 4 of 5: add tables" in steps()
    homerooms.create_tables(event, 1, 4)
    db.session.commit()
    assert "2 tables, 8 seats, nobody seated yet: assign seats" in steps()
