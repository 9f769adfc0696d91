"""The JSON check-in API: every answer the issue lists, and never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from summit.auth.services import issue_token
from summit.checkin.models import Checkin
from summit.extensions import db


@pytest.fixture
def api(desk, client, make_staff):
    token = issue_token(desk["volunteer"], "Lane 1")
    facilitator = make_staff("facilitator", event=desk["event"])
    other_token = issue_token(facilitator, "wrong role")
    db.session.commit()
    url = f"/api/v1/events/{desk['event'].slug}/checkins"

    def post(body=None, *, token=token, raw=None, headers=None):
        h = {"Authorization": f"Bearer {token}"} if token else {}
        h.update(headers or {})
        if raw is not None:
            return client.post(url, data=raw, headers={**h, "Content-Type": "application/json"})
        return client.post(url, json=body, headers=h)

    post.token = token
    post.other_token = other_token
    return post


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Checkin))


def test_201_then_200(api, desk):
    first = api({"code": desk["amber"].checkin_url("http://summit.test")})
    assert first.status_code == 201
    body = first.get_json()
    assert body["result"] == "checked_in"
    assert body["attendee"]["name"] == "Amber Okafor"
    assert body["attendee"]["organization"] == "Knox County Schools"
    assert "homeroom" in body["attendee"]
    again = api({"code": desk["amber"].checkin_code})
    assert again.status_code == 200
    assert again.get_json()["result"] == "already_checked_in"
    assert again.get_json()["checked_in_at"] == body["checked_in_at"]
    assert count() == 1


def test_a_replayed_nonce_gets_the_first_answer_and_is_not_counted_twice(api, desk):
    first = api({"code": desk["ben"].checkin_code, "nonce": "abc123"})
    assert first.status_code == 201
    replay = api({"code": desk["ben"].checkin_code, "nonce": "abc123"})
    # The scanner that never heard the first answer is told "checked in", as it would have
    # been: not "already checked in", which a volunteer reads as a badge used twice.
    assert replay.status_code == 201
    assert replay.get_json() == {**first.get_json(), "duplicate_nonce": True}
    # Another scan of the same badge, without that nonce, is amber.
    again = api({"code": desk["ben"].checkin_code, "nonce": "other"})
    assert again.status_code == 200 and again.get_json()["result"] == "already_checked_in"
    assert count() == 1


def test_404_unknown_and_other_event(api, make_event, make_attendee):
    assert api({"code": "z" * 32}).status_code == 404
    assert api({"code": "hello"}).get_json()["error"]
    other = make_attendee(make_event(), first_name="Far")
    response = api({"code": other.checkin_code})
    assert response.status_code == 404 and "Far" not in response.get_data(as_text=True)


def test_409_cancelled_and_waitlisted(api, desk):
    for key in ("cancelled", "waitlisted"):
        response = api({"code": desk[key].checkin_code})
        assert response.status_code == 409
        assert response.get_json()["result"] == key
    assert count() == 0


def test_401_and_403(api, desk, client):
    assert api({"code": desk["amber"].checkin_code}, token=None).status_code == 401
    assert api({"code": desk["amber"].checkin_code}, token="made-up").status_code == 401
    response = client.post(f"/api/v1/events/{desk['event'].slug}/checkins",
                           json={"code": desk["amber"].checkin_code},
                           headers={"Authorization": "Basic abc"})
    assert response.status_code == 401 and response.is_json
    assert api({"code": desk["amber"].checkin_code},
               token=api.other_token).status_code == 403
    assert count() == 0


@pytest.mark.parametrize("raw, status", [
    (b"{not json", 400),
    (b"[1, 2]", 400),
    (b"\xff\xfe", 400),
    (b"", 400),
    (b'{"nonce": "x"}', 422),
    (b'{"code": 42}', 422),
    (b'{"code": "   "}', 422),
    (b'{"code": "' + b"a" * 5000 + b'"}', 422),
    (b'{"code": "' + b"a" * 100_000 + b'"}', 422),
    (b'{"code": "abc", "nonce": ["x"]}', 422),
    (b'{"code": "abc", "nonce": "' + b"n" * 65 + b'"}', 422),
])
def test_malformed_requests(api, raw, status):
    response = api(raw=raw)
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"]


def test_unknown_event_and_method(api, client):
    response = client.post("/api/v1/events/nope/checkins", json={"code": "x"},
                           headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 404 and response.is_json
    wrong_method = client.get("/api/v1/events/nope/checkins",
                              headers={"Authorization": f"Bearer {api.token}"})
    assert wrong_method.status_code == 405 and wrong_method.is_json


def test_stats(api, desk, client):
    api({"code": desk["amber"].checkin_code})
    url = f"/api/v1/events/{desk['event'].slug}/stats"
    headers = {"Authorization": f"Bearer {api.token}"}
    response = client.get(url, headers=headers)
    body = response.get_json()
    assert response.status_code == 200
    assert body["registered"] == 2 and body["checked_in"] == 1
    assert body["arrivals_per_15_min"][0]["count"] == 1
    assert {"name": "Austin ISD", "state": "TX", "registered": 1, "checked_in": 0} in \
        body["by_district"]
    cached = client.get(url, headers={**headers, "If-None-Match": response.headers["ETag"]})
    assert cached.status_code == 304
    assert client.get(url).status_code == 401
