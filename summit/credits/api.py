"""What other parts use of learning credit: the bound on a scan time uploaded later
(``parse_scanned_at``, ``ScanTimeError``: the JSON API checks ``scanned_at`` with it)."""

from summit.credits.rules import ScanTimeError, parse_scanned_at

__all__ = ["ScanTimeError", "parse_scanned_at"]
