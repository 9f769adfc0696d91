"""A realistic demo summit: 360 attendees from 44 districts in US states and Canadian provinces.

Delegation sizes are skewed the way real summits are: a large host district, a handful of
mid-sized delegations and a long tail of one- to three-person teams. Deterministic (seeded).
"""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from summit.auth.services import create_user
from summit.database import utcnow
from summit.events.models import Event
from summit.events.services import create_event
from summit.extensions import db
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
