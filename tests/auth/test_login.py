"""Staff sign-in, the failed-login throttle, sign-out and API tokens."""

from sqlalchemy import select

from summit.auth.models import ApiToken
from summit.auth.services import issue_token, user_for_token
from summit.extensions import db


def test_login_and_logout(client, make_staff, auth):
    user = make_staff("organizer")
    assert user.password_hash and "correct horse" not in user.password_hash
    response = auth.login(user)
    assert response.status_code == 302 and response.location.endswith("/admin/")
    assert client.get("/admin/").status_code == 200
    signed_out = auth.logout()
    assert signed_out.headers["Clear-Site-Data"] == '"cache"'  # pages kept for the session
    assert client.get("/admin/").status_code == 302


def test_wrong_password_keeps_the_email_and_says_why(client, make_staff, auth):
    user = make_staff("organizer")
    response = auth.login(user, "wrong")
    assert response.status_code == 401
    assert b"do not match" in response.data
    assert user.email.encode() in response.data


def test_repeated_failures_are_slowed_down(client, make_staff, auth):
    user = make_staff("organizer")
    for _ in range(5):
        assert auth.login(user, "wrong").status_code == 401
    throttled = auth.login(user)  # even the right password must wait now
    assert throttled.status_code == 429
    assert b"Try again in" in throttled.data


def sign_in(client, user, password="correct horse battery"):
    return client.post("/login", data={"email": user.email, "password": password})


def test_a_volunteer_is_never_locked_out_by_another_devices_failures(app, make_staff):
    """Someone at the venue types wrong passwords for the door team's address at 8 a.m.: their
    device waits; the volunteer's phone, which has not failed, signs in at once."""
    door = make_staff("checkin")
    attacker, volunteer = app.test_client(), app.test_client()
    for _ in range(5):
        assert sign_in(attacker, door, "guess").status_code == 401
    refused = sign_in(attacker, door)  # even the right password waits on that device
    assert refused.status_code == 429 and b"from this device" in refused.data
    assert int(refused.headers["Retry-After"]) >= 1
    assert sign_in(volunteer, door).status_code == 302
    # The volunteer's success does not clear the attacker's failures.
    assert sign_in(attacker, door).status_code == 429


def test_the_failing_device_waits_progressively_longer(app, make_staff, monkeypatch):
    from datetime import timedelta

    from summit.auth import services
    from summit.database import utcnow

    now = [utcnow()]
    monkeypatch.setattr(services, "utcnow", lambda: now[0])
    user = make_staff("organizer")
    device = app.test_client()
    for _ in range(5):  # the first five are free
        assert sign_in(device, user, "wrong").status_code == 401
    waits = []
    for _ in range(4):
        refused = sign_in(device, user, "wrong")
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        now[0] += timedelta(seconds=waits[-1])
        assert sign_in(device, user, "wrong").status_code == 401  # one more try, then longer
    assert waits == [2, 4, 8, 16]
    now[0] += timedelta(minutes=16)  # the window (15 minutes) forgets every failure
    assert sign_in(device, user).status_code == 302


def test_a_client_dropping_its_cookie_meets_the_accounts_budget_for_new_devices(app,
                                                                               make_staff):
    """Every attempt from a new device: the account's budget for devices it was never used on
    (20 failures in 15 minutes) holds them, never a device that signed in to it before."""
    user = make_staff("checkin")
    known = app.test_client()
    assert sign_in(known, user).status_code == 302
    known.post("/logout")
    for _ in range(20):
        assert sign_in(app.test_client(), user, "guess").status_code == 401
    refused = sign_in(app.test_client(), user)
    assert refused.status_code == 429 and b"never used on" in refused.data
    assert sign_in(known, user).status_code == 302


def test_kiosk_exit_uses_the_same_throttle(app, make_event, make_staff):
    from summit.access import KIOSK_SESSION_KEY

    event = make_event()
    desk = make_staff("checkin", event)
    kiosk, other = app.test_client(), app.test_client()
    for client in (kiosk, other):
        with client.session_transaction() as session:
            session[KIOSK_SESSION_KEY] = {"event_id": event.id, "by": desk.id, "id": "k"}
    url = f"/kiosk/{event.slug}/exit"
    for _ in range(5):
        assert kiosk.post(url, data={"email": desk.email, "password": "no"}).status_code == 401
    assert kiosk.post(url, data={"email": desk.email,
                                 "password": "correct horse battery"}).status_code == 429
    assert other.post(url, data={"email": desk.email,
                                 "password": "correct horse battery"}).status_code == 302


def test_open_redirects_are_refused(client, make_staff):
    user = make_staff("organizer")
    response = client.post("/login?next=https://evil.example/", data={
        "email": user.email, "password": "correct horse battery"})
    assert response.location.endswith("/admin/")


def test_api_tokens_are_shown_once_and_stored_hashed(client, make_staff, auth):
    user = make_staff("checkin")
    auth.login(user)
    page = client.post("/account/tokens", data={"label": "Lane 3"})
    token = page.get_data(as_text=True).split('id="new-token">')[1].split("<")[0]
    assert token.startswith("smt_")
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != token and token not in stored.token_hash
    assert token not in client.get("/account/tokens").get_data(as_text=True)
    assert user_for_token(token).id == user.id
    client.post(f"/account/tokens/{stored.id}/revoke")
    db.session.expire_all()
    assert user_for_token(token) is None


def test_token_lookup(app, make_staff):
    user = make_staff("organizer")
    token = issue_token(user)
    db.session.commit()
    assert user_for_token(token) == user
    assert user_for_token(token + "x") is None


def test_changing_the_password_signs_out_other_sessions(app, make_staff, auth, client):
    from summit.auth.services import create_user

    user = make_staff("organizer")
    auth.login(user)
    create_user(user.email, "organizer", "a brand new password")
    db.session.commit()
    assert client.get("/admin/").status_code == 302
