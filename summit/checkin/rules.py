"""The check-in decision: green, amber or red, from the facts. No Flask, no database.

Every way in (the desk, the ``/c/<code>`` link, the kiosk, the API and its fast path, self
check-in, room doors) reads the facts and writes through ``services.record_scan``, which asks
``decide`` and does what it says. So there is one rule, and a test can state it with plain
values (``tests/checkin/test_rules.py``).

- **Red**: nobody has this code (``unknown``); the code is another event's (``wrong_event``);
  the registration is not a place (``cancelled``, ``waitlisted``).
- **Amber** (``already_checked_in``): the person is on this list already.
- **Green** (``checked_in``): record the check-in. Green is a decision to write; the database's
  unique constraints have the last word, and when the write finds a check-in stored meanwhile
  (another desk was first), the facts are read again and decided again.
- **A replayed nonce** (an idempotency key of its list): the nonce already made a check-in on
  this list, so the answer is the one its first request got: green, for that check-in, and
  nothing is written. A scanner that never heard its answer (a worker killed after the commit,
  Wi-Fi lost) and retries is told "checked in", not "already checked in", and the person is
  counted once. A nonce whose first scan stored nothing (a red or amber answer) made no record;
  its retry is decided again, from the facts as they are then.
"""

from __future__ import annotations

from dataclasses import dataclass

GREEN = "checked_in"
AMBER = "already_checked_in"
UNKNOWN = "unknown"
WRONG_EVENT = "wrong_event"
RED_OUTCOMES = (UNKNOWN, "cancelled", "waitlisted", WRONG_EVENT)


@dataclass(frozen=True)
class Person:
    """The scanned attendee, as far as the rule cares."""

    id: int
    event_id: int
    status: str


@dataclass(frozen=True)
class Prior:
    """A check-in already stored on the list."""

    id: int
    attendee_id: int
    nonce: str | None


@dataclass(frozen=True)
class Facts:
    list_event_id: int
    person: Person | None  # None: no registration has the scanned code
    nonce: str | None = None
    by_nonce: Prior | None = None  # the check-in this nonce made on this list
    existing: Prior | None = None  # the person's check-in on this list


@dataclass(frozen=True)
class Decision:
    outcome: str
    record: bool = False  # write a new check-in for the person
    replay: bool = False  # the first answer to this nonce, given again
    prior: Prior | None = None  # the stored check-in the answer is about

    @property
    def colour(self) -> str:
        return colour_of(self.outcome)


def colour_of(outcome: str) -> str:
    if outcome == GREEN:
        return "green"
    return "amber" if outcome == AMBER else "red"


def refusal(status: str) -> str | None:
    """Why a registration in ``status`` cannot check in (``None``: it can)."""
    return None if status == "registered" else status


def decide(facts: Facts) -> Decision:
    """Green, amber or red for one scan; see the module docstring."""
    replayed = facts.by_nonce
    if replayed is None and facts.nonce is not None and facts.existing is not None \
            and facts.existing.nonce == facts.nonce:
        replayed = facts.existing
    if replayed is not None:
        return Decision(GREEN, replay=True, prior=replayed)
    person = facts.person
    if person is None:
        return Decision(UNKNOWN)
    if person.event_id != facts.list_event_id:
        return Decision(WRONG_EVENT)
    refused = refusal(person.status)
    if refused is not None:
        return Decision(refused)
    if facts.existing is not None:
        return Decision(AMBER, prior=facts.existing)
    return Decision(GREEN, record=True)
