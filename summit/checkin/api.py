"""Check-in's declared interface: what other capabilities (self check-in, room doors, breakouts,
homerooms, the JSON API) may use. Nothing else of ``summit.checkin`` is imported from outside.

- record arrival: ``check_in`` (the Flask views' way, in the request's transaction) and
  ``check_in_alone`` (in a transaction of its own, straight on the driver: the API), both the
  one ``record_scan`` with the one decision (``summit.checkin.rules``); the outcomes ``GREEN``,
  ``AMBER``, ``RED_OUTCOMES``, and ``refusal(status)``, the rule on who may check in at all;
- lists: ``entrance_list``, ``session_list`` (a session's list, deleted with the session),
  ``ListRef``;
- who arrived: ``checked_in_ids``, ``checked_in_at_entrance`` (a SELECT for ``IN``/``NOT IN``),
  ``entrance_checkin``, ``entrance_count``, ``attendee_ids_on``, ``attendance_by_session``,
  ``live_stats``, ``arrivals`` (erased attendees' tallies included), ``arrival_times``,
  ``entrance_list_ids``, ``door_scans`` (who was scanned at which session's door);
- a lost badge: ``regenerate_code`` (the old QR code stops working);
- what a scan shows: ``ScanDetail`` and ``add_scan_detail`` (homerooms adds the table today).

Check-in sends ``summit.signals.checked_in`` for every new check-in; listen to that rather than
calling in here to learn that someone arrived.
"""

from summit.checkin.details import ScanDetail, add_scan_detail
from summit.checkin.rules import AMBER, GREEN, RED_OUTCOMES, refusal
from summit.checkin.services import (
    NONCE_MAX,
    CheckinError,
    CheckinResult,
    ListRef,
    arrival_times,
    arrivals,
    attendance_by_session,
    attendee_ids_on,
    check_in,
    check_in_alone,
    checked_in_at_entrance,
    checked_in_ids,
    door_scans,
    entrance_checkin,
    entrance_count,
    entrance_list,
    entrance_list_ids,
    live_stats,
    regenerate_code,
    session_list,
)

__all__ = [
    "AMBER", "GREEN", "NONCE_MAX", "RED_OUTCOMES", "CheckinError", "CheckinResult", "ListRef",
    "ScanDetail", "add_scan_detail", "arrival_times", "arrivals", "attendance_by_session",
    "attendee_ids_on", "check_in", "check_in_alone", "checked_in_at_entrance", "checked_in_ids",
    "door_scans",
    "entrance_checkin", "entrance_count", "entrance_list", "entrance_list_ids", "live_stats",
    "refusal", "regenerate_code", "session_list",
]
