"""A realistic small summit for the hardening tests: homeroom tables with seats, breakout
sessions with a sign-up, plenary blocks on the program, an action plan with an answer, a
topic, an announcement, and staff.

``build_world(app)`` works on any app (the ``app`` fixture or ``live_server.app``) and returns
plain values (ids, slugs, secrets) so callers need no open session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from summit.extensions import db

PASSWORD = "correct horse battery"
DISTRICTS = [("Knox County Schools", "TN"), ("Austin ISD", "TX"), ("Denver Public Schools", "CO")]
ROLES = ["Principal", "Teacher", "Instructional coach", "District leader"]


@dataclass
class World:
    slug: str
    event_id: int
    organizer: str  # email
    checkin: str  # email
    amber_id: int
    amber_secret: str
    amber_code: str
    ben_id: int
    plan_id: int
    session_ids: list[int] = field(default_factory=list)
    room_ids: list[int] = field(default_factory=list)
    slot_ids: list[int] = field(default_factory=list)
    table_ids: list[int] = field(default_factory=list)
    topic_id: int = 0
    announcement_id: int = 0
    attendee_ids: list[int] = field(default_factory=list)
    request_id: int = 0  # a colleague's request to join Amber's district team
    organization_id: int = 0  # Ben's district, with a confirmed domain
    domain_id: int = 0
    block_ids: list[int] = field(default_factory=list)  # the program's plenary blocks


def build_world(app, slug: str = "hardening") -> World:
    from summit.auth.services import create_user
    from summit.breakouts import services as breakouts
    from summit.breakouts.program import services as program
    from summit.database import utcnow
    from summit.events.services import create_event
    from summit.homerooms import services as homerooms
    from summit.messages import live
    from summit.plans import services as plans
    from summit.plans import topics
    from summit.registration import membership
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    app.config.setdefault("HOMEROOMS_ANNEAL_ITERATIONS", 2000)
    app.config["HOMEROOMS_ANNEAL_ITERATIONS"] = min(
        int(app.config["HOMEROOMS_ANNEAL_ITERATIONS"] or 2000), 2000)
    with app.app_context():
        event = create_event(slug, "AI Leadership Summit", date(2027, 3, 1), days=2,
                             capacity=300, venue="Music City Center")
        # The summit is on: today is its first day (in its time zone), as on the morning
        # itself, so the pages of the day (feedback on day 1, today's table) are there.
        event.start_date = utcnow().astimezone(event.tz).date()
        organizer = create_user(f"lead@{slug}.test", "organizer", PASSWORD, event_id=event.id)
        desk = create_user(f"desk@{slug}.test", "checkin", PASSWORD, event_id=event.id)
        people = []
        for i in range(12):
            org_name, state = DISTRICTS[i % len(DISTRICTS)]
            org = find_or_create_organization(org_name, state)
            first, last = ("Amber", "Okafor") if i == 0 else ("Ben", "Ruiz") if i == 1 else (
                f"Person{i:02d}", "Tester")
            person = Attendee(event_id=event.id, organization=org, first_name=first,
                              last_name=last, email=f"{first.lower()}{i}@example.org",
                              role=ROLES[i % len(ROLES)], status="registered",
                              dietary="Vegetarian" if i == 0 else "",
                              accessibility="Step-free seat" if i == 0 else "")
            db.session.add(person)
            people.append(person)
        db.session.commit()
        amber, ben = people[0], people[1]

        tables = homerooms.create_tables(event, 3, 5, accessible_every=2)
        db.session.commit()
        homerooms.assign(event, seed=1)
        db.session.commit()

        big = breakouts.save_room(event, "Ballroom A", 40, True)
        small = breakouts.save_room(event, "Room 101", 2, False)
        morning = breakouts.save_slot(event, 1, time(9), time(10))
        late = breakouts.save_slot(event, 1, time(10, 30), time(11, 30))
        sessions = [
            breakouts.save_session(event, breakouts.SessionData(
                title="Drafting a district AI policy", room_id=small.id, slot_id=morning.id,
                tags=["Policy"], facilitators=[("Dana Ruiz", "dana@example.org")])),
            breakouts.save_session(event, breakouts.SessionData(
                title="Data privacy for staff", room_id=big.id, slot_id=morning.id,
                tags=["Privacy", "Policy"])),
            breakouts.save_session(event, breakouts.SessionData(
                title="Assessment redesign", room_id=big.id, slot_id=late.id,
                tags=["Assessment"], description="Rethinking homework and exams.")),
        ]
        db.session.commit()
        keynote = program.save_block(event, program.BlockData(
            title="Opening keynote", day=1, starts=time(8), ends=time(8, 45), room_id=big.id))
        lunch = program.save_block(event, program.BlockData(
            title="Lunch", kind="meal", day=1, starts=time(12), ends=time(13)))
        program.save_embed_origins(event, "https://www.district.example.org")
        breakouts.sign_up(amber, sessions[1])
        db.session.commit()

        plan = plans.plan_for(amber)
        template = plans.template_for(event)
        db.session.commit()
        first_text = next(q for s in plans.live_sections(template) for q in s.questions
                          if q.kind == "text")
        plans.save_answer(plan, first_text, "", "A district AI guidance page by May", 0)
        topic = topics.submit(event, ben, "question", "How do we vet AI tools for privacy?")
        announcement = live.post(event, "Lunch is served in Hall B.", user=organizer)
        # District teams: Amber is a confirmed member of Knox's, where a colleague's request
        # waits; Ben's district has a confirmed domain.
        knox_colleague = people[3]
        for person in (amber, ben, knox_colleague):
            person.email_confirmed_at = utcnow()
        membership.decide_as_organizer(event, amber, True, organizer.email)
        request = membership.ask_to_join(knox_colleague)
        domain = membership.confirm_domain(event, ben.organization, "austin.k12.tx.us",
                                           organizer.email)
        db.session.commit()
        return World(
            slug=event.slug, event_id=event.id, organizer=organizer.email, checkin=desk.email,
            amber_id=amber.id, amber_secret=amber.personal_secret,
            amber_code=amber.checkin_code, ben_id=ben.id, plan_id=plan.id,
            session_ids=[s.id for s in sessions], room_ids=[big.id, small.id],
            slot_ids=[morning.id, late.id], table_ids=[t.id for t in tables],
            topic_id=topic.id, announcement_id=announcement.id,
            attendee_ids=[p.id for p in people], request_id=request.id,
            organization_id=ben.organization_id, domain_id=domain.id,
            block_ids=[keynote.id, lunch.id])
