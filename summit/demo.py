"""A realistic demo summit: 360 attendees from 44 districts in US states and Canadian provinces,
and a three-day program (keynotes, homeroom time, meals, four rounds of breakouts, the
Leadership Action Planning Workshop) on its public event page.

Delegation sizes are skewed the way real summits are: a large host district, a handful of
mid-sized delegations and a long tail of one- to three-person teams. Deterministic (seeded).
"""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from summit.auth.services import create_user
from summit.breakouts import api as breakouts_api
from summit.breakouts import services as breakouts
from summit.community import services as community
from summit.community.models import CommunityMember, CommunityTopic
from summit.credits import services as credits
from summit.database import utcnow
from summit.events.models import Event
from summit.events.services import create_event
from summit.extensions import db
from summit.live import services as live
from summit.plans import services as plans
from summit.registration import membership
from summit.registration.models import Attendee
from summit.registration.services import find_or_create_organization

DISTRICTS = [
    ("Metro Nashville Public Schools", "TN", 68),
    ("Knox County Schools", "TN", 24),
    ("Shelby County Schools", "TN", 18),
    ("Williamson County Schools", "TN", 14),
    ("Rutherford County Schools", "TN", 12),
    ("Hamilton County Schools", "TN", 9),
    ("Jefferson County Public Schools", "KY", 16),
    ("Fayette County Public Schools", "KY", 8),
    ("Atlanta Public Schools", "GA", 11),
    ("Gwinnett County Public Schools", "GA", 10),
    ("Cobb County School District", "GA", 6),
    ("Huntsville City Schools", "AL", 6),
    ("Birmingham City Schools", "AL", 5),
    ("Wake County Public School System", "NC", 9),
    ("Charlotte-Mecklenburg Schools", "NC", 8),
    ("Austin Independent School District", "TX", 7),
    ("Houston Independent School District", "TX", 7),
    ("Dallas Independent School District", "TX", 5),
    ("Columbus City Schools", "OH", 5),
    ("Cincinnati Public Schools", "OH", 4),
    ("Indianapolis Public Schools", "IN", 4),
    ("Chicago Public Schools", "IL", 6),
    ("Denver Public Schools", "CO", 4),
    ("Seattle Public Schools", "WA", 4),
    ("Fairfax County Public Schools", "VA", 6),
    ("Montgomery County Public Schools", "MD", 5),
    ("Boston Public Schools", "MA", 3),
    ("Miami-Dade County Public Schools", "FL", 4),
    ("Hillsborough County Public Schools", "FL", 3),
    ("Jackson Public Schools", "MS", 2),
    ("Little Rock School District", "AR", 2),
    ("St. Louis Public Schools", "MO", 3),
    ("Toronto District School Board", "ON", 9),
    ("Ottawa-Carleton District School Board", "ON", 5),
    ("Peel District School Board", "ON", 4),
    ("Surrey School District 36", "BC", 6),
    ("Vancouver School Board", "BC", 4),
    ("Calgary Board of Education", "AB", 5),
    ("Edmonton Public Schools", "AB", 3),
    ("Winnipeg School Division", "MB", 2),
    ("Halifax Regional Centre for Education", "NS", 2),
    ("Centre de services scolaire de Montréal", "QC", 3),
    ("Saskatoon Public Schools", "SK", 2),
    ("Tennessee Department of Education", "TN", 3),
]

FIRST = (
    "Amber Marcus Priya José Keisha Daniel Mei Olivia Tomás Aisha Robert Linh Hannah "
    "Samuel Gabriela Kwame Emily Darnell Sofia Chen Rachel Andre Fatima Lucas Grace "
    "Mateo Brianna Yusuf Claire Devon Naomi Ethan Zoë Malik Isabelle Raj Jasmine "
    "Owen Renée François Ngozi Patrick Leilani Hyun-woo Carmen Elijah Anaïs Trevor "
    "Siobhan"
).split()
LAST = (
    "Johnson Patel García Williams Nguyen O'Brien Thompson Kim Okafor Martínez Brown "
    "Davis Tremblay Robinson Chen Hernández Walker Singh Lee Murphy Gagnon "
    "Washington Lopez Clark Roy Jackson Wright Scott Côté Adeyemi Baker Nakamura "
    "Hill Campbell Mitchell Bélanger Rivera Carter Phillips Evans Turner Torres "
    "Parker Collins"
).split()
ROLE_WEIGHTS = [("Superintendent", 3), ("District leader", 20), ("Principal", 22),
                ("Assistant principal", 8), ("Instructional coach", 15), ("Teacher", 22),
                ("Technology director", 7), ("Board member", 3)]
