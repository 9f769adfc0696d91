"""Every route that takes an id or a secret refuses someone else's, and changes nothing.

Beside the role matrix (``tests/test_role_matrix.py``: who may open a route at all), this asks
whether a person allowed on a route can reach a row or a secret that is not theirs. Routes are
found in the app's URL map. For each parameter that names a row or a secret, the test puts in,
one at a time:

- the id of the same kind of row in **another event** (the URL's event is the requester's);
- the id of **another attendee**'s row (attendee pages: another person's plan, notice ...);
- the id of **another team**'s row (another district's team plan, a plan shared with it);
- a **forged** secret and an **expired** one (replaced, renewed, or past its time);

and expects 403 or 404 (410 for an expired secret), with every row of every table as it was.
Then the requester's own value is tried on every route, so a refusal above is known to come from
the ownership check and not from a world that lacks the row.

Ids also arrive in forms and query strings (``?table=``, ``attendee_id`` on the seating board).
Those are found in each view's source (and its module's private helpers it calls): every
``request.args``/``request.form`` field read as an integer or named ``*_id``, and every field
of the form classes it uses (views read posted values through Flask-WTF form classes) that is
a whole number or named ``*_id`` (``formdata=request.args`` makes it a query-string field).
They get the same treatment, except that a form refused as a whole (400) or sent back to its
page with a message (a redirect, as the seating board answers "That table does not exist")
also counts as refused, because the control is stricter: the requester's own ids must then
do what the form is for (a POST changes the database, a GET answers 200).

A parameter or field the tables below do not know fails the test: a new route cannot escape by
naming its id differently; it has to be described here first (and so, thought about).
"""

from __future__ import annotations

import inspect
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from wtforms import Form as WTForm
from wtforms import IntegerField
from wtforms.fields.core import UnboundField

from summit.extensions import db
from tests.security.world import PASSWORD, build_world

# Which kind of row a URL parameter names, by parameter name: any route using the name is
# covered the day it is added.
ID_PARAMS = {
    "attendee_id": "attendee", "checkin_id": "checkin", "batch_id": "badge_batch",
    "room_id": "room", "session_id": "session", "slot_id": "slot", "table_id": "table",
    "message_id": "message", "recipient_id": "recipient", "announcement_id": "announcement",
    "question_id": "question", "section_id": "section", "role_id": "role",
    "topic_id": "topic", "notice_id": "notice", "plan_id": "plan", "token_id": "token",
    "organization_id": "organization", "domain_id": "domain", "request_id": "join_request",
    "block_id": "program_block", "credit_batch_id": "credit_batch",
    "series_id": "community_series", "meeting_id": "community_meeting",
    "live_question_id": "live_question", "poll_id": "live_poll",
}
# Secrets are named alike on different doors (``secret``, ``code``), so each is declared for its
# endpoint: a new door with a secret fails until it is described here.
SECRET_PARAMS = {
    ("registration.personal_link", "secret"): "personal_link",
    ("breakouts.private_feed", "secret"): "calendar",
    ("messages.preferences", "token"): "mail_preferences",
    ("checkin.code_link", "code"): "checkin_code",
    ("selfcheckin.entrance_scan", "code"): "entrance_code",
    ("selfcheckin.arrive", "marker"): "arrival",
    ("plans.give_feedback", "key"): "feedback_target",
    # A certificate's verification page is public by design (whoever holds the certificate
    # may show it to anyone): only a code nobody was given is refused.
    ("credits.verify", "code"): "certificate_code",
    ("community.join", "invite"): "community_invite",
    ("community.feed", "secret"): "community_feed",
}
# A live room's key names a session (``s<id>``) or a plenary block (``b<id>``) of the event in
# the URL: every live route that takes one is described here.
LIVE_ROOM_ENDPOINTS = ("room", "room_live", "ask", "upvote", "vote", "moderate_page",
                       "moderate_live", "settings", "moderate_question", "new_poll",
                       "poll_action", "screen", "screen_live", "export")
SECRET_PARAMS.update({(f"live.{name}", "room_key"): "live_room" for name in LIVE_ROOM_ENDPOINTS})
# Parameters that name neither a row nor a secret: the value to use, and why.
NOT_OWNED = {
    ("badges.calibration", "stock"): ("avery-5392", "a badge stock from a fixed list"),
    ("admin.attendee_action", "action"): ("promote", "an action name (this one changes nothing "
                                                     "for a registered person); the attendee "
                                                     "id beside it is tested"),
    ("static", "filename"): ("css/app.css", "a file shipped with the app"),
}
# Ids in forms and query strings: (endpoint, "form" | "args", field) -> kind.
FIELD_IDS = {
    ("homerooms.move", "form", "attendee_id"): "attendee",
    ("homerooms.move", "form", "table_id"): "table",
    ("homerooms.seat_lock", "form", "attendee_id"): "attendee",
    ("homerooms.seat_pin", "form", "attendee_id"): "attendee",
    ("homerooms.accessibility", "form", "attendee_id"): "attendee",
    ("homerooms.my_table", "args", "table"): "table",
    ("selfcheckin.table_presence", "args", "table"): "table",
    ("breakouts.move_session", "form", "room_id"): "room",
    ("breakouts.move_session", "form", "slot_id"): "slot",
    ("breakouts.signs_pdf", "args", "room_id"): "room",
    ("messages.retry", "form", "message_id"): "message",
    ("plans.save", "form", "question"): "question",
    ("plans.moderate_topic", "form", "into"): "topic_into",
    ("community.admin_series", "form", "member"): "community_member",
    ("community.admin_meeting", "form", "topic"): "community_topic",
    ("community.admin_meeting", "form", "present"): "community_member",
    ("community.member_page", "form", "topic"): "community_topic",
    ("community.member_page", "form", "meeting"): "community_meeting",
    ("breakouts.new_session", "form", "room_id"): "room",
    ("breakouts.new_session", "form", "slot_id"): "slot",
    ("live.vote", "form", "option"): "live_poll_option",
    # The organizer's credit page checks every row a post names, whatever its action.
    ("credits.manage", "form", "attendee_id"): "attendee",
    ("credits.manage", "form", "request_id"): "credit_request",
    ("credits.manage", "form", "certificate_id"): "certificate",
    ("credits.manage", "form", "block_id"): "program_block",
}
_DISTRICT_FILTER = ("a district (districts are shared by every event): it only narrows this "
                    "event's attendees, so another district's id selects nobody")
