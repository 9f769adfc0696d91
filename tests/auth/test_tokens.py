"""API tokens end: at the expiry they were given (command line or the tokens page), when their
account's password changes, and when the account is removed (its last role, or the command)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from summit.auth.models import ApiToken
from summit.auth.services import create_user, issue_token, user_for_token
from summit.auth.tokens import parse_expiry
from summit.extensions import db

NOW = datetime(2027, 3, 1, 14, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """Move Summit's clock (token look-ups, the API's cache) without sleeping."""
    from summit import database
    from summit.auth import services, views

    now = [datetime.now(UTC)]
    for module in (services, views, database):
        monkeypatch.setattr(module, "utcnow", lambda: now[0])
    return now


def stats(client, event, token):
    return client.get(f"/api/v1/events/{event.slug}/stats",
                      headers={"Authorization": f"Bearer {token}"})


def test_parse_expiry():
    assert parse_expiry("12h", NOW) == NOW + timedelta(hours=12)
    assert parse_expiry("30d", NOW) == NOW + timedelta(days=30)
    assert parse_expiry(" 2W ", NOW) == NOW + timedelta(weeks=2)
    assert parse_expiry("2027-03-04", NOW) == datetime(2027, 3, 5, tzinfo=UTC)
    assert parse_expiry("never", NOW) is None and parse_expiry("", NOW) is None
    for wrong, message in (("tomorrow", "duration"), ("0d", "at least 1"),
                           ("2027-02-28", "passed"), ("9999d", "three years")):
        with pytest.raises(ValueError, match=message):
            parse_expiry(wrong, NOW)


def test_the_command_line_gives_a_token_an_expiry(runner, make_staff, clock):
    user = make_staff("checkin")
    result = runner.invoke(args=["user", "token", user.email, "--expires", "2h"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert "Expires" in result.stderr
    assert user_for_token(token).id == user.id
    clock[0] += timedelta(hours=2, seconds=1)
    assert user_for_token(token) is None
    refused = runner.invoke(args=["user", "token", user.email, "--expires", "soon"])
    assert refused.exit_code != 0 and "--expires" in refused.output
    assert db.session.scalar(select(db.func.count()).select_from(ApiToken)) == 1


def test_an_expired_token_is_refused_even_from_the_workers_cache(client, make_event,
                                                                   make_staff, clock):
    event = make_event()
    user = make_staff("checkin", event)
    token = issue_token(user, "Lane 1", expires_at=clock[0] + timedelta(minutes=10))
    db.session.commit()
    assert stats(client, event, token).status_code == 200  # now cached by this worker
    clock[0] += timedelta(minutes=10)
    expired = stats(client, event, token)
    assert expired.status_code == 401 and "expired" in expired.get_json()["error"]


def test_the_tokens_page_sets_and_shows_the_expiry(client, auth, make_staff, clock):
    user = make_staff("checkin")
    auth.login(user)
    page = client.post("/account/tokens", data={"label": "Lane 3", "expires": "1d"})
    assert page.status_code == 200
    row = db.session.scalar(select(ApiToken))
    assert row.expires_at == clock[0] + timedelta(days=1)
    html = client.get("/account/tokens").get_data(as_text=True)
    assert "UTC" in html and "expired" not in html
    clock[0] += timedelta(days=2)
    assert ">expired<" in client.get("/account/tokens").get_data(as_text=True)
    assert client.post("/account/tokens", data={"label": "x", "expires": "10y"}).status_code \
        == 200  # not a choice: refused with the form's message, nothing created
    assert db.session.scalar(select(db.func.count()).select_from(ApiToken)) == 1


def test_a_new_password_revokes_every_token(runner, client, make_event, make_staff):
    event = make_event()
    user = make_staff("checkin", event, email="door@example.org")
    token, other = issue_token(user, "Lane 1"), issue_token(user, "Lane 2")
    db.session.commit()
    create_user(user.email, "checkin", "a brand new password", event_id=event.id)
    db.session.commit()
    assert user_for_token(token) is None and user_for_token(other) is None
    later = issue_token(user, "after the change")
    db.session.commit()
    result = runner.invoke(args=["user", "create", user.email, "--role", "checkin",
                                 "--password-stdin"], input="another new password\n")
    assert result.exit_code == 0, result.output
    assert user_for_token(later) is None
    # Giving another role without a password leaves the tokens alone.
    kept = issue_token(user, "kept")
    db.session.commit()
    create_user(user.email, "facilitator", event_id=event.id)
    db.session.commit()
    assert user_for_token(kept).id == user.id


def test_removing_the_last_role_revokes_tokens_and_signs_out(app, client, auth, make_event,
                                                             make_staff):
    from summit.auth.models import EventRole

    event, other_event = make_event(), make_event()
    organizer = make_staff("organizer", event)
    volunteer = make_staff("checkin", event)
    create_user(volunteer.email, "checkin", event_id=other_event.id)
    token = issue_token(volunteer, "Lane 1")
    db.session.commit()
    phone = app.test_client()
    assert phone.post("/login", data={"email": volunteer.email,
                                      "password": "correct horse battery"}).status_code == 302
    assert stats(phone, event, token).status_code == 200  # cached by this worker
    auth.login(organizer)

    def role_id(event_id):
        return db.session.scalar(select(EventRole.id).where(
            EventRole.user_id == volunteer.id, EventRole.event_id == event_id))

    # One of two roles: the account stays, and so do its token and its session.
    client.post(f"/admin/e/{event.slug}/staff/{role_id(event.id)}/remove")
    assert stats(phone, event, token).status_code == 403
    assert stats(phone, other_event, token).status_code == 200
    assert phone.get("/admin/").status_code == 200
    # The last one (by an organizer of the other event): the account is removed.
    other_organizer = make_staff("organizer", other_event)
    auth.logout()
    auth.login(other_organizer)
    answer = client.post(f"/admin/e/{other_event.slug}/staff/{role_id(other_event.id)}/remove",
                         follow_redirects=True)
    assert "API tokens are revoked" in answer.get_data(as_text=True)
    assert stats(phone, other_event, token).status_code == 401
    assert phone.get("/admin/").status_code == 302  # signed out
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken)).revoked_at is not None


def test_user_remove_command(runner, make_event, make_staff):
    event = make_event()
    user = make_staff("checkin", event, email="door@example.org")
    token = issue_token(user, "Lane 1")
    db.session.commit()
    result = runner.invoke(args=["user", "remove", user.email])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert user_for_token(token) is None and user.roles == []
    assert runner.invoke(args=["user", "remove", "nobody@example.org"]).exit_code != 0


def test_an_expired_token_is_refused_on_the_check_in_fast_path(client, make_event, make_attendee,
                                                                make_staff, clock):
    event = make_event()
    amber, ben = make_attendee(event), make_attendee(event)
    token = issue_token(make_staff("checkin", event), "Lane 1",
                        expires_at=clock[0] + timedelta(minutes=10))
    db.session.commit()
    url = f"/api/v1/events/{event.slug}/checkins"
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post(url, json={"code": amber.checkin_code}, headers=headers).status_code \
        == 201  # through Flask: the token is now known to this worker's fast path
    clock[0] += timedelta(minutes=10)
    refused = client.post(url, json={"code": ben.checkin_code}, headers=headers)
    assert refused.status_code == 401
    from summit.checkin.models import Checkin

    assert db.session.scalar(select(db.func.count()).select_from(Checkin)) == 1