DIETARY = ["", "", "", "", "", "", "Vegetarian", "Vegan", "Gluten-free", "Nut allergy",
           "Halal", "Kosher", "Dairy-free"]
ACCESS = [""] * 30 + ["Wheelchair user: needs an accessible table", "Hard of hearing: front seat",
                      "Low vision: large print handouts", "Needs step-free access"]

DEMO_ORGANIZER = "organizer@demo.summit"

# The program: rooms, plenary blocks and breakout sessions.
ROOMS = [("Grand Ballroom", 450), ("Hall B", 420), ("Room 101", 60), ("Room 102", 60),
         ("Room 103", 45), ("Room 104", 45), ("Room 205", 80)]
# (day, start, end, kind, title, room, description)
BLOCKS = [
    (1, "07:30", "08:30", "meal", "Registration and breakfast", "Hall B",
     "Pick up your badge at the entrance desk; breakfast is served until 8:30."),
    (1, "08:30", "09:30", "plenary", "Opening keynote: Leading schools when AI is everywhere",
     "Grand Ballroom", "Dr. Renée Okafor on what changes for principals and district leaders "
     "when every student and teacher has an AI assistant, and what does not."),
    (1, "09:45", "10:30", "homeroom", "Homeroom: meet your table", "Hall B",
     "Find your table number on your badge. Meet the leaders from other districts you will "
     "work with all three days."),
    (1, "12:00", "13:00", "meal", "Lunch", "Hall B", ""),
    (1, "13:15", "14:45", "workshop", "Leadership Action Planning Workshop, part 1",
     "Grand Ballroom", "District teams name the problem they will solve this year and the "
     "evidence they will collect. Bring your team; the worksheet is on My summit."),
    (1, "15:00", "15:45", "homeroom", "Homeroom: what did we hear today?", "Hall B", ""),
    (2, "08:00", "08:30", "meal", "Breakfast", "Hall B", ""),
    (2, "08:30", "09:15", "plenary", "Panel: Superintendents on AI policy", "Grand Ballroom",
     "Three superintendents, from a large urban district, a rural county and a Canadian "
     "school board, on the policies they wrote and what they would change."),
    (2, "09:30", "10:15", "homeroom", "Homeroom time", "Hall B", ""),
    (2, "11:45", "12:45", "meal", "Lunch", "Hall B", ""),
    (2, "14:15", "15:45", "workshop", "Leadership Action Planning Workshop, part 2",
     "Grand Ballroom", "Teams turn the problem into three actions with owners, dates and "
     "measures, and test them with another district."),
    (3, "08:00", "08:30", "meal", "Breakfast", "Hall B", ""),
    (3, "08:30", "09:30", "homeroom", "Homeroom: share your action plan", "Hall B",
     "Each team presents its plan to the table and takes one piece of advice home."),
    (3, "11:00", "12:00", "plenary", "Closing keynote and commitments", "Grand Ballroom",
     "What we will do by the next summit: each district names its first step."),
]
# (day, start, end, label)
SLOTS = [(1, "10:45", "11:45", "Round 1"), (2, "10:30", "11:30", "Round 2"),
         (2, "13:00", "14:00", "Round 3"), (3, "09:45", "10:45", "Round 4")]
