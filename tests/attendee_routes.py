"""Walk every attendee route of the app (from its URL map, so routes added later are walked
too) with every candidate value for each path argument.

A test names, per argument (``plan_id``, ``key``, ...), the values worth trying: typically the
ids of someone else's objects. A route with an argument the test gave no values for fails the
walk, so a new route cannot slip past unnoticed.
"""

from __future__ import annotations

import io
import itertools

# Candidate values for the live rooms' parameters: rooms, questions and polls nobody has.
LIVE_ROOMS = {"room_key": ["s999999", "b999999"], "question_id": [999_999],
              "live_question_id": [999_999], "poll_id": [999_999]}


def attendee_rules(app, method: str) -> list:
    rules = []
    for rule in app.url_map.iter_rules():
        access = getattr(app.view_functions.get(rule.endpoint), "access", None)
        if access is not None and access.kind == "attendee" and method in rule.methods:
            rules.append(rule)
    return sorted(rules, key=lambda r: r.rule)


def urls(app, slug: str, candidates: dict[str, list], method: str = "GET"):
    """``(endpoint, url)`` for every attendee route accepting ``method`` and every combination
    of candidate values."""
    for rule in attendee_rules(app, method):
        names = [n for n in rule.arguments if n != "slug"]
        missing = [n for n in names if not candidates.get(n)]
        assert not missing, f"{rule.rule}: give the walk candidate values for {missing}"
        for combination in itertools.product(*(candidates[n] for n in names)):
            values = dict(zip(names, combination, strict=True), slug=slug)
            yield rule.endpoint, rule.build(values, append_unknown=False)[1]


def readable(response) -> str:
    """What a person could read in an answer: the text, or the text of a PDF."""
    if response.mimetype == "application/pdf" and response.status_code == 200:
        from pypdf import PdfReader

        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    return response.get_data(as_text=True)


def leaks(text: str, markers: list[str]) -> list[str]:
    return [m for m in markers if m and m in text]
