"""The phone's signed ETag: a change of what is shown invalidates it at once; new counts only
once the viewer's count window has turned; a forged or another room's ETag is never valid."""

from __future__ import annotations

from summit.live import polling
from summit.live.rules import PHONE_COUNTS_SECONDS

KW = {"secret": "k", "slug": "summit", "key": "b1"}


def test_phone_etag_rules():
    now = 1_000_000.0
    etag = polling.phone_etag(seq=3, tally=10, viewer="a7", now=now, **KW)
    assert polling.phone_etag_valid(etag, seq=3, tally=10, now=now, **KW)
    assert not polling.phone_etag_valid(etag, seq=4, tally=10, now=now, **KW)  # shown changed
    # New counts: still valid inside the viewer's window, not after it.
    later = [now + s for s in range(PHONE_COUNTS_SECONDS + 1)]
    valid = [polling.phone_etag_valid(etag, seq=3, tally=11, now=t, **KW) for t in later]
    assert valid[0] and not valid[-1] and valid == sorted(valid, reverse=True)
    assert not polling.phone_etag_valid(etag, seq=3, tally=10, now=now,
                                        **{**KW, "key": "b2"})
    assert not polling.phone_etag_valid(etag, seq=3, tally=10, now=now, **{**KW, "secret": "x"})
    assert not polling.phone_etag_valid('W/"lq-3-10-1-a7-0000000000000000"', seq=3, tally=10,
                                        now=now, **KW)
    assert not polling.phone_etag_valid("", seq=3, tally=10, now=now, **KW)


def test_count_windows_are_spread_over_viewers():
    now = 1_000_000.0
    turns = set()
    for viewer in range(200):
        etag = polling.phone_etag(seq=1, tally=1, viewer=f"a{viewer}", now=now, **KW)
        first_invalid = next(s for s in range(PHONE_COUNTS_SECONDS + 1)
                             if not polling.phone_etag_valid(etag, seq=1, tally=2,
                                                             now=now + s, **KW))
        turns.add(first_invalid)
    assert len(turns) > PHONE_COUNTS_SECONDS // 2  # not all in the same second