# (round, title, room, tags, facilitator, description)
SESSIONS = [
    (1, "Drafting a district AI policy", "Room 101", ["Policy"], "Marcus Johnson",
     "Start from a model policy and adapt it to your board's rules, with the questions "
     "board members actually ask."),
    (1, "Student data privacy and AI tools", "Room 102", ["Privacy", "Policy"], "Priya Patel",
     "How to vet a tool's data practices in thirty minutes, and what to ask vendors."),
    (1, "Coaching teachers to use AI well", "Room 103", ["Teaching & learning"],
     "Keisha Williams", "A coaching cycle that starts from a lesson, not from a tool."),
    (1, "Budgeting for AI: what it really costs", "Room 104", ["Operations"], "Daniel Kim",
     "Licences, training time and the hidden costs, from three districts' budgets."),
    (1, "AI and equity: who gets left behind?", "Room 205", ["Equity"], "Gabriela Martínez",
     "Access at home, bias in tools and what leaders can measure."),
    (2, "Rethinking homework and assessment", "Room 101", ["Assessment", "Teaching & learning"],
     "Samuel Nguyen", "What still shows learning when every student can generate an essay."),
    (2, "Writing guidance staff will read", "Room 102", ["Policy", "Professional learning"],
     "Claire Tremblay", "One page, plain words: turning a policy into guidance for staff."),
    (2, "Family conversations about AI", "Room 103", ["Equity"], "Kwame Adeyemi",
     "Evening sessions and take-home guides that families found useful."),
    (2, "Procurement checklists that work", "Room 104", ["Operations", "Privacy"], "Linh Chen",
     "A shared checklist for legal, IT and curriculum, tested across four districts."),
    (3, "Professional learning that sticks", "Room 101", ["Professional learning"],
     "Hannah Walker", "Designing a year of learning for staff, not a single training day."),
    (3, "AI in special education", "Room 102", ["Equity", "Teaching & learning"],
     "Tomás García", "Accommodations, IEPs and where AI helps or harms."),
    (3, "Academic integrity policies", "Room 103", ["Assessment", "Policy"], "Olivia Scott",
     "Clear rules students understand, and consequences that teach."),
    (3, "Data dashboards for leaders", "Room 205", ["Operations"], "Raj Singh",
     "Which numbers tell you whether your AI plan is working."),
    (4, "Scaling pilots district-wide", "Room 101", ["Operations", "Professional learning"],
     "Emily Robinson", "From three enthusiastic schools to all of them."),
    (4, "Student voice in AI decisions", "Room 102", ["Equity", "Policy"], "Andre Campbell",
     "Student advisory councils that shaped their district's rules."),
    (4, "Assessment design studio", "Room 205", ["Assessment"], "Fatima Rivera",
     "Bring a task; leave with one that AI cannot do for the student."),
]


def load_demo(slug: str = "ai-leadership-2027") -> str:
    """Create the demo (once) and return a sentence with the organizer login."""
    rng = random.Random(2027)
    opened = random.Random(2028)  # its own sequence: the names above stay as they were
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        start = date.today() + timedelta(days=60)
        event = create_event(
            slug, "AI in Education Leadership Summit", start, days=3, capacity=400,
            venue="Music City Center, Nashville", timezone="America/Chicago",
            description="Three days of homerooms, breakouts and action planning: how should "
                        "our districts handle AI?",
        )
        used = set()
        for name, state, size in DISTRICTS:
            org = find_or_create_organization(name, state)
            domain = "".join(ch for ch in name.lower() if ch.isalnum())[:18] + ".org"
            # The organizers confirmed each district's domain: people whose (proven)
            # address is there belong to its team without anyone's approval.
            membership.confirm_domain(event, org, domain, DEMO_ORGANIZER)
            for _ in range(size):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                email = f"{first}.{last}".lower().replace("'", "")
                email = "".join(ch for ch in email if ch.isascii() and (ch.isalnum() or ch in ".-"))
                n = 1
                while f"{email}{n if n > 1 else ''}@{domain}" in used:
                    n += 1
                email = f"{email}{n if n > 1 else ''}@{domain}"
                used.add(email)
                role = rng.choices([r for r, _ in ROLE_WEIGHTS],
                                   weights=[w for _, w in ROLE_WEIGHTS])[0]
                db.session.add(Attendee(
                    event_id=event.id, organization=org, first_name=first, last_name=last,
                    email=email, role=role, dietary=rng.choice(DIETARY),
                    accessibility=rng.choice(ACCESS), share_contact=rng.random() < 0.6,
                    status="registered", source="import",
                    # Most people have opened the link in their confirmation email.
                    email_confirmed_at=utcnow() if opened.random() < 0.8 else None,
                ))
        db.session.flush()
    if not breakouts.rooms_of(event) and not breakouts_api.program_blocks_of(event):
        _load_program(event)
        _load_credits(event)
        _load_live(event, random.Random(2029))
    if not community.series_of(event):
        _load_community(event, random.Random(2029))
    login_file = Path(current_app.instance_path) / "demo-login.txt"
    if login_file.exists():
        password = login_file.read_text().strip()
    else:
        password = secrets.token_urlsafe(9)
        login_file.write_text(password + "\n")
        login_file.chmod(0o600)
    create_user(DEMO_ORGANIZER, "organizer", password, name="Demo Organizer")
    create_user("checkin@demo.summit", "checkin", password, event_id=event.id,
                name="Door Volunteer")
    create_user("facilitator@demo.summit", "facilitator", password, event_id=event.id,
                name="Table Facilitator")
    db.session.commit()
    base = current_app.config["BASE_URL"]
    count = db.session.query(Attendee).filter_by(event_id=event.id).count()
    return (
        f"Demo summit “{event.name}” ({count} attendees) at {base}/e/{event.slug}/\n"
        f"Organizer login: {base}/login  email {DEMO_ORGANIZER}  password {password}\n"
        f"(check-in volunteer: checkin@demo.summit, facilitator: facilitator@demo.summit, "
        f"same password)"
    )


