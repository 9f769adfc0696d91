"""``flask badges SLUG -o FILE.pdf``: same selection and print records as the web batch."""

from __future__ import annotations

from sqlalchemy import select

from summit.badges.models import BadgeBatch, BadgePrint
from summit.badges.services import Selection, create_batch
from summit.extensions import db
from summit.jobs import run_pending_jobs

from .conftest import url_of
from .helpers import decode_pages, pdf_text, squash


def test_cli_only_unprinted_after_a_web_batch(runner, badge_world, make_attendee, tmp_path):
    w = badge_world
    from summit.events.models import Organization

    knox_id = db.session.scalar(select(Organization.id).where(
        Organization.name == "Knox County Schools"))
    create_batch(w.event, Selection(organization_id=knox_id), "avery-5392",
                 user_id=w.organizer.id, base_url="http://summit.test")
    db.session.commit()
    assert run_pending_jobs() == 1
    odd = make_attendee(w.event, first_name="<script>x</script>", last_name="田中",
                        organization="東京都教育委員会", state="東京都")

    out = tmp_path / "late.pdf"
    result = runner.invoke(args=["badges", w.event.slug, "-o", str(out), "--only-unprinted",
                                 "--stock", "avery-5390"])
    assert result.exit_code == 0, result.output
    assert "Wrote 4 badges (not printed yet) on 1 page of Avery 5390" in result.output
    pdf = out.read_bytes()
    assert sorted(c for page in decode_pages(pdf) for c in page) == sorted(
        url_of(a) for a in [*w.shelby, odd])
    text = squash("".join(pdf_text(pdf)))
    assert "<script>x</script>" in text and "田中" in text and "東京都教育委員会" in text
    cli_prints = db.session.scalars(select(BadgePrint).where(BadgePrint.source == "cli")).all()
    assert sorted(p.attendee_id for p in cli_prints) == sorted(a.id for a in [*w.shelby, odd])
    assert all(p.by_user_id is None and p.stock == "avery-5390" for p in cli_prints)
    assert db.session.scalar(select(BadgeBatch).where(BadgeBatch.source == "cli")).ready

    again = runner.invoke(args=["badges", w.event.slug, "-o", str(out), "--only-unprinted"])
    assert again.exit_code != 0 and "No registered attendee matches" in again.output


def test_cli_district_filter_and_errors(runner, badge_world, tmp_path):
    w = badge_world
    out = tmp_path / "knox.pdf"
    result = runner.invoke(args=["badges", w.event.slug, "-o", str(out),
                                 "--district", "knox county  schools"])
    assert result.exit_code == 0, result.output
    assert sorted(c for page in decode_pages(out.read_bytes()) for c in page) == sorted(
        url_of(a) for a in w.knox)
    assert runner.invoke(args=["badges", "nope", "-o", str(out)]).exit_code != 0
    bad = runner.invoke(args=["badges", w.event.slug, "-o", str(out), "--stock", "napkin"])
    assert bad.exit_code != 0
    assert runner.invoke(args=["badges", w.event.slug, "-o", str(out),
                               "--district", "Atlantis"]).exit_code != 0
