"""Check-in: codes, lists and check-ins."""