def _load_credits(event: Event) -> None:
    """Learning credit: Washington clock hours through an ESD, rounded down to the half hour,
    with the day's feedback required (the attendee's ledger shows what is missing)."""
    credits.save_settings(event, {
        "credit_name": "Clock hours", "provider_name": "Puget Sound Educational Service District",
        "activity_number": "PSESD-2027-0412", "signer_name": "Dr. Renée Walker",
        "signer_title": "Director of Professional Learning", "arrival_window": 15,
        "exit_min_share": 75, "rounding": "half", "retention_years": 7, "exit_scan": False,
        "feedback_required": True,
    })


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _load_program(event: Event) -> None:
    """Rooms, the plenary blocks and four rounds of breakout sessions."""
    rooms = {name: breakouts.save_room(event, name, seats, True) for name, seats in ROOMS}
    for day, starts, ends, kind, title, room, description in BLOCKS:
        breakouts_api.save_program_block(event, title=title, day=day, starts=_clock(starts),
                                         ends=_clock(ends), kind=kind,
                                         description=description, room=room)
    slots = [breakouts.save_slot(event, day, _clock(starts), _clock(ends), label)
             for day, starts, ends, label in SLOTS]
    for round_number, title, room, tags, person, description in SESSIONS:
        email = person.lower().replace(" ", ".").replace("á", "a").replace("í", "i")
        breakouts.save_session(event, breakouts.SessionData(
            title=title, description=description, room_id=rooms[room].id,
            slot_id=slots[round_number - 1].id, tags=tags,
            facilitators=[(person, f"{email}@speakers.example.org")]))


ROUNDTABLE_TOPICS = [  # (kind, title, votes, chosen at the first meeting, at the second)
    ("question", "How are you vetting AI tools for student privacy?", 14, True, False),
    ("problem", "Teachers use AI for grading feedback without telling anyone", 11,
     True, False),
    ("topic", "What a one-page AI guidance for staff looks like", 9, False, True),
    ("question", "Who in your district owns AI decisions?", 8, False, True),
    ("topic", "Budgeting for AI tools next year", 6, False, False),
    ("problem", "A parent group asks to ban AI in middle school", 5, False, False),
    ("question", "How do you measure whether a pilot worked?", 3, False, False),
    ("topic", "Professional learning for principals, not only teachers", 2, False, False),
]
TAKE_BACK = [
    "Draft a one-page AI guidance for staff\nBrief the school board in the spring",
    "Set up a privacy review for new AI tools\nStart a principals' learning circle",
    "Pilot AI feedback in two high schools\nShare the summit's procurement checklist",
]


