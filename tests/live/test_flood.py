"""A flood of questions from one phone is throttled; the other phones in the room, behind the
same venue address, keep asking."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from summit.extensions import db
from summit.live.models import LiveQuestion


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMITS": {"live_post": "5 per minute"}}


def test_a_flooding_phone_is_throttled_and_the_room_is_not(live_world, phone):
    w = live_world
    flooder, other = phone(w.amber), phone(w.ben)
    url = f"/e/{w.slug}/qa/{w.skey}/ask"
    statuses = [flooder.post(url, data={"text": f"Spam {i}", "anonymous": "1"},
                             headers={"X-Live-Queue": "1"}).status_code for i in range(8)]
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}, statuses
    answer = other.post(url, data={"text": "A real question", "anonymous": "1"},
                        headers={"X-Live-Queue": "1"})
    assert answer.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(LiveQuestion)) == 6
