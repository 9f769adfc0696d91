"""A French kiosk (and the neutral /c/<code> page) speaks French."""

from __future__ import annotations

FR = {"Accept-Language": "fr-CA,fr;q=0.9"}


def test_kiosk_and_neutral_code_page_in_french(desk, client, auth):
    slug = desk["event"].slug
    neutral = client.get(f"/c/{desk['amber'].checkin_code}", headers=FR).get_data(as_text=True)
    assert "Ceci est un code d’accueil." in neutral and "Amber" not in neutral
    auth.login(desk["volunteer"])
    client.post(f"/admin/e/{slug}/checkin/kiosk")
    kiosk = client.get(f"/kiosk/{slug}", headers=FR).get_data(as_text=True)
    assert "Bienvenue! Enregistrez votre arrivée" in kiosk
    assert 'data-msg-cam-start="Démarrer la caméra"' in kiosk
    hx = {"HX-Request": "true", **FR}
    html = client.post(f"/kiosk/{slug}/scan", headers=hx,
                       data={"code": desk["amber"].checkin_code}).get_data(as_text=True)
    assert "Bienvenue, Amber!" in html
    refused = client.post(f"/kiosk/{slug}/scan", headers=hx,
                          data={"code": desk["cancelled"].checkin_code}).get_data(as_text=True)
    assert "Nous n’avons pas pu enregistrer votre arrivée ici" in refused