_TICKED = ("the people ticked: select_attendee_ids keeps only this event's registered "
           "attendees, and the page counts the others as left out")
_CHOICES_OF_EVENT = ("a SelectField whose choices are this event's own rows: any other id is "
                     "refused as not a valid choice")
_SAME_AS_NEW_SESSION = ("checked by save_session as for breakouts.new_session, tested above; "
                        "its control here would move the session that the move_session "
                        "control then finds already moved")
# Integer fields that name nothing anyone owns, and why.
NOT_OWNED_FIELDS = {
    ("plans.save", "form", "base"): "the version the page last saw",
    ("plans.give_feedback", "form", "rating"): "a rating from 1 to 5",
    ("plans.moderate_topic", "form", "day"): "a day of the event",
    ("plans.add_prompt", "form", "day"): "a day of the event",
    ("selfcheckin.table_presence", "args", "day"): "a day of the event",
    ("breakouts.new_session", "args", "room_id"): "preselects one of this event's rooms in "
                                                  "the editor; another id selects nothing",
    ("breakouts.new_session", "args", "slot_id"): "the same, for time slots",
    # Found in form classes (views read posted values through them).
    ("admin.attendees", "form", "page"): "a page of the search results",
    ("badges.create_batch", "form", "organization_id"): _DISTRICT_FILTER,
    ("badges.batch_preview", "args", "organization_id"): _DISTRICT_FILTER,
    ("badges.create_batch", "form", "attendee_id"): _TICKED,
    ("badges.batch_preview", "args", "attendee_id"): _TICKED,
    ("breakouts.add_room", "form", "capacity"): "a number of seats",
    ("breakouts.edit_room", "form", "capacity"): "a number of seats",
    ("breakouts.new_session", "form", "capacity"): "a number of seats",
    ("breakouts.edit_session", "form", "capacity"): "a number of seats",
    ("breakouts.edit_session", "form", "room_id"): _SAME_AS_NEW_SESSION,
    ("breakouts.edit_session", "form", "slot_id"): _SAME_AS_NEW_SESSION,
    ("breakouts.add_slot", "form", "day"): "a day of the event",
    ("checkin.scan", "form", "scanned_at"): "when a queued scan was read (milliseconds)",
    ("checkin.kiosk_scan", "form", "scanned_at"): "read with the code; the kiosk ignores it",
    ("homerooms.accessibility", "form", "day"): "a day of the event",
    ("homerooms.assign", "form", "only_day"): "a day of the event",
    ("homerooms.assign", "form", "seed"): "the seating engine's random seed",
    ("homerooms.move", "form", "day"): "a day of the event",
    ("homerooms.prompt", "form", "day"): "a day of the event",
    ("homerooms.rebalance", "form", "from_day"): "a day of the event",
    ("homerooms.rules", "form", "day"): "a day of the event",
    ("homerooms.seat_lock", "form", "day"): "a day of the event",
    ("homerooms.seat_pin", "form", "day"): "a day of the event",
    ("homerooms.table_lock", "form", "day"): "a day of the event",
    ("homerooms.tables", "form", "accessible_every"): "every n-th table is accessible",
    ("homerooms.tables", "form", "count"): "how many tables to add",
    ("homerooms.tables", "form", "seats"): "seats per table",
    ("homerooms.edit_table", "form", "number"): "the table's number",
    ("homerooms.edit_table", "form", "seats"): "seats at the table",
    ("homerooms.edit_table", "form", "facilitator_user_id"): _CHOICES_OF_EVENT,
    ("program.blocks", "form", "room_id"): _CHOICES_OF_EVENT,
    ("program.add_block", "form", "room_id"): _CHOICES_OF_EVENT,
    ("program.edit_block", "form", "room_id"): _CHOICES_OF_EVENT,
    ("program.save_embed", "form", "room_id"): "the block form beside the embed form; the "
                                                "embed form has no id",
    ("admin.event_settings", "form", "capacity"): "a number of places",
    ("admin.event_settings", "form", "days"): "how many days the event lasts",
    ("admin.event_settings", "form", "retention_days"): "how long data is kept",
    ("admin.new_event", "form", "capacity"): "a number of places",
    ("admin.new_event", "form", "days"): "how many days the event lasts",
    ("admin.new_event", "form", "retention_days"): "how long data is kept",
    ("live.vote", "form", "value"): "a number from 1 to 5 (scale polls)",
    ("community.admin_index", "form", "group_size"): "how many people in each small group",
    ("community.admin_index", "form", "agenda_days_before"): "how many days before a meeting "
                                                             "its agenda goes out",
    ("credits.manage", "form", "credit_minutes"): "minutes of credit for a block",
    ("credits.manage", "form", "arrival_window"): "minutes after an activity's start",
    ("credits.manage", "form", "exit_min_share"): "a share of an activity, in per cent",
    ("credits.manage", "form", "retention_years"): "how long credit records are kept",
}
# The rest of each form, so the request would be accepted with the requester's own ids.
BASE_FIELDS = {
    "homerooms.move": {"day": "1"},
    "homerooms.seat_lock": {"day": "1"},
    "homerooms.seat_pin": {"day": "1"},
    "homerooms.accessibility": {"day": "1", "needs": "1"},
    "selfcheckin.table_presence": {"day": "1"},
    "plans.save": {"field": "", "value": "Our plan", "base": "0"},
    "plans.moderate_topic": {"action": "merge"},
    "community.admin_series": {"action": "decide", "decision": "colead"},
    "community.admin_meeting": {"action": "attendance"},
    "community.member_page": {"action": "vote"},
    "breakouts.new_session": {"title": "Ownership check", "mode": "signup"},
    "credits.manage": {"action": "revoke", "reason": "Ownership check"},
}
# Who asks, per access kind: someone allowed on the route, for the URL's event (event pages
# open to facilitators are also asked by a facilitator, whose team is one homeroom table).
REQUESTERS = {
    "event_role": ("organizer",),
    "attendee": ("attendee",),
    "public": ("anonymous", "attendee"),
    "staff": ("organizer",),
}
# Organizers see every attendee and table of their event, and public pages (a table tent, a
# room's door sign) are the same for every attendee: these apply to everyone else.
PERSONAL_VARIANTS = {"other_attendee", "other_team", "other_team_shared"}
REFUSED = {403, 404}
REFUSED_EXPIRED = REFUSED | {410}  # "this code or link has expired": a refusal, in words
REFUSED_FORM = REFUSED | {302, 303, 400}  # with nothing changed: see the module's docstring


