"""The credit pages' forms (Flask-WTF classes in summit/credits/forms.py): a refused form
comes back with what was typed; the attendee's refusals speak their language; and a post on
the organizer's page naming another event's row is refused as a whole, whatever its action."""

from __future__ import annotations

from sqlalchemy import func, select

from summit import jobs
from summit.credits import services
from summit.credits.models import Certificate, CreditCorrection
from summit.extensions import db
from tests.credits.test_summit import run_the_summit, staff_client


def test_a_refused_settings_form_keeps_what_was_typed(app, client, auth, runner, two_days,
                                                      clock):
    run_the_summit(app, client, auth, runner, two_days, clock)
    event = two_days["event"]
    organizer = staff_client(app, two_days["organizer"])
    bad = organizer.post(f"/admin/e/{event.slug}/credits", data={
        "action": "settings", "credit_name": "PD hours", "provider_name": "Typed ESD",
        "arrival_window": "-3", "exit_min_share": "75", "rounding": "quarter",
        "retention_years": "7", "exit_scan": "1"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "arrival window" in html
    assert 'value="Typed ESD"' in html and 'value="-3"' in html and 'value="PD hours"' in html
    assert services.settings_of(event).provider_name != "Typed ESD"  # nothing saved
    # A removal without a reason: the person and the activity stay chosen.
    keynote = next(a for a in services.activities_of(event) if a.title == "Opening keynote")
    refused = organizer.post(f"/admin/e/{event.slug}/credits", data={
        "action": "remove", "attendee_id": two_days["Ben"].id, "activity": keynote.key,
        "reason": " "})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert f'<option value="{two_days["Ben"].id}" selected>' in html
    assert f'<option value="{keynote.key}" selected>' in html


def test_a_too_long_correction_request_is_refused_in_french_and_kept(app, client, auth, runner,
                                                                    two_days, clock):
    run_the_summit(app, client, auth, runner, two_days, clock)
    event = two_days["event"]
    ben = app.test_client()
    ben.get(f"/me/{two_days['Ben'].personal_secret}")
    keynote = next(a for a in services.activities_of(event) if a.title == "Opening keynote")
    message = "Long " * 401  # 2,005 characters
    refused = ben.post(f"/e/{event.slug}/credits", headers={"Accept-Language": "fr"},
                       data={"activity": keynote.key, "message": message})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Votre message doit compter moins de 2 000 caractères." in html
    assert message.strip() in html  # the text area keeps it
    unknown = ben.post(f"/e/{event.slug}/credits", headers={"Accept-Language": "fr"},
                       data={"activity": "x" * 40, "message": "I was there"})
    assert unknown.status_code == 400
    assert "Cette activité ne donne pas de crédit à cet événement." in unknown.get_data(
        as_text=True)


def test_another_events_row_refuses_the_whole_post(app, client, auth, runner, two_days, clock,
                                                   make_event, make_attendee):
    run_the_summit(app, client, auth, runner, two_days, clock)
    event = two_days["event"]
    other = make_event()
    stranger = make_attendee(other, first_name="Sam", email="sam@example.org")
    db.session.commit()
    organizer = staff_client(app, two_days["organizer"])
    organizer.post(f"/admin/e/{event.slug}/credits", data={"action": "batch"})  # certificates
    jobs.run_pending_jobs()
    keynote = next(a for a in services.activities_of(event) if a.title == "Opening keynote")
    certificate = db.session.scalar(select(Certificate).where(Certificate.event_id == event.id))
    assert certificate is not None and certificate.status == "issued"
    corrections = db.session.scalar(select(func.count()).select_from(CreditCorrection))
    grant = {"action": "grant", "attendee_id": two_days["Ben"].id, "activity": keynote.key,
             "reason": "Seen at the door"}
    # An id the action does not use is checked all the same: nothing is done.
    for extra, status in (({"attendee_id": stranger.id}, 404),
                          ({"attendee_id": "x"}, 404),
                          ({"certificate_id": 99_999_999}, 404),
                          ({"certificate_id": "9" * 30}, 404),
                          ({"request_id": 99_999_999}, 404)):
        response = organizer.post(f"/admin/e/{event.slug}/credits", data={**grant, **extra})
        assert response.status_code == status, extra
        assert db.session.scalar(
            select(func.count()).select_from(CreditCorrection)) == corrections, extra
    revoke = {"action": "revoke", "certificate_id": certificate.id, "reason": "Ownership"}
    refused = organizer.post(f"/admin/e/{event.slug}/credits",
                             data={**revoke, "block_id": 99_999_999})
    assert refused.status_code == 400
    assert "That block is not on this event" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status == "issued"
    # The same posts with this event's rows only do what they are for.
    assert organizer.post(f"/admin/e/{event.slug}/credits", data=grant).status_code == 302
    assert db.session.scalar(
        select(func.count()).select_from(CreditCorrection)) == corrections + 1
    assert organizer.post(f"/admin/e/{event.slug}/credits", data=revoke).status_code == 302
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status == "revoked"
