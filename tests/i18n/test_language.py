"""English or French: chosen by the browser, the language switcher or the attendee, and the
emails follow the attendee's language."""

from __future__ import annotations

from datetime import date
from email import policy
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy import select

from summit.extensions import db
from summit.messages.models import MessageRecipient
from summit.registration.models import Attendee

FR = {"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


def _form(**overrides):
    data = {"first_name": "Zoë", "last_name": "Tremblay", "email": "zoe@example.ca",
            "organization": "Centre de services scolaire de Montréal", "state": "QC",
            "role": "Teacher"}
    data.update(overrides)
    return data


def test_english_is_the_default(client, make_event):
    event = make_event(start_date=date(2027, 1, 21))
    html = client.get(f"/e/{event.slug}/register").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "First name" in html and "Prénom" not in html
    assert "Thursday, January 21, 2027" in html
    # The switcher offers French, in French.
    assert 'lang="fr"' in html and "Français" in html


def test_browser_asking_for_french_gets_the_form_in_french(client, make_event):
    event = make_event(start_date=date(2027, 1, 21))
    html = client.get(f"/e/{event.slug}/register", headers=FR).get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Inscription à AI Leadership Summit" in html
    for label in ("Prénom", "Nom de famille", "Courriel", "Conseil scolaire ou organisation",
                  "Besoins alimentaires", "Enseignante ou enseignant"):
        assert label in html
    assert "jeudi 21 janvier 2027" in html
    # Validation messages too (ours and the WTForms ones).
    response = client.post(f"/e/{event.slug}/register", data=_form(first_name="", email="x"),
                           headers=FR)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Veuillez entrer votre prénom." in html
    assert "Veuillez entrer une adresse courriel valide" in html


def test_my_summit_in_french(client, auth, make_event, make_attendee):
    event = make_event()
    attendee = make_attendee(event, first_name="Léa")
    auth.as_attendee(attendee)
    html = client.get(f"/e/{event.slug}/me", headers=FR).get_data(as_text=True)
    assert "<h1>Bonjour, Léa</h1>" in html
    assert "<dt>Conseil scolaire</dt>" in html and "<dt>Dates</dt>" in html
    assert "Annuler mon inscription" in html
    assert "Me déconnecter sur ce téléphone" in html
    assert "Mon plan d’action" in html  # the plans panel
    # The same attendee with an English browser: English.
    html = client.get(f"/e/{event.slug}/me", headers=EN).get_data(as_text=True)
    assert "<h1>Hello, Léa</h1>" in html


def test_switcher_cookie_overrides_the_browser(client, make_event):
    event = make_event()
    response = client.post("/lang", data={"lang": "fr", "next": f"/e/{event.slug}/register"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/e/{event.slug}/register")
    assert "lang=fr" in response.headers["Set-Cookie"]
    html = client.get(f"/e/{event.slug}/register", headers=EN).get_data(as_text=True)
    assert "Prénom" in html and '<html lang="fr">' in html
    client.post("/lang", data={"lang": "en", "next": "/"})
    html = client.get(f"/e/{event.slug}/register", headers=FR).get_data(as_text=True)
    assert "First name" in html and '<html lang="en">' in html


def test_switcher_refuses_to_send_people_elsewhere(client):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post("/lang", data={"lang": "fr", "next": target})
        assert response.headers["Location"] in ("/", "http://localhost/")
    response = client.post("/lang", data={"lang": "klingon"})
    assert "lang=en" in response.headers["Set-Cookie"]


def test_registering_in_french_stores_the_language_and_mails_in_french(client, make_event):
    event = make_event()
    response = client.post(f"/e/{event.slug}/register", data=_form(), headers=FR)
    assert response.status_code == 302
    attendee = db.session.scalar(select(Attendee).where(Attendee.email == "zoe@example.ca"))
    assert attendee.preferred_language == "fr"
    html = client.get(f"/e/{event.slug}/registered", headers=FR).get_data(as_text=True)
    assert "Votre inscription est confirmée, Zoë!" in html
    mail = db.session.scalar(select(MessageRecipient).where(
        MessageRecipient.attendee_id == attendee.id))
    assert mail.subject == "Inscription confirmée : AI Leadership Summit"
    assert "Bonjour Zoë," in mail.body_text
    assert "lundi 1 mars 2027" in mail.body_text
    assert '<html lang="fr">' in mail.body_html
    assert "Présentez ce code à l’accueil" in mail.body_html


def test_attendee_preference_beats_cookie_and_browser_and_drives_emails(
        app, client, auth, make_event, make_attendee):
    from summit.messages import services

    event = make_event()
    attendee = make_attendee(event, first_name="Éloïse", email="eloise@example.ca",
                             preferred_language="fr")
    auth.as_attendee(attendee)
    client.set_cookie("lang", "en")
    html = client.get(f"/e/{event.slug}/me", headers=EN).get_data(as_text=True)
    assert "<h1>Bonjour, Éloïse</h1>" in html
    # An English page asks for the link again: the email is in the attendee's French.
    client.delete_cookie("lang")
    other = app.test_client()
    response = other.post(f"/e/{event.slug}/resend", data={"email": "eloise@example.ca"},
                          headers=EN)
    assert "Check your email" in response.get_data(as_text=True)
    mail = db.session.scalar(select(MessageRecipient).where(
        MessageRecipient.attendee_id == attendee.id))
    assert mail.subject == "Votre lien pour AI Leadership Summit"
    # Delivered to the outbox folder: the .eml itself is French.
    assert services.deliver_recipient(mail.id, final_attempt=True) == "sent"
    db.session.refresh(mail)
    eml = Path(app.config["OUTBOX_DIR"]) / mail.outbox_file
    message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert message["Subject"] == "Votre lien pour AI Leadership Summit"
    text = message.get_body(("plain",)).get_content()
    assert "Voici votre lien personnel pour AI Leadership Summit" in text
    html = message.get_body(("html",)).get_content()
    assert "Ouvrir Mon sommet" in html


def test_switching_language_saves_the_signed_in_attendees_choice(client, auth, make_event,
                                                                 make_attendee):
    event = make_event()
    attendee = make_attendee(event, preferred_language="en")
    auth.as_attendee(attendee)
    client.post("/lang", data={"lang": "fr", "next": f"/e/{event.slug}/me"})
    db.session.refresh(attendee)
    assert attendee.preferred_language == "fr"
    html = client.get(f"/e/{event.slug}/me", headers=EN).get_data(as_text=True)
    assert "Bonjour" in html


def test_worksheet_default_text_is_translated_and_edited_text_stays_as_typed(
        client, auth, make_event, make_attendee):
    from summit.plans import services

    event = make_event()
    attendee = make_attendee(event)
    template = services.template_for(event)
    first = template.sections[0].questions[0]
    services.update_question(first, "Qu’allez-vous essayer lundi matin?", "")
    db.session.commit()
    auth.as_attendee(attendee)
    html = client.get(f"/e/{event.slug}/plan", headers=FR).get_data(as_text=True)
    assert "Atelier de planification de l’action en leadership" in html
    assert "Qu’allez-vous essayer lundi matin?" in html  # the organizer's text, as typed
    assert "Sur quelles priorités travaillerez-vous, et dans quel ordre?" in html
    assert "Technique\u00a0: nos données sont-elles exactes" in html
    assert "1 · Pas encore" in html and "Alignement des politiques" in html
    # The autosave script gets its words from the page.
    assert 'data-msg-saved="Enregistré"' in html
    assert 'data-msg-pending="Pas encore enregistré"' in html
    # English stays English.
    html = client.get(f"/e/{event.slug}/plan", headers=EN).get_data(as_text=True)
    assert "Leadership Action Planning Workshop" in html
    assert 'data-msg-saved="Saved"' in html


def test_error_pages_in_french(client):
    response = client.get("/nowhere", headers=FR)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page introuvable" in html and "Aller à la page d’accueil" in html


def test_staff_pages_have_no_switcher(client, auth, make_event, make_staff):
    event = make_event()
    auth.login(make_staff("organizer", event=event))
    response = client.get(f"/admin/e/{event.slug}/", headers=FR)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert event.name in html
    assert 'id="lang-switch"' not in html
    # ...while the public pages show it to the same person.
    assert 'id="lang-switch"' in client.get(f"/e/{event.slug}/").get_data(as_text=True)
