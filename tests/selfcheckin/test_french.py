"""A French browser gets the self check-in pages in French."""

from __future__ import annotations

from datetime import timedelta

from tests.selfcheckin.conftest import NOW
from tests.selfcheckin.test_entrance import code_url

FR = {"Accept-Language": "fr-CA,fr;q=0.9"}


def test_welcome_and_expired_code_in_french(app, client, auth, summit_setup, frozen):
    event, amber = summit_setup["event"], summit_setup["amber"]
    auth.as_attendee(amber)
    old = client.get(code_url(app, event, NOW - timedelta(seconds=61)), headers=FR)
    assert old.status_code == 410
    assert "Ce code a expiré — balayez l’écran de nouveau" in old.get_data(as_text=True)
    client.get(code_url(app, event), headers=FR)
    page = client.get(f"/e/{event.slug}/welcome", headers=FR).get_data(as_text=True)
    assert f"Bienvenue, {amber.first_name}" in page
    assert "Ouvrir Mon sommet" in page and "You are checked in" not in page
