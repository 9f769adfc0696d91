"""NUL characters never reach the database (PostgreSQL cannot store or compare them)."""

from __future__ import annotations

from tests.security.fuzzing import client_for, row_counts
from tests.security.world import build_world


def test_nul_characters_are_refused_with_a_400_not_a_500(app):
    from summit.auth.models import StaffUser
    from summit.extensions import db

    world = build_world(app)
    users = {"organizer": db.session.scalar(
        db.select(StaffUser.id).where(StaffUser.email == world.organizer))}
    staff = client_for(app, "organizer", world, users)
    before = row_counts()
    for url in (f"/admin/e/{world.slug}/checkin/search?q=Ok%00afor",
                f"/admin/e/{world.slug}/attendees?q=%00"):
        response = staff.get(url)
        assert response.status_code == 400, url
        assert b"not allowed (NUL)" in response.data
    response = staff.post(f"/admin/e/{world.slug}/breakouts/rooms",
                          data={"name": "Room\x00 9", "capacity": "10"})
    assert response.status_code == 400
    response = app.test_client().post("/login", data={"email": "a\x00@b.org", "password": "x"})
    assert response.status_code == 400
    assert row_counts() == before
    # Ordinary text still goes through.
    found = staff.get(f"/admin/e/{world.slug}/checkin/search?q=Okafor",
                      headers={"HX-Request": "true"})
    assert found.status_code == 200 and b"Amber Okafor" in found.data