@dataclass
class Values:
    """What a requester's own value is, and the hostile ones to try instead."""

    own: object
    hostile: dict[str, object] = field(default_factory=dict)  # variant name -> value


@dataclass
class Ownership:
    slug: str
    users: dict[str, str]  # requester -> email
    attendee_secret: str
    values: dict[str, Values]  # kind (ID_PARAMS / SECRET_PARAMS values) -> values


def build_ownership_world(app) -> Ownership:
    """Two events, each the hardening world (tests/security/world.py), plus the rows every
    route with an id needs. Event A is the requester's; B is "another event"."""
    from summit.auth.models import ApiToken, EventRole, StaffUser
    from summit.auth.services import create_user, issue_token
    from summit.badges.models import BadgeBatch
    from summit.breakouts import services as breakouts
    from summit.breakouts.models import SessionChangeNotice
    from summit.checkin import services as checkin
    from summit.credits.models import Certificate, CertificateBatch, CreditRequest
    from summit.database import utcnow
    from summit.events.models import Event
    from summit.homerooms.models import HomeroomTable, Seat
    from summit.messages.models import Message, MessageRecipient
    from summit.messages.services import preferences_token
    from summit.plans import services as plans
    from summit.plans import topics
    from summit.registration import membership
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization, regenerate_personal_link
    from summit.selfcheckin import codes

    a, b = build_world(app, "alpha"), build_world(app, "beta")
    secret_key = app.config["SECRET_KEY"]
    event_a, event_b = db.session.get(Event, a.event_id), db.session.get(Event, b.event_id)
    people_a = [db.session.get(Attendee, i) for i in a.attendee_ids]
    people_b = [db.session.get(Attendee, i) for i in b.attendee_ids]
    amber = people_a[0]  # the requesting attendee (Knox County Schools)
    ben = people_a[1]  # another attendee, another district (Austin ISD)
    colleague = people_a[3]  # same district as Amber
    assert colleague.organization_id == amber.organization_id != ben.organization_id
    amber_b = people_b[0]

    def user(email):
        return db.session.scalar(select(StaffUser).where(StaffUser.email == email))

    organizer_a = user(a.organizer)
    stranger = create_user("stranger@elsewhere.test", "checkin", PASSWORD, event_id=b.event_id)
    # A facilitator's team is the homeroom table they run; another facilitator runs the next.
    facilitator = create_user("host@alpha.test", "facilitator", PASSWORD, event_id=a.event_id)
    other_host = create_user("host2@alpha.test", "facilitator", PASSWORD, event_id=a.event_id)
    tables_a = [db.session.get(HomeroomTable, i) for i in a.table_ids]
    tables_a[0].facilitator_user_id = facilitator.id
    tables_a[1].facilitator_user_id = other_host.id

    rows = {}
    for key, event, people in (("a", event_a, people_a), ("b", event_b, people_b)):
        first = people[0]
        result = checkin.check_in(first, checkin.entrance_list(event), by_user=None)
        batch = BadgeBatch(event_id=event.id, stock="avery-5392", attendee_ids=[first.id],
                           count=1, pdf=b"%PDF-1.4\n%%EOF\n", pdf_size=14, pages=1,
                           finished_at=datetime.now(UTC))
        message = Message(event_id=event.id, subject="Welcome", body="Hello",
                          segment_kind="everyone")
        certificate = Certificate(
            event_id=event.id, attendee_id=first.id, code=f"{key}" * 20, status="issued",
            first_name=first.first_name, last_name=first.last_name, email=first.email,
            credit_name="Clock hours", total_minutes=90, activities=[],
            keep_until=event.end_date)
        credit_batch = CertificateBatch(event_id=event.id, certificate_ids=[], status="done",
                                        pdf=b"%PDF-1.4\n%%EOF\n", pdf_size=14)
        credit_request = CreditRequest(event_id=event.id, attendee_id=first.id,
                                       activity_key="b1", message="I was there",
                                       status="open", answer="", created_at=utcnow())
        db.session.add_all([batch, message, certificate, credit_batch, credit_request])
        db.session.flush()
        recipient = MessageRecipient(event_id=event.id, attendee_id=first.id,
                                     message_id=message.id, reason_key="message",
                                     to_address=first.email, subject="Welcome",
                                     body_text="Hello", status="sent",
                                     outbox_file=f"welcome-{key}.eml")
        outbox = Path(app.config["OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"welcome-{key}.eml").write_text("Subject: Welcome\n\nHello\n")
        notices = [SessionChangeNotice(attendee_id=person.id, session_id=None, kind="moved",
                                       message="Your session moved.")
                   for person in (people[0], people[1])]
        db.session.add_all([recipient, *notices])
        template = plans.template_for(event)
        section = plans.live_sections(template)[0]
        text_questions = [q for sec in plans.live_sections(template) for q in sec.questions
                          if q.kind == "text"]
        desk_role = db.session.scalar(select(EventRole).where(
            EventRole.event_id == event.id, EventRole.role == "checkin"))
        rows[key] = {"checkin": result.checkin.id, "badge_batch": batch, "message": message,
                     "recipient": recipient, "notices": notices, "section": section,
                     "question": text_questions[1], "role": desk_role,
                     "certificate": certificate, "credit_batch": credit_batch,
                     "credit_request": credit_request}
        recipient.status = "failed"  # so that "retry" has something to do
    second_topic = topics.submit(event_a, colleague, "question", "Which tools are approved?")
    # Live rooms: a question and an open poll in a session of each event, and in a second room
    # of event A; the facilitator facilitates event A's session.
    from summit.breakouts.models import SessionFacilitator
    from summit.live import services as live

    live_rows = {}
    for key, event, people, room_key in (("a", event_a, people_a, f"s{a.session_ids[1]}"),
                                         ("b", event_b, people_b, f"s{b.session_ids[1]}"),
                                         ("a2", event_a, people_a, f"b{a.block_ids[0]}")):
        room = live.ensure_room(event, live.resolve(event, room_key))
        question, _created = live.ask(room, people[1], "A question", anonymous=True)
        poll = live.create_poll(room, "single", "Ready?", ["Yes", "No"])
        live.open_poll(room, poll)
        live_rows[key] = (question.id, poll.id, poll.options[0].id)
    db.session.add(SessionFacilitator(session_id=a.session_ids[1], email="host@alpha.test",
                                      user_id=facilitator.id))
    # Amber has no seat on day 1, so moving her to a table changes something.
    db.session.execute(delete(Seat).where(Seat.attendee_id == amber.id, Seat.day == 1))
    # Plans: Amber's own; a colleague's not shared; Ben's shared with his district's team; the
    # Austin team plan (Ben a member); a plan in event B.
    colleague_plan = plans.plan_for(colleague)
    membership.decide_as_organizer(event_a, ben, True, organizer_a.email)  # Austin's team
    ben_plan = plans.plan_for(ben)
    ben_plan.shared_with_team = True
    austin_team = plans.join_team(ben)
    plan_b = plans.plan_for(amber_b)
    # District teams. The organizer's own district is Amber's (Knox), with a domain confirmed
    # here; another event's district is one only event B has; another team's join request is
    # a Denver attendee's (Amber, a Knox member, may not decide it).
    knox_domain = membership.confirm_domain(event_a, amber.organization, "knox-schools.example",
                                            organizer_a.email)
    pine_ridge = find_or_create_organization("Pine Ridge Unified", "CA")
    db.session.add(Attendee(event_id=event_b.id, organization=pine_ridge, first_name="Pat",
                            last_name="Lee", email="pat@pineridge.example", status="registered"))
    denver = people_a[2]
    denver.email_confirmed_at = utcnow()
    denver_request = membership.ask_to_join(denver)
    issue_token(organizer_a, "mine")
    issue_token(stranger, "theirs")
    db.session.flush()
    token_ids = {row.label: row.id for row in db.session.scalars(select(ApiToken))}

    # Secrets: the requester's, one forged, one expired (replaced, renewed or past its time).
    now = datetime.now(UTC)
    calendar_own = breakouts.calendar_secret(amber)
    renewed = people_a[5]
    calendar_old = breakouts.calendar_secret(renewed)
    breakouts.calendar_secret(renewed, renew=True)
    replaced = people_a[6]
    old_link, old_code = replaced.personal_secret, replaced.checkin_code
    old_preferences = preferences_token(replaced)
    old_marker = codes.arrival_marker(secret_key, a.event_id, replaced.id,
                                      _fingerprint(replaced), now - timedelta(minutes=5))
    regenerate_personal_link(replaced)
    checkin.regenerate_code(replaced)
    community = _community_rows(event_a, event_b, amber, ben, colleague, amber_b)
    values = {
        **community,
        "attendee": Values(amber.id, {"other_event": amber_b.id}),
        "checkin": Values(rows["a"]["checkin"], {"other_event": rows["b"]["checkin"]}),
        "badge_batch": Values(rows["a"]["badge_batch"].id,
                              {"other_event": rows["b"]["badge_batch"].id}),
        "room": Values(a.room_ids[0], {"other_event": b.room_ids[0]}),
        "session": Values(a.session_ids[1], {"other_event": b.session_ids[1]}),
        "slot": Values(a.slot_ids[1], {"other_event": b.slot_ids[1]}),
        "table": Values(a.table_ids[0], {"other_event": b.table_ids[0],
                                         "other_team": a.table_ids[1]}),
        "message": Values(rows["a"]["message"].id, {"other_event": rows["b"]["message"].id}),
        "recipient": Values(rows["a"]["recipient"].id,
                            {"other_event": rows["b"]["recipient"].id}),
        "announcement": Values(a.announcement_id, {"other_event": b.announcement_id}),
        "question": Values(rows["a"]["question"].id, {"other_event": rows["b"]["question"].id}),
        "section": Values(rows["a"]["section"].id, {"other_event": rows["b"]["section"].id}),
        "role": Values(rows["a"]["role"].id, {"other_event": rows["b"]["role"].id}),
        "topic": Values(a.topic_id, {"other_event": b.topic_id}),
        "topic_into": Values(second_topic.id, {"other_event": b.topic_id}),
        "notice": Values(rows["a"]["notices"][0].id,
                         {"other_event": rows["b"]["notices"][0].id,
                          "other_attendee": rows["a"]["notices"][1].id}),
        "plan": Values(a.plan_id, {"other_event": plan_b.id, "other_attendee": colleague_plan.id,
                                   "other_team": austin_team.id,
                                   "other_team_shared": ben_plan.id}),
        "token": Values(token_ids["mine"], {"other_account": token_ids["theirs"]}),
        "organization": Values(amber.organization_id, {"other_event": pine_ridge.id}),
        "program_block": Values(a.block_ids[0], {"other_event": b.block_ids[0]}),
        "credit_batch": Values(rows["a"]["credit_batch"].id,
                               {"other_event": rows["b"]["credit_batch"].id}),
        "certificate": Values(rows["a"]["certificate"].id,
                              {"other_event": rows["b"]["certificate"].id}),
        "credit_request": Values(rows["a"]["credit_request"].id,
                                 {"other_event": rows["b"]["credit_request"].id}),
        "certificate_code": Values(rows["a"]["certificate"].code, {"forged": "x" * 20}),
        "domain": Values(knox_domain.id, {"other_event": b.domain_id}),
        "join_request": Values(a.request_id, {"other_event": b.request_id,
                                              "other_team": denver_request.id}),
        "personal_link": Values(people_a[7].personal_secret,
                                {"forged": secrets.token_urlsafe(30)[:40], "expired": old_link}),
        "calendar": Values(calendar_own, {"forged": secrets.token_urlsafe(24),
                                          "expired": calendar_old,
                                          "other_event": breakouts.calendar_secret(amber_b)}),
        "mail_preferences": Values(preferences_token(amber), {
            "forged": preferences_token(amber)[:-6] + "AAAAAA", "expired": old_preferences,
            "other_event": preferences_token(amber_b)}),
        "checkin_code": Values(amber.checkin_code, {"forged": "x" * 32, "expired": old_code}),
        # Made when asked for: the entrance code changes every 30 s, and a slow run outlives it.
        "entrance_code": Values(lambda: codes.entrance_code(secret_key, a.event_id, utcnow()), {
            "forged": codes.entrance_code("not the key", a.event_id, now),
            "expired": codes.entrance_code(secret_key, a.event_id, now - timedelta(hours=2)),
            "other_event": codes.entrance_code(secret_key, b.event_id, now)}),
        "arrival": Values(
            codes.arrival_marker(secret_key, a.event_id, people_a[8].id,
                                 _fingerprint(people_a[8]), now),
            {"forged": codes.arrival_marker("not the key", a.event_id, people_a[8].id,
                                            _fingerprint(people_a[8]), now),
             "expired": old_marker,
             "other_event": codes.arrival_marker(secret_key, b.event_id, people_b[8].id,
                                                 _fingerprint(people_b[8]), now)}),
        "live_room": Values(f"s{a.session_ids[1]}", {
            "forged": "s999999", "other_event": f"s{b.session_ids[1]}"}),
        "live_question": Values(live_rows["a"][0], {"other_event": live_rows["b"][0],
                                                    "other_room": live_rows["a2"][0]}),
        "live_poll": Values(live_rows["a"][1], {"other_event": live_rows["b"][1],
                                                "other_room": live_rows["a2"][1]}),
        # An answer of the poll in the URL (live_poll above); another poll's is refused.
        "live_poll_option": Values(live_rows["a"][2], {
            "forged": 999999, "other_event": live_rows["b"][2],
            "other_room": live_rows["a2"][2]}),
        # Day 1 (today) has begun whatever the time of day; a session may not have yet.
        "feedback_target": Values("d1", {
            "forged": "s999999", "other_event": f"s{b.session_ids[1]}",
            "expired": f"d{event_a.days + 1}"}),
    }
    db.session.commit()
    return Ownership(slug=a.slug, users={"organizer": a.organizer,
                                         "facilitator": "host@alpha.test"},
                     attendee_secret=amber.personal_secret, values=values)


def _community_rows(event_a, event_b, amber, ben, colleague, amber_b) -> dict:
    """A series in each event (Amber, Ben and a colleague members of A's), a second series
    in A that Amber is not in, a meeting, a topic and a revoked invitation link."""
    from datetime import time as clock

    from summit.community import services as community

    def series(event, title):
        return community.create_series(event, community.SeriesData(
            title, "", "FREQ=MONTHLY;BYDAY=2FR", datetime.now(UTC).date(),
            "America/Los_Angeles", clock(9), clock(10, 30), room="Room B"))

    own, theirs, other = series(event_a, "Roundtable"), series(event_a, "Other"), series(
        event_b, "Roundtable B")
    members = {}
    for key, person, where in (("amber", amber, own), ("ben", ben, own),
                               ("colleague", colleague, theirs), ("amber_b", amber_b, other)):
        member = community.ask_to_join(where, person)
        community.decide(member, "approve")
        members[key] = member
    meetings = {s.id: community.next_meeting(s) for s in (own, theirs, other)}
    topic = community.submit_topic(members["ben"], "topic", "Approved tools")
    topic_other = community.submit_topic(members["colleague"], "topic", "Elsewhere")
    revoked = own.invite_secret
    community.renew_invite(own)
    db.session.flush()
    return {
        "community_series": Values(own.id, {"other_event": other.id, "other_team": theirs.id}),
        "community_meeting": Values(meetings[own.id].id,
                                    {"other_event": meetings[other.id].id,
                                     "other_team": meetings[theirs.id].id}),
        "community_member": Values(members["ben"].id, {"other_event": members["amber_b"].id,
                                                       "other_team": members["colleague"].id}),
        "community_topic": Values(topic.id, {"other_event": topic_other.id}),
        "community_invite": Values(own.invite_secret, {
            "forged": secrets.token_urlsafe(30)[:40], "expired": revoked,
            "other_event": other.invite_secret}),
        "community_feed": Values(members["amber"].calendar_secret, {
            "forged": secrets.token_urlsafe(30)[:40],
            "other_event": members["amber_b"].calendar_secret}),
    }


def _fingerprint(attendee) -> str:
    from summit.access import secret_fingerprint

    return secret_fingerprint(attendee.personal_secret)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    tables = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            tables[table.name] = [tuple(repr(v) if isinstance(v, dict | list) else v
                                        for v in row)
                                  for row in conn.execute(table.select().order_by(*order))]
    return tables


def changes(before: dict, after: dict) -> list[str]:
    found = []
    for name, rows in after.items():
        if rows != before[name]:
            added = set(rows) - set(before[name])
            removed = set(before[name]) - set(rows)
            found.append(f"{name}: +{sorted(added, key=str)[:2]} -{sorted(removed, key=str)[:2]}")
    return found


def fresh(params: dict) -> dict:
    """``params`` with each value made now where it is made when asked for (a callable)."""
    return {name: value() if callable(value) else value for name, value in params.items()}


def client_for(app, requester: str, world: Ownership):
    client = app.test_client()
    if requester == "attendee":
        assert client.get(f"/me/{world.attendee_secret}").status_code == 302
    elif requester != "anonymous":
        response = client.post("/login", data={"email": world.users[requester],
                                               "password": PASSWORD})
        assert response.status_code == 302, f"{requester} could not sign in"
    return client


def requesters_for(access) -> tuple[str, ...] | None:
    found = REQUESTERS.get(access.kind)
    if found is not None and access.kind == "event_role" and "facilitator" in access.roles:
        found = (*found, "facilitator")
    return found


def applies(variant: str, requester: str, access) -> bool:
    if variant not in PERSONAL_VARIANTS:
        return True
    return requester != "organizer" and access.kind != "public"


_FIELD_READS = (
    # request.form.get("name", type=int) / request.args.get(...) / .getlist(...)
    re.compile(r'request\.(args|form|values)\.get(?:list)?\(\s*"([a-z_]+)"[^)]*type=int'),
    # request.form.get("thing_id") and friends, however they are converted
    re.compile(r'request\.(args|form|values)\.get(?:list)?\(\s*"([a-z_]+_id)"'),
    # the seating board's helper: _int_field("attendee_id")
    re.compile(r'_int_field\(\s*"([a-z_]+)"'),
)


def _sources(view) -> str:
    """The view's source and that of its module's private helpers it calls (two levels)."""
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    module = inspect.getmodule(view)
    seen, texts, todo = set(), [], [(view, 0)]
    while todo:
        function, depth = todo.pop()
        if function in seen:
            continue
        seen.add(function)
        text = inspect.getsource(function)
        texts.append(text)
        if depth < 2:
            for name in re.findall(r"\b(_[a-z][a-z_0-9]*)\(", text):
                helper = getattr(module, name, None)
                if inspect.isfunction(helper) and helper.__module__ == module.__name__:
                    todo.append((helper, depth + 1))
    return "\n".join(texts)


_FORM_CLASS = re.compile(r"\b([A-Z]\w*Form)\b")


def form_class_reads(view, text: str) -> set[tuple[str, str]]:
    """("form" | "args", field) for the whole-number and *_id fields of the form classes named
    in ``text`` (the view's and its helpers' source)."""
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    module = inspect.getmodule(view)
    found = set()
    for name in set(_FORM_CLASS.findall(text)):
        cls = getattr(module, name, None)
        if not (isinstance(cls, type) and issubclass(cls, WTForm)):
            continue
        where = "args" if re.search(rf"\b{name}\(formdata=request\.args", text) else "form"
        for klass in reversed(cls.__mro__):
            for field_name, value in vars(klass).items():
                if isinstance(value, UnboundField) and (
                        issubclass(value.field_class, IntegerField)
                        or field_name.endswith("_id")):
                    found.add((where, field_name))
    return found


def field_reads(view) -> set[tuple[str, str]]:
    """("form" | "args", field) for every integer or *_id field the view reads."""
    text = _sources(view)
    found = form_class_reads(view, text)
    for pattern in _FIELD_READS:
        for match in pattern.finditer(text):
            if pattern.groups == 1:
                found.add(("form", match.group(1)))  # _int_field reads the form
            else:
                where = "args" if match.group(1) == "args" else "form"
                found.add((where, match.group(2)))
    return found


def routes_with_field_ids(app) -> tuple[list, list[str]]:
    """(rule, [(where, field, kind)]) for routes reading ids from forms or query strings."""
    found, unknown = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or rule.rule.startswith("/api/"):
            continue  # the JSON API reads JSON (tests/checkin/test_api.py)
        fields = []
        for where, name in sorted(field_reads(app.view_functions[rule.endpoint])):
            key = (rule.endpoint, where, name)
            if key in NOT_OWNED_FIELDS:
                continue
            if key in FIELD_IDS:
                fields.append((where, name, FIELD_IDS[key]))
            else:
                unknown.append(f"{rule.rule} ({rule.endpoint}): {where} field {name!r}")
        if fields:
            found.append((rule, fields))
    return found, sorted(set(unknown))


def kind_of(endpoint: str, name: str) -> str | None:
    if (endpoint, name) in SECRET_PARAMS:
        return SECRET_PARAMS[(endpoint, name)]
    return ID_PARAMS.get(name)


def routes_with_ids(app) -> tuple[list, list[str]]:
    """(rule, {param: kind}, {param: fixed value}) for every route with an id or a secret; and
    the parameters nothing here describes."""
    found, unknown = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        params, fixed = {}, {}
        for name in sorted(rule.arguments - {"slug"}):
            if (rule.endpoint, name) in NOT_OWNED:
                fixed[name] = NOT_OWNED[(rule.endpoint, name)][0]
                continue
            kind = kind_of(rule.endpoint, name)
            if kind is None:
                unknown.append(f"{rule.rule} ({rule.endpoint}): <{name}>")
            else:
                params[name] = kind
        if params:
            found.append((rule, params, fixed))
    return found, unknown


@pytest.fixture
def ownership(app):
    app.config["HOMEROOMS_ANNEAL_ITERATIONS"] = 300
    return build_ownership_world(app)


def test_every_id_and_secret_parameter_is_known(app):
    """A route whose id or secret the matrix cannot fill fails here, by name."""
    found, unknown = routes_with_ids(app)
    assert len(found) > 40
    assert not unknown, ("Describe these parameters in tests/test_ownership_matrix.py "
                         "(ID_PARAMS, SECRET_PARAMS or NOT_OWNED):\n" + "\n".join(unknown))
    with_fields, unknown_fields = routes_with_field_ids(app)
    assert len(with_fields) >= 10
    assert not unknown_fields, ("Describe these fields in tests/test_ownership_matrix.py "
                                "(FIELD_IDS or NOT_OWNED_FIELDS):\n"
                                + "\n".join(unknown_fields))
    stale = (set(FIELD_IDS) | set(NOT_OWNED_FIELDS)) - {
        (rule.endpoint, where, name) for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for where, name in field_reads(app.view_functions[rule.endpoint])}
    assert not stale, f"declared but no longer read (the discovery may have gone blind): {stale}"


def test_the_field_discovery_sees_what_it_must():
    """The source scan is what keeps new form ids covered: it must see each idiom."""
    def view():
        request.form.get("quantity", type=int)
        request.args.get("thing_id")
        _int_field("seat_id")

    request = _int_field = None  # noqa: F841  (names the sample source refers to)
    assert field_reads(view) == {("form", "quantity"), ("args", "thing_id"),
                                 ("form", "seat_id")}


def test_no_route_reaches_another_events_attendees_or_teams_rows(app, ownership):
    found, unknown = routes_with_ids(app)
    assert not unknown
    missing = {kind for _rule, params, _fixed in found for kind in params.values()} - set(
        ownership.values)
    assert not missing, f"the ownership world has no rows of kind {sorted(missing)}"
    clients = {requester: client_for(app, requester, ownership)
               for requester in ("anonymous", "attendee", "organizer", "facilitator")}
    failures, tried = [], 0
    baseline = snapshot()
    controls = []
    for rule, params, fixed in found:
        access = app.view_functions[rule.endpoint].access
        requesters = requesters_for(access)
        if requesters is None:
            failures.append(f"{rule.rule}: no requester for access kind {access.kind!r}; "
                            f"add one to REQUESTERS")
            continue
        own = {"slug": ownership.slug, **fixed,
               **{name: ownership.values[kind].own for name, kind in params.items()}}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for requester in requesters:
                controls.append((rule, method, requester, own))
                for name, kind in params.items():
                    for variant, value in ownership.values[kind].hostile.items():
                        if not applies(variant, requester, access):
                            continue
                        url = rule.build({**own, name: value}, append_unknown=False)[1]
                        response = clients[requester].open(url, method=method)
                        tried += 1
                        allowed = REFUSED_EXPIRED if variant == "expired" else REFUSED
                        label = f"{method} {url} as {requester} ({name}: {variant})"
                        if response.status_code not in allowed:
                            failures.append(f"{label}: {response.status_code}")
                        after = snapshot()
                        changed = changes(baseline, after)
                        if changed:
                            failures.append(f"{label} changed {changed}")
                            baseline = after
    assert tried > 100
    assert not failures, "\n".join(failures)

    # The requester's own values open each route (any answer but a refusal), so the refusals
    # above came from the ownership checks. Reads first; then writes, deletions last.
    def order(control):
        rule, method = control[0], control[1]
        return (method != "GET", "delete" in rule.endpoint or "remove" in rule.endpoint,
                rule.rule)

    refused = []
    for rule, method, requester, own in sorted(controls, key=order):
        url = rule.build(fresh(own), append_unknown=False)[1]
        client = client_for(app, requester, ownership)  # a POST may have signed it out
        status = client.open(url, method=method).status_code
        if status in REFUSED_EXPIRED or status >= 500:
            refused.append(f"{method} {url} as {requester}: {status}")
    assert not refused, "own values refused (fix the world, or the route):\n" + "\n".join(
        refused)


def test_no_form_or_query_id_reaches_another_events_attendees_or_teams_rows(app, ownership):
    found, unknown = routes_with_field_ids(app)
    assert not unknown
    failures, controls, tried = [], [], 0
    clients = {}
    for rule, _fields in found:
        requesters = requesters_for(app.view_functions[rule.endpoint].access)
        assert requesters, rule.endpoint
        for requester in requesters:
            if requester not in clients:
                clients[requester] = client_for(app, requester, ownership)
    baseline = snapshot()
    for rule, fields in found:
        access = app.view_functions[rule.endpoint].access
        url_params, _unknown = {}, []
        for name in rule.arguments - {"slug"}:
            kind = kind_of(rule.endpoint, name)
            url_params[name] = (ownership.values[kind].own if kind
                                else NOT_OWNED[(rule.endpoint, name)][0])
        url = rule.build({"slug": ownership.slug, **url_params}, append_unknown=False)[1]
        method = "POST" if any(where == "form" for where, _n, _k in fields) else "GET"
        own = {name: str(ownership.values[kind].own) for _w, name, kind in fields}
        base = BASE_FIELDS.get(rule.endpoint, {})
        for requester in requesters_for(access):
            controls.append((rule, url, method, requester, {**base, **own}))
            for _where, name, kind in fields:
                for variant, value in ownership.values[kind].hostile.items():
                    if not applies(variant, requester, access):
                        continue
                    data = {**base, **own, name: str(value)}
                    if method == "POST":
                        response = clients[requester].post(url, data=data)
                    else:
                        response = clients[requester].get(url, query_string=data)
                    tried += 1
                    label = f"{method} {url} as {requester} ({name}={value}: {variant})"
                    if response.status_code not in REFUSED_FORM:
                        failures.append(f"{label}: {response.status_code}")
                    after = snapshot()
                    changed = changes(baseline, after)
                    if changed:
                        failures.append(f"{label} changed {changed}")
                        baseline = after
    assert tried >= 15
    assert not failures, "\n".join(failures)
    refused = []
    for _rule, url, method, requester, data in sorted(controls, key=lambda c: c[2] != "GET"):
        client = client_for(app, requester, ownership)
        before = snapshot()
        if method == "POST":
            status = client.post(url, data=data).status_code
            worked = status < 400 and changes(before, snapshot())
        else:
            status = client.get(url, query_string=data).status_code
            worked = status == 200
        if not worked:
            refused.append(f"{method} {url} {data} as {requester}: {status}")
    assert not refused, "own values refused (fix the world, or the route):\n" + "\n".join(
        refused)
