"""Every route, requested with every role (and none), answers as its access rule says.

The matrix is built from the app's URL map, so routes added later are covered automatically;
``summit.access.check_every_view_declares_access`` makes sure none can skip a declaration.
"""

from __future__ import annotations

import pytest

from summit.access import Access

ROLES = ("anonymous", "attendee", "facilitator", "checkin", "organizer", "other-event-checkin")
SAFE_INT = 999_999  # ids that exist nowhere, so POSTs have no side effects after the check


@pytest.fixture
def world(app, make_event, make_attendee, make_staff, make_member):
    event = make_event("matrix")
    other = make_event("elsewhere")
    attendee = make_attendee(event, email="matrix@example.org")
    make_member(attendee)  # a confirmed member of their district's team (see the last test)
    return {
        "event": event,
        "attendee": attendee,
        "staff": {
            "facilitator": make_staff("facilitator", event),
            "checkin": make_staff("checkin", event),
            "organizer": make_staff("organizer", event),
            "other-event-checkin": make_staff("checkin", other),
        },
    }


def build_url(rule, world) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        if name == "slug":
            values[name] = world["event"].slug
        elif name == "secret":
            values[name] = "x" * 40
        elif name == "code":
            values[name] = world["attendee"].checkin_code
        elif converter in ("IntegerConverter", "NumberConverter"):
            values[name] = SAFE_INT
        elif name == "action":
            values[name] = "no-such-action"
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def client_as(app, role, world):
    client = app.test_client()
    if role == "attendee":
        client.get(f"/me/{world['attendee'].personal_secret}")
    elif role != "anonymous":
        response = client.post("/login", data={"email": world["staff"][role].email,
                                               "password": "correct horse battery"})
        assert response.status_code == 302, f"{role} could not sign in"
    return client


def allowed(access: Access, role: str) -> bool:
    if access.kind == "public":
        return True
    if access.kind == "attendee":
        return role == "attendee"
    staff = role not in ("anonymous", "attendee")
    if access.kind == "staff":
        return staff
    if access.kind == "event_role":
        return role == "organizer" or role in access.roles
    if access.kind == "global_role":
        return False  # every staff account here holds roles for one event only
    if access.kind == "kiosk":
        return False  # no device here was switched to kiosk mode: see tests/checkin
    if access.kind == "api":
        return False  # no bearer token in this matrix: see the API tests
    raise AssertionError(f"unknown access kind {access.kind}")


def denied(response, access: Access, role: str) -> bool:
    if response.status_code in (401, 403):
        return True
    if response.status_code == 302:
        location = response.headers["Location"]
        return "/login" in location or "/signed-out" in location
    return False


def test_every_route_enforces_its_access_rule(app, world):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    assert len(rules) > 20
    clients = {role: client_as(app, role, world) for role in ROLES}
    failures = []
    for method in ("GET", "POST"):
        for rule in sorted(rules, key=lambda r: r.rule):
            if method not in rule.methods:
                continue
            access = app.view_functions[rule.endpoint].access
            url = build_url(rule, world)
            for role in ROLES:
                client = clients[role]
                if method == "POST" and role != "anonymous":
                    # A POST may sign someone out (kiosk mode, sign-out) or cancel an attendee:
                    # start afresh each time.
                    world["attendee"].status = "registered"
                    client = client_as(app, role, world)
                response = client.open(url, method=method)
                if response.status_code >= 500:
                    failures.append(f"{method} {url} as {role}: {response.status_code}")
                elif allowed(access, role) == denied(response, access, role):
                    failures.append(f"{method} {url} as {role}: {response.status_code} "
                                    f"(access {access.kind} {access.roles})")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ("facilitator", "checkin", "organizer"))
def test_staff_pages_link_only_to_pages_the_role_may_open(app, world, role):
    """No dead ends: every event link on the overview and the event navigation opens (no 403).

    A check-in volunteer used to be offered the organizer's breakout schedule."""
    import re
    from datetime import time

    from summit.breakouts.models import BreakoutSession, Room, Slot
    from summit.extensions import db
    from summit.homerooms.models import HomeroomTable

    event = world["event"]  # with something in every panel
    room = Room(event_id=event.id, name="Room 101", capacity=20)
    slot = Slot(event_id=event.id, day=1, starts=time(9), ends=time(10))
    db.session.add_all([room, slot, HomeroomTable(event_id=event.id, number=1)])
    db.session.flush()
    db.session.add(BreakoutSession(event_id=event.id, title="AI policy", room_id=room.id,
                                   slot_id=slot.id))
    db.session.commit()
    client = client_as(app, role, world)
    slug = event.slug
    page = client.get(f"/admin/e/{slug}/").get_data(as_text=True)
    links = set(re.findall(rf'href="(/admin/e/{slug}/[^"#?]*)', page))
    assert links, "the overview links nowhere"
    refused = {link for link in links if client.get(link).status_code == 403}
    assert not refused, f"{role} is offered links that answer 403: {sorted(refused)}"


