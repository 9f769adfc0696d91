"""The one private thing Summit relies on in Flask-Limiter: how it addresses a counter.

The check-in fast path applies the API's limits outside Flask, on Flask-Limiter's own counters
(``ratelimits.check_outside_flask``), so the two ways a check-in is served count together. No
public API hands out a counter's address, so ``ratelimits.counter_args`` mirrors Flask-Limiter's
convention, Flask-Limiter is pinned to a minor version, and this test fails when an upgrade
addresses counters differently. Everything else used is public, and so is the storage
(``SweepingMemoryStorage``, a limits ``Storage`` subclass).
"""

from __future__ import annotations

import time

import pytest

from summit import ratelimits
from summit.auth.services import create_user, issue_token
from summit.events.services import create_event
from summit.extensions import db


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


def test_flask_limiter_counts_where_check_outside_flask_looks(app, client):
    from datetime import date

    event = create_event("limits", "Limits", date(2027, 3, 1))
    token = issue_token(create_user("lane@staff.test", "checkin", "correct horse battery",
                                    event_id=event.id), "lane")
    db.session.commit()
    limiter = app.extensions["summit_limiter"]
    storage = limiter.storage
    assert isinstance(storage, ratelimits.SweepingMemoryStorage)
    assert storage._counts == {}  # noqa: SLF001  (our own storage: nothing counted yet)

    response = client.get(f"/api/v1/events/{event.slug}/stats",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    # The one counter Flask-Limiter charged for the token is the one Summit computes.
    rule = next(r for r in ratelimits.RULES if r.name == "api_token")
    (item,) = ratelimits.parse_many(rule.limit)
    args = ratelimits.counter_args(app, rule, f"token:{ratelimits._digest(token)}")  # noqa: SLF001
    assert set(storage._counts) == {item.key_for(*args)}  # noqa: SLF001
    assert limiter.limiter.get_window_stats(item, *args).remaining == item.amount - 1

    # And the other way round: a charge made outside Flask shows in Flask's headers.
    check = ratelimits.check_outside_flask(app, "api.create_checkin", method="POST",
                                           ip="127.0.0.1", token=token)
    assert check is not None and check.charged
    again = client.get(f"/api/v1/events/{event.slug}/stats",
                       headers={"Authorization": f"Bearer {token}"})
    assert again.headers["X-RateLimit-Remaining"] == str(item.amount - 3)


def test_the_memory_storage_counts_in_fixed_windows_and_forgets_expired_counters():
    storage = ratelimits.SweepingMemoryStorage("summit-memory://")
    assert storage.incr("a", 60) == 1 and storage.incr("a", 60) == 2
    assert storage.get("a") == 2 and storage.get_expiry("a") > time.time() + 50
    assert storage.incr("b", 0.01) == 1
    time.sleep(0.02)
    assert storage.get("b") == 0 and storage.incr("b", 60) == 1  # a new window
    storage.incr("c", 0.01)
    time.sleep(0.02)
    storage._next_sweep = 0  # noqa: SLF001  (the once-a-second sweep, now)
    storage.incr("a", 60)
    assert "c" not in storage._counts  # noqa: SLF001  (swept: the storage stays small)
    storage.clear("a")
    assert storage.get("a") == 0 and storage.reset() == 1 and storage.check()


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "RATELIMIT_STORAGE_URI": "memory://",
                                         "RATELIMITS": {"live_post": "10 per minute;1 per hour"}}])
def test_a_device_refused_outside_flask_is_charged_nothing_there(app):
    """A device's limits are all tested before any is charged: a request handed to Flask (a
    limit reached) is counted there once, not also here for the limits it had not reached."""
    rule = next(r for r in ratelimits.RULES if r.name == "live_post")
    minute, hour = ratelimits.parse_many("10 per minute;1 per hour")
    args = ratelimits.counter_args(app, rule, f"device:{ratelimits._digest('d' * 22)}")  # noqa: SLF001
    strategy = app.extensions["summit_limiter"].limiter

    def check():
        return ratelimits.check_outside_flask(app, "live.vote", method="POST", ip="10.0.0.1",
                                              device="d" * 22)

    assert check() is not None
    assert strategy.get_window_stats(minute, *args).remaining == 9
    assert check() is None  # the hour's one is spent
    assert strategy.get_window_stats(minute, *args).remaining == 9
    assert strategy.get_window_stats(hour, *args).remaining == 0
    # Another phone behind the same address is not counted with it.
    assert ratelimits.check_outside_flask(app, "live.vote", method="POST", ip="10.0.0.1",
                                          device="e" * 22) is not None
