"""What organizers get from the feedback: how the ratings spread, the answers to each
question, and a CSV of it all (names only for those who did not stay anonymous)."""

from __future__ import annotations

import csv
import io
import re

from summit.extensions import db
from summit.plans import feedback


def give(app, event, attendee, rating, anonymous=False, learned="", day=1):
    target = feedback.find_target(event, day, None)
    feedback.submit(app.config["SECRET_KEY"], event, attendee, target,
                    {"supposed": "Mixed tables", "learned": learned}, rating, anonymous)
    db.session.commit()


def test_ratings_spread_answers_per_question_and_csv(app, client, auth, make_event,
                                                     make_attendee, make_staff):
    event = make_event("fb-results", days=2)
    people = [make_attendee(event, first_name=f"Fay{n}", last_name="Named") for n in range(5)]
    for person, rating in zip(people, (5, 5, 4, 2, 5), strict=True):
        give(app, event, person, rating, anonymous=person is people[3],
             learned="Share the policy" if rating == 5 else "")
    give(app, event, people[0], 3, day=2)
    assert feedback.distributions(event) == {"d1": [0, 1, 0, 1, 3], "d2": [0, 0, 1, 0, 0]}

    auth.login(make_staff("organizer", event))
    page = client.get(f"/admin/e/{event.slug}/feedback?target=d1").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", page)
    row = page.split('<tr class="selected">', 1)[1].split("</tr>", 1)[0]
    assert re.sub(r"<[^>]+>|\s+", "", row).endswith("1:02:13:04:15:3")  # the spread of day 1
    assert 'id="feedback-total">6<' in page
    assert re.search(r"What did we learn\?\s*\(3 answers\)", text)
    assert re.search(r"What actually happened\?\s*\(0 answers\)", text)
    assert "export" in page.lower() and f"/admin/e/{event.slug}/feedback.csv?target=d1" in page

    export = client.get(f"/admin/e/{event.slug}/feedback.csv?target=d1")
    assert export.mimetype == "text/csv" and "no-store" in export.headers["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["rating"] for r in rows] == ["5", "5", "4", "2", "5"]
    anonymous = [r for r in rows if r["anonymous"] == "yes"]
    assert len(anonymous) == 1 and anonymous[0]["first_name"] == anonymous[0]["last_name"] == ""
    assert {r["first_name"] for r in rows} - {""} == {"Fay0", "Fay1", "Fay2", "Fay4"}
    everything = client.get(f"/admin/e/{event.slug}/feedback.csv").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(everything.lstrip("\ufeff"))))) == 6
    assert client.get(f"/admin/e/{event.slug}/feedback.csv?target=s999").status_code == 404


def test_only_organizers_export_feedback(client, auth, make_event, make_staff):
    event = make_event("fb-private")
    for role in ("facilitator", "checkin"):
        auth.login(make_staff(role, event))
        assert client.get(f"/admin/e/{event.slug}/feedback.csv").status_code == 403
        auth.logout()