def _second_fridays_before(now: datetime, zone: ZoneInfo, count: int) -> list[date]:
    """The last ``count`` second Fridays whose 10:30 (local) has passed, oldest first."""
    found, year, month = [], now.astimezone(zone).year, now.astimezone(zone).month
    while len(found) < count:
        first = date(year, month, 1)
        day = first + timedelta(days=(4 - first.weekday()) % 7 + 7)
        if datetime.combine(day, time(10, 30), zone) < now:
            found.append(day)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(found)


def _load_community(event: Event, rng: random.Random) -> None:
    """The "Leadership AI Roundtable": a monthly community of practice on the second Friday,
    9:00-10:30 Pacific, with about 30 members from the summit's attendees, two meetings held
    (RSVPs, attendance, small groups, progress notes), topics with votes (some carried over)
    and the next meeting's agenda published. Nobody is mailed about this history."""
    zone, now = ZoneInfo("America/Los_Angeles"), utcnow()
    held_days = _second_fridays_before(now, zone, 2)
    series = community.create_series(event, community.SeriesData(
        title="Leadership AI Roundtable",
        description="Monthly, led by those in the room: members bring the topics, questions "
                    "and practice problems that make each agenda.",
        rrule="FREQ=MONTHLY;BYDAY=2FR", first_date=held_days[0],
        timezone="America/Los_Angeles", starts=time(9), ends=time(10, 30),
        video_url="https://meet.example.org/leadership-ai-roundtable", group_size=5))
    people = list(db.session.scalars(select(Attendee).where(
        Attendee.event_id == event.id, Attendee.email_confirmed_at.is_not(None))
        .order_by(Attendee.id)))
    chosen = rng.sample(people, 30)
    joined = datetime.combine(held_days[0] - timedelta(days=10), time(12), zone)
    members = []
    for n, person in enumerate(chosen):
        member = CommunityMember(
            series_id=series.id, attendee_id=person.id, status="active",
            role="colead" if n < 2 else "member", show_name=rng.random() < 0.7,
            calendar_secret=secrets.token_urlsafe(30)[:40], joined_at=joined)
        db.session.add(member)
        members.append(member)
    db.session.flush()
    for person, items in zip(chosen[:6], TAKE_BACK * 2, strict=True):
        _take_back(event, person, items)

    meetings = community.meetings_of(series)
    held = [m for m in meetings if m.ends_at <= now][-2:]
    following = community.next_meeting(series, now)
    topics = []
    for n, (kind, title, votes, _first, _second) in enumerate(ROUNDTABLE_TOPICS):
        author = members[(n * 7) % len(members)]
        topics.append(community.submit_topic(author, kind, title))
        voters = [m for m in members if m.id != author.id]
        for voter in rng.sample(voters, votes):
            community.vote(topics[-1], voter)
    # Who has stopped coming: a few members came to neither meeting.
    drifting = set(rng.sample(range(len(members)), 4))
    for index, meeting in enumerate(held):
        for n, member in enumerate(members):
            if n in drifting:
                continue
            community.rsvp(meeting, member, rng.choices(("yes", "maybe", "no"), (7, 2, 1))[0])
        picked = [t.id for t, row in zip(topics, ROUNDTABLE_TOPICS, strict=True)
                  if row[3 + index]]
        community.publish_agenda(
            meeting, "\n".join(f"{i}. {db.session.get(CommunityTopic, t).title}"
                               for i, t in enumerate(picked, 1)), picked, notify=False)
        answers = community.rsvps(meeting)
        community.mark_attendance(meeting, {
            m.id for m in members if answers.get(m.id) == "yes"
            or (answers.get(m.id) == "maybe" and rng.random() < 0.5)})
        community.form_groups(meeting, "Share one decision AI forced on your district this "
                                       "month, and what you would do differently.")
        for member, person in zip(members[:6], chosen[:6], strict=True):
            items = plans.take_back_items(person.id)
            if items:
                community.save_progress(meeting, member, items[0][0],
                                        ("in_progress", "done", "stuck")[(index + member.id) % 3],
                                        "Talked it through with our cabinet.")
    if following is not None:
        community.rsvp(following, members[0], "yes")
        community.rsvp(following, members[2], "maybe")
        top = [t.id for t in community.open_topics(series)[:2]]
        community.publish_agenda(
            following, "Welcome and one-minute check-ins\n" + "\n".join(
                f"Discussion: {db.session.get(CommunityTopic, t).title}" for t in top)
            + "\nSmall groups and commitments", top, notify=False)
    for n, (kind, title) in enumerate((
            ("question", "Should students help write the AI rules?"),
            ("topic", "Chatbots on district websites: who answers for them?"))):
        topic = community.submit_topic(members[5 + n * 9], kind, title)
        for voter in [m for m in members[10 + n:14 + n * 3] if m is not members[5 + n * 9]]:
            community.vote(topic, voter)


