"""A French browser gets the homeroom panel of My summit in French."""

from __future__ import annotations

from summit.homerooms import services

FR = {"Accept-Language": "fr-CA,fr;q=0.9"}


def test_my_summit_homeroom_panel_in_french(client, auth, summit_world):
    event, people, _ = summit_world()
    services.assign(event, seed=1)
    auth.as_attendee(people[1])
    page = client.get(f"/e/{event.slug}/me", headers=FR).get_data(as_text=True)
    assert 'id="my-homerooms"' in page
    assert "Votre table d’attache" in page and "Jour 1 · " in page
    assert "Your homeroom table" not in page
