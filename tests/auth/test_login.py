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
    auth.logout()
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
