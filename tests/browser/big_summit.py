"""A summit the size the organizer's pages were seen at: 346 registered from 44 districts,
44 homeroom tables of 8, everyone seated on every day (seats written directly: the test is
about the pages, not the engine). Shared by the organizer-map and accessibility tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from summit.extensions import db

PASSWORD = "correct horse battery"
ORGANIZER = "lead@big.example.org"
FACILITATOR = "host@big.example.org"
HOSTED = 5  # the table the facilitator hosts
WHEELCHAIR = "Wheelchair user: needs step-free access and room beside the table"
HEARING = "Hard of hearing: please seat me facing the speaker, away from the coffee machines"
PEOPLE = 346
TABLES = 44
SEATS = 8


@dataclass(frozen=True)
class BigSummit:
    slug: str
    table_ids: list[int]  # by number: table_ids[0] is Table 1
    first_person: dict[int, str]  # table number -> the full name of its first person


def build_big_summit(app, slug: str = "big-summit") -> BigSummit:
    from sqlalchemy import select

    from summit.auth.models import StaffUser
    from summit.auth.services import create_user
    from summit.events.services import create_event
    from summit.homerooms import services as homerooms
    from summit.homerooms.models import Seat
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    with app.app_context():
        event = create_event(slug, "AI in Education Leadership Summit", date(2027, 3, 1),
                             days=2)
        create_user(ORGANIZER, "organizer", PASSWORD, event_id=event.id)
        create_user(FACILITATOR, "facilitator", PASSWORD, event_id=event.id)
        districts = [find_or_create_organization(f"District {d:02d} Schools",
                                                 ["TN", "KY", "GA", "ON", "TX"][d % 5])
                     for d in range(44)]
        people = []
        for i in range(PEOPLE):
            person = Attendee(event_id=event.id, organization=districts[i % 44],
                              first_name=f"Person{i:03d}", last_name="Longername-Tester",
                              email=f"p{i}@big.example.org", role="Principal",
                              status="registered")
            db.session.add(person)
            people.append(person)
        tables = homerooms.create_tables(event, TABLES, SEATS)
        db.session.flush()
        # The facilitator hosts Table 5, where two people wrote accessibility notes.
        hosted = tables[HOSTED - 1]
        hosted.facilitator_user_id = db.session.scalar(
            select(StaffUser.id).where(StaffUser.email == FACILITATOR))
        hosted.accessible = True
        people[(HOSTED - 1) * SEATS].accessibility = WHEELCHAIR
        people[(HOSTED - 1) * SEATS + 1].accessibility = HEARING
        first = {}
        for i, person in enumerate(people):
            table = tables[i // SEATS]
            first.setdefault(table.number, person.full_name)
            for day in (1, 2):
                db.session.add(Seat(event_id=event.id, table_id=table.id,
                                    attendee_id=person.id, day=day))
        db.session.commit()
        summit = BigSummit(slug, [t.id for t in tables], first)
        db.session.remove()
    return summit
