"""A French-speaking phone registers in French and can switch to English."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from summit.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def summit(live_server):
    from summit.events.services import create_event

    with live_server.app.app_context():
        create_event("sommet-ia", "Sommet IA en éducation", date(2027, 1, 21), capacity=300,
                     venue="Palais des congrès de Montréal")
        db.session.commit()
    return live_server


def test_register_in_french_on_a_phone(summit, new_context):
    page = new_context(phone=True, locale="fr-CA").new_page()
    page.goto(f"{summit.url}/e/sommet-ia/register")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Inscription à Sommet IA en éducation")).to_be_visible()
    expect(page.get_by_text("jeudi 21 janvier 2027")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("Prénom").fill("Zoë")
    page.get_by_label("Nom de famille").fill("Tremblay")
    page.get_by_label("Courriel", exact=True).fill("pas-un-courriel")
    page.get_by_label("Conseil scolaire ou organisation").fill("CSS de Montréal")
    page.get_by_label("Province ou État").fill("QC")
    page.get_by_label("Rôle").select_option(label="Direction d’école")
    page.get_by_role("button", name="S’inscrire").click()
    expect(page.get_by_text("Veuillez entrer une adresse courriel valide")).to_be_visible()
    page.get_by_label("Courriel", exact=True).fill("zoe.tremblay@example.ca")
    page.get_by_role("button", name="S’inscrire").click()
    expect(page.get_by_role("heading",
                            name="Votre inscription est confirmée, Zoë!")).to_be_visible()
    expect(page.get_by_alt_text("Votre code QR d’accueil")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The confirmation email went out in French.
    from summit.messages.models import MessageRecipient
    from summit.registration.models import Attendee

    with summit.app.app_context():
        attendee = db.session.scalar(select(Attendee).where(
            Attendee.email == "zoe.tremblay@example.ca"))
        assert attendee.preferred_language == "fr"
        assert attendee.role == "Principal"  # stored as the English value
        mail = db.session.scalar(select(MessageRecipient).where(
            MessageRecipient.attendee_id == attendee.id))
        # (subjects are folded to plain spaces)
        assert mail.subject == "Inscription confirmée : Sommet IA en éducation"
        assert "jeudi 21 janvier 2027" in mail.body_text

    # My summit, then the switcher: English from now on, for pages and emails.
    page.get_by_role("link", name="Aller à Mon sommet").click()
    expect(page.get_by_role("heading", name="Bonjour, Zoë")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Hello, Zoë")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/e/sommet-ia/me")
    with summit.app.app_context():
        attendee = db.session.scalar(select(Attendee).where(
            Attendee.email == "zoe.tremblay@example.ca"))
        assert attendee.preferred_language == "en"
