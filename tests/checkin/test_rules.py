"""The one check-in decision, stated with plain values (no app, no database)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from summit.checkin import rules
from summit.checkin.rules import AMBER, GREEN, Facts, Person, Prior, decide

EVENT = 1
ADA = Person(id=10, event_id=EVENT, status="registered")


@pytest.mark.parametrize("facts, outcome, record", [
    (Facts(EVENT, ADA), GREEN, True),
    (Facts(EVENT, None), "unknown", False),
    (Facts(EVENT, Person(10, 2, "registered")), "wrong_event", False),
    (Facts(EVENT, Person(10, EVENT, "cancelled")), "cancelled", False),
    (Facts(EVENT, Person(10, EVENT, "waitlisted")), "waitlisted", False),
    (Facts(EVENT, ADA, existing=Prior(5, 10, None)), AMBER, False),
    # Another scan, with its own nonce, of someone already in: amber.
    (Facts(EVENT, ADA, nonce="b", existing=Prior(5, 10, "a")), AMBER, False),
])
def test_green_amber_red(facts, outcome, record):
    decision = decide(facts)
    assert (decision.outcome, decision.record, decision.replay) == (outcome, record, False)
    assert decision.colour == {"checked_in": "green", "already_checked_in": "amber"}.get(
        outcome, "red")


@pytest.mark.parametrize("facts", [
    # The retry of a scan whose answer was lost: its nonce made the check-in.
    Facts(EVENT, ADA, nonce="a", existing=Prior(5, 10, "a")),
    Facts(EVENT, ADA, nonce="a", by_nonce=Prior(5, 10, "a"), existing=Prior(5, 10, "a")),
    # ... even when the registration was cancelled or the code replaced since.
    Facts(EVENT, Person(10, EVENT, "cancelled"), nonce="a", by_nonce=Prior(5, 10, "a")),
    Facts(EVENT, None, nonce="a", by_nonce=Prior(5, 10, "a")),
    # The same nonce sent with another badge: the nonce's first answer, about Ada.
    Facts(EVENT, Person(11, EVENT, "registered"), nonce="a", by_nonce=Prior(5, 10, "a")),
])
def test_a_replayed_nonce_gets_its_first_answer(facts):
    decision = decide(facts)
    assert (decision.outcome, decision.record, decision.replay) == (GREEN, False, True)
    assert decision.prior == Prior(5, 10, "a")


def test_the_rule_on_who_may_check_in_is_the_decisions():
    assert rules.refusal("registered") is None
    assert [rules.refusal(s) for s in ("cancelled", "waitlisted")] == ["cancelled", "waitlisted"]


def test_the_decision_imports_neither_flask_nor_the_database():
    source = Path(rules.__file__).read_text()
    imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in (node.names if isinstance(node, ast.Import)
                              else [ast.alias(node.module or "")])}
    assert imported <= {"__future__", "dataclasses"}, imported
