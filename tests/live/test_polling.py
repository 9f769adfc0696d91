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


def test_the_etag_names_language_and_results_and_they_cannot_be_forged():
    now = 1_000_000.0
    etag = polling.phone_etag(seq=3, tally=10, viewer="a7", lang="fr", results=True, now=now,
                              **KW)
    tag = polling.read_phone_etag(etag, **KW)
    assert (tag.seq, tag.tally, tag.viewer, tag.lang, tag.results) == (3, 10, "a7", "fr", True)
    forged = etag.replace("-fr1-", "-en1-")
    assert forged != etag and polling.read_phone_etag(forged, **KW) is None
    no_results = polling.phone_etag(seq=3, tally=10, viewer="a7", now=now, **KW)
    assert polling.read_phone_etag(no_results.replace("-en0-", "-en1-"), **KW) is None


def test_phone_state_current_counts_or_stale():
    now = 1_000_000.0
    tag = polling.read_phone_etag(polling.phone_etag(seq=3, tally=10, viewer="a7", now=now,
                                                     **KW), **KW)
    assert polling.phone_state(tag, seq=3, tally=10, now=now) == polling.CURRENT
    assert polling.phone_state(tag, seq=3, tally=11, now=now) == polling.CURRENT  # window
    turned = now + PHONE_COUNTS_SECONDS
    assert polling.phone_state(tag, seq=3, tally=11, now=turned) == polling.COUNTS
    assert polling.phone_state(tag, seq=3, tally=10, now=turned) == polling.CURRENT
    assert polling.phone_state(tag, seq=4, tally=10, now=now) == polling.STALE
    assert polling.phone_state(None, seq=3, tally=10, now=now) == polling.STALE


def test_phones_poll_less_often_in_a_keynote():
    from summit.live.rules import phone_poll_seconds

    assert [phone_poll_seconds(n) for n in (0, 40, 300, 900, 901, 1500, 3000, 50_000)] == [
        3, 3, 3, 3, 4, 5, 10, 10]
