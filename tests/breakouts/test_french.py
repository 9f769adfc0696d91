"""A French browser gets the breakout pages, labels and sign-up messages in French."""

from __future__ import annotations

from summit.extensions import db

FR = {"Accept-Language": "fr-CA,fr;q=0.9"}


def test_french_browser_browses_and_signs_up_in_french(client, auth, make_attendee, schedule):
    from summit.breakouts import services

    event = schedule.event
    services.sign_up(make_attendee(event), schedule.policy)  # 1 of its 2 seats: Limited
    db.session.commit()
    auth.as_attendee(make_attendee(event))
    page = client.get(f"/e/{event.slug}/breakouts", headers=FR).get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Choisissez vos ateliers" in page and "Réserver une place" in page
    assert "Places limitées" in page and "Choose your breakouts" not in page
    joined = client.post(f"/e/{event.slug}/breakouts/{schedule.policy.id}/join", headers=FR,
                         follow_redirects=True).get_data(as_text=True)
    assert "Vous avez une place à « Drafting a district AI policy »." in joined
    agenda = client.get(f"/e/{event.slug}/agenda", headers=FR).get_data(as_text=True)
    assert "Mon horaire" in agenda and "Place confirmée" in agenda
    # No Accept-Language: English, as before.
    assert "Choose your breakouts" in client.get(f"/e/{event.slug}/breakouts").get_data(
        as_text=True)
