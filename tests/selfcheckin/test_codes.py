"""Signing and the expiry window of entrance codes and arrival markers (time frozen by ``now``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from summit.selfcheckin import codes

SECRET = "test-secret"
T0 = datetime(2027, 3, 1, 14, 0, 0, tzinfo=UTC)  # a step boundary for 30 s steps


def check(code, now, event_id=7, window=60, secret=SECRET):
    return codes.check_entrance_code(secret, event_id, code, now, window).status


def test_code_is_step_and_mac_and_changes_every_half_window():
    code = codes.entrance_code(SECRET, 7, T0)
    step, mac = code.split(".")
    assert int(step) == int(T0.timestamp()) // 30
    assert len(mac) == 20
    assert codes.entrance_code(SECRET, 7, T0 + timedelta(seconds=29.9)) == code
    assert codes.entrance_code(SECRET, 7, T0 + timedelta(seconds=30)) != code
    assert codes.seconds_left(T0 + timedelta(seconds=12)) == pytest.approx(18)


def test_accepted_in_its_own_step_and_the_next_then_expired():
    code = codes.entrance_code(SECRET, 7, T0)
    assert check(code, T0) == codes.VALID
    assert check(code, T0 + timedelta(seconds=59)) == codes.VALID  # previous step: accepted
    assert check(code, T0 + timedelta(seconds=60)) == codes.EXPIRED
    assert check(code, T0 + timedelta(days=3)) == codes.EXPIRED
    # A photo taken the moment the code appeared stops working within one window.
    shown_last = T0 + timedelta(seconds=29)
    assert check(code, shown_last + timedelta(seconds=31)) == codes.EXPIRED


def test_window_is_configurable():
    code = codes.entrance_code(SECRET, 7, T0, window_seconds=20)
    assert check(code, T0 + timedelta(seconds=19), window=20) == codes.VALID
    assert check(code, T0 + timedelta(seconds=20), window=20) == codes.EXPIRED
    # Too small a window is raised to the minimum (10 s: a code shows for 5 s).
    assert codes.step_seconds(1) == codes.MIN_WINDOW_SECONDS / 2


def test_forged_other_event_other_secret_future_and_malformed_are_invalid():
    code = codes.entrance_code(SECRET, 7, T0)
    step, mac = code.split(".")
    assert check(code, T0, event_id=8) == codes.INVALID
    assert check(code, T0, secret="another-secret") == codes.INVALID
    # Moving a valid signature to a later step does not make a new code.
    assert check(f"{int(step) + 1}.{mac}", T0 + timedelta(seconds=30)) == codes.INVALID
    future = codes.entrance_code(SECRET, 7, T0 + timedelta(minutes=5))
    assert check(future, T0) == codes.INVALID
    flipped = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    for bad in ("", "abc", f"{step}.{flipped}", f"{step}.{mac}x", f"-1.{mac}", f"{step}:{mac}"):
        assert check(bad, T0) == codes.INVALID
    assert not codes.check_entrance_code(SECRET, 7, "nope", T0).ok


def test_naive_time_is_refused():
    with pytest.raises(ValueError):
        codes.entrance_code(SECRET, 7, datetime(2027, 3, 1, 14, 0))


def test_mac_covers_event_purpose_and_index():
    base = codes.mac(SECRET, 1, codes.ENTRANCE, 100)
    assert base != codes.mac(SECRET, 2, codes.ENTRANCE, 100)
    assert base != codes.mac(SECRET, 1, codes.ARRIVE, 100)
    assert base != codes.mac(SECRET, 1, codes.ENTRANCE, 101)
    assert base == codes.mac(SECRET.encode(), 1, codes.ENTRANCE, 100)


def test_arrival_marker_grace_fingerprint_and_tampering():
    marker = codes.arrival_marker(SECRET, 7, 42, "fp1", T0)
    assert codes.parse_arrival_attendee(marker) == 42

    def verify(m=marker, fp="fp1", now=T0 + timedelta(minutes=5), event_id=7):
        return codes.check_arrival_marker(SECRET, event_id, m, fp, now, 1800)

    assert verify().status == codes.VALID and verify().attendee_id == 42
    assert verify(now=T0 + timedelta(seconds=1800)).status == codes.VALID
    assert verify(now=T0 + timedelta(seconds=1801)).status == codes.EXPIRED
    assert verify(fp="fp2").status == codes.INVALID  # personal link renewed: revoked
    assert verify(event_id=8).status == codes.INVALID
    assert verify(now=T0 - timedelta(minutes=1)).status == codes.INVALID
    _, issued, mac = marker.split(".")
    assert verify(m=f"43.{issued}.{mac}").status == codes.INVALID  # someone else
    assert verify(m=f"42.{int(issued) + 600}.{mac}").status == codes.INVALID  # extended
    assert verify(m="42.x.y").status == codes.INVALID
    assert codes.parse_arrival_attendee("garbage") is None