def test_district_team_routes_with_real_ids(app, make_event, make_attendee, make_staff,
                                            make_member):
    """The team and district routes with ids that exist (the matrix above only reaches their
    404s): who may act on a real request, team plan, organization and domain."""
    from sqlalchemy import select

    from summit.database import utcnow
    from summit.extensions import db
    from summit.plans import services as plans
    from summit.registration import membership
    from summit.registration.models import JoinRequest

    event = make_event("teams")
    other_event = make_event("elsewhere")
    member = make_attendee(event, email="member@knox.example")
    unproven = make_attendee(event, email="claims@knox.example")  # typed the district's name
    outsider = make_attendee(event, email="out@metro.example", organization="Metro Schools")
    asking = make_attendee(event, email="asks@knox.example")
    make_member(member, outsider)
    for person in (unproven, asking):
        person.email_confirmed_at = utcnow()
    team = plans.join_team(member)
    request = membership.ask_to_join(asking)
    domain = membership.confirm_domain(event, member.organization, "knox.example.net", "x")
    db.session.commit()
    org_id, slug = member.organization_id, event.slug
    staff = {"checkin": make_staff("checkin", event), "facilitator": make_staff(
        "facilitator", event), "organizer": make_staff("organizer", event),
        "other-organizer": make_staff("organizer", other_event)}

    def client(role):
        browser = app.test_client()
        people = {"member": member, "unproven": unproven, "outsider": outsider}
        if role in people:
            browser.get(f"/me/{people[role].personal_secret}")
        elif role != "anonymous":
            browser.post("/login", data={"email": staff[role].email,
                                         "password": "correct horse battery"})
        return browser

    def reset():
        row = db.session.scalar(select(JoinRequest).where(JoinRequest.id == request.id))
        row.status = "pending"
        db.session.commit()

    admin = f"/admin/e/{slug}/districts"
    routes = [  # (method, url, data, roles allowed)
        ("GET", f"/e/{slug}/plan/{team.id}", None, {"member"}),
        ("POST", f"/e/{slug}/plan/{team.id}/complete", {"completed": "1"}, {"member"}),
        ("POST", f"/e/{slug}/team/requests/{request.id}", {"decision": "approve"}, {"member"}),
        ("GET", admin, None, {"organizer"}),
        ("GET", f"{admin}/{org_id}", None, {"organizer"}),
        ("POST", f"{admin}/{org_id}/domains", {"domain": "knox-two.example.net"},
         {"organizer"}),
        ("POST", f"{admin}/{org_id}/attendees/{asking.id}", {"decision": "approve"},
         {"organizer"}),
        ("POST", f"{admin}/{org_id}/domains/{domain.id}/remove", None, {"organizer"}),
    ]
    roles = ("anonymous", "member", "unproven", "outsider", *staff)
    failures = []
    for method, url, data, allowed_roles in routes:
        for role in roles:
            reset()
            response = client(role).open(url, method=method, data=data)
            refused = response.status_code in (401, 403, 404) or (
                response.status_code == 302
                and ("/login" in response.location or "/signed-out" in response.location))
            if response.status_code >= 500 or refused == (role in allowed_roles):
                failures.append(f"{method} {url} as {role}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_program_routes_with_real_ids(app, world):
    """The program's organizer forms with a block and websites that exist (the matrix above
    only reaches their 404s): only the event's organizer may change them, and a refusal
    changes nothing; the public program and its embed open for everyone."""
    from datetime import time

    from sqlalchemy import func, select

    from summit.breakouts.program import services as program
    from summit.breakouts.program.models import ProgramBlock, ProgramSettings
    from summit.extensions import db

    event = world["event"]
    block = program.save_block(event, program.BlockData(
        title="Opening keynote", day=1, starts=time(9), ends=time(10)))
    program.save_embed_origins(event, "https://www.district.org")
    db.session.commit()
    block_id, slug, admin = block.id, event.slug, f"/admin/e/{event.slug}/program"
    form = {"title": "Changed", "kind": "meal", "day": "1", "starts": "11:00", "ends": "12:00",
            "room_id": "", "description": ""}

    def state():
        db.session.expire_all()
        row = db.session.get(ProgramBlock, block_id)
        return (row and (row.title, row.kind, row.starts),
                db.session.scalar(select(func.count()).select_from(ProgramBlock)),
                db.session.scalar(select(ProgramSettings.embed_origins)))

    routes = [  # (method, url, data, allowed roles)
        ("GET", admin, None, {"organizer"}),
        ("GET", f"{admin}/blocks/{block_id}", None, {"organizer"}),
        ("POST", f"{admin}/blocks", form, {"organizer"}),
        ("POST", f"{admin}/blocks/{block_id}", form, {"organizer"}),
        ("POST", f"{admin}/embed", {"origins": "https://elsewhere.example.org"}, {"organizer"}),
        ("POST", f"{admin}/blocks/{block_id}/delete", None, {"organizer"}),
        ("GET", f"/e/{slug}/", None, set(ROLES)),
        ("GET", f"/e/{slug}/program/embed", None, set(ROLES)),
    ]
    failures = []
    # The organizer's turn changes the block (or deletes it, last); the roles after it are
    # refused before the block is even looked up.
    for method, url, data, allowed_roles in routes:
        for role in ROLES:
            before = state()
            response = client_as(app, role, world).open(url, method=method, data=data)
            refused = denied(response, None, role)
            if response.status_code >= 500 or refused == (role in allowed_roles):
                failures.append(f"{method} {url} as {role}: {response.status_code}")
            if refused and state() != before:
                failures.append(f"{method} {url} as {role}: refused but changed {state()}")
    assert not failures, "\n".join(failures)
