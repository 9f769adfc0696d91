"""The WSGI fast paths are installed in one place (``create_app``), by name, and keep bounded
caches. What each repeats of its view is tested beside the view (see each class's docstring)."""

from __future__ import annotations

from summit.api.fastpath import CheckinFastPath
from summit.live.fastpath import LiveVoteFastPath
from summit.live.polling import LiveRoomFastPath
from summit.messages.live import LiveFastPath


def test_create_app_installs_each_fast_path_once_by_name(app):
    installed = app.extensions["summit_fast_paths"]
    assert set(installed) == {"checkin-api", "live-banner", "live-room", "live-vote"}
    chain, layer = [], app.wsgi_app
    while hasattr(layer, "wsgi_app") or hasattr(layer, "app"):
        chain.append(type(layer))
        layer = getattr(layer, "wsgi_app", None) or layer.app
        if not callable(layer) or layer is app:
            break
    # Checked in order: the check-in API's, the votes', the live rooms', the banner's, all
    # before Flask.
    ours = (CheckinFastPath, LiveVoteFastPath, LiveRoomFastPath, LiveFastPath)
    assert [c for c in chain if c in ours] == list(ours)
    assert isinstance(installed["checkin-api"], CheckinFastPath)
    assert isinstance(installed["live-banner"], LiveFastPath)
    assert isinstance(installed["live-room"], LiveRoomFastPath)
    assert isinstance(installed["live-vote"], LiveVoteFastPath)


def test_the_banner_fast_path_keeps_a_bounded_cache(app, client):
    fast = app.extensions["summit_fast_paths"]["live-banner"]
    fast._seq_cache.maxsize = 16  # noqa: SLF001  (the bound, made small to reach it)
    for number in range(50):  # any slug can be asked for: unknown ones are cached too
        client.get(f"/e/nowhere-{number}/live/banner", headers={"If-None-Match": 'W/"x"'})
    assert 0 < len(fast._seq_cache._data) <= 16  # noqa: SLF001


def test_the_live_room_fast_path_keeps_a_bounded_cache(app, client):
    """Only a validly signed ETag makes the fast path read (and keep) a room's counters: a
    forged one goes to Flask and leaves nothing; signed ones for many rooms stay bounded."""
    from summit.live.polling import phone_etag

    fast = app.extensions["summit_fast_paths"]["live-room"]
    fast._cache.maxsize = 16  # noqa: SLF001  (the bound, made small to reach it)
    for number in range(50):
        client.get(f"/e/nowhere/qa/s{number + 1}/live", headers={"If-None-Match": 'W/"x"'})
    assert len(fast._cache._data) == 0  # noqa: SLF001
    for number in range(50):
        etag = phone_etag(secret=app.config["SECRET_KEY"], slug="nowhere",
                          key=f"s{number + 1}", seq=0, tally=0, viewer="a1")
        client.get(f"/e/nowhere/qa/s{number + 1}/live", headers={"If-None-Match": etag})
    assert 0 < len(fast._cache._data) <= 16  # noqa: SLF001