def _take_back(event: Event, person: Attendee, text: str) -> None:
    """A "take back" answer in the person's action plan, for progress notes to refer to."""
    plan = plans.plan_for(person)
    question = next(q for s in plans.live_sections(plans.template_for(event))
                    for q in s.questions if q.key == "take_back")
    plans.save_answer(plan, question, "", text, 0)
KEYNOTE_QUESTIONS = [
    ("How do we write an AI policy that will not be outdated by next year?", None, 41),
    ("What should we tell parents who want AI banned outright?", "Maria Lopez", 33),
    ("Which tools have you seen districts approve for students under 13?", None, 27),
    ("How do you train 2,000 teachers when the tools change every term?", None, 19),
    ("Is detecting AI-written essays worth the effort?", "Kevin Park", 12),
    ("Comment impliquer les syndicats d'enseignants dès le départ ?", None, 8),
]
CLOUD_WORDS = ["curious", "anxious", "Curious", "excited", "overwhelmed", "curieux",
               "hopeful", "anxious", "behind", "Excited!", "inquiets", "cautious", "curious",
               "unprepared", "optimistic", "anxious", "divided", "curieuse", "hopeful",
               "excited", "skeptical", "curious", "overwhelmed", "ready", "anxieux"]


def _load_live(event: Event, rng: random.Random) -> None:
    """The opening keynote's live room (questions with upvotes, one answered, one hidden, an
    open word-cloud poll and a prepared one) and a breakout with a closed poll."""
    people = list(db.session.scalars(select(Attendee).where(Attendee.event_id == event.id)
                                     .order_by(Attendee.id).limit(120)))
    refs = live.refs_of(event)
    keynote = next(r for r in refs if r.kind == "block" and "keynote" in r.title.lower())
    room = live.ensure_room(event, keynote)
    asked = []
    for i, (text, name, upvotes) in enumerate(KEYNOTE_QUESTIONS):
        question, _created = live.ask(room, people[i], text, anonymous=name is None,
                                      name=name or "")
        for voter in people[10:10 + upvotes]:
            live.upvote(room, question, voter)
        asked.append(question)
    live.moderate(room, asked[4], "answer")
    hidden, _created = live.ask(room, people[7], "Can we get the slides? The wifi here is bad",
                                anonymous=True)
    live.moderate(room, hidden, "hide")
    cloud = live.create_poll(room, "text",
                             "One word for how your district feels about AI right now", [])
    live.open_poll(room, cloud)
    for person, word in zip(people[20:], CLOUD_WORDS, strict=False):
        live.vote(room, cloud, person, [], None, word)
    live.create_poll(room, "scale", "How ready is your district for AI in classrooms?", [],
                     results="closed")
    session = next(r for r in refs if r.kind == "session")
    breakout = live.ensure_room(event, session)
    poll = live.create_poll(breakout, "single", "Does your district have an AI policy today?",
                            ["Yes, adopted", "In draft", "Not yet"])
    live.open_poll(breakout, poll)
    for person in people[50:80]:
        choice = rng.choices(poll.options, weights=[2, 5, 4])[0]
        live.vote(breakout, poll, person, [str(choice.id)], None, None)
    live.close_poll(breakout, poll)
    question, _created = live.ask(breakout, people[51], "Can you share the policy template?",
                                  anonymous=True)
    live.moderate(breakout, question, "answer")
