"""Staff login, roles, API tokens; attendee personal links live in ``summit.access``."""
