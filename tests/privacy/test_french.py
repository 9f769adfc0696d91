"""A French browser gets the "Your data" panel of My summit in French."""

from __future__ import annotations

FR = {"Accept-Language": "fr-CA,fr;q=0.9"}


def test_your_data_panel_in_french(client, auth, make_event, make_attendee):
    event = make_event()
    auth.as_attendee(make_attendee(event))
    page = client.get(f"/e/{event.slug}/me", headers=FR).get_data(as_text=True)
    assert 'id="my-data-panel"' in page
    assert "Vos données" in page and "Télécharger mes données" in page
    assert "Download my data" not in page
    english = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "Download my data" in english
