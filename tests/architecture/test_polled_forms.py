"""A click inside a polled fragment is never dropped.

A fragment that polls itself (``hx-trigger="every …"``) declares ``hx-sync="this:drop"`` so
that polls do not pile up. htmx passes ``hx-sync`` down to the elements inside it, so a form
inside that posts with htmx would be dropped too, silently, whenever a poll happens to be in
flight (every second on the moderator's page, longer on venue Wi-Fi). Each such form declares
its own ``hx-sync="closest …:replace"``: the click aborts the poll and wins."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
POLLED = re.compile(r'hx-trigger="every [^"]*"[^>]*hx-sync="this:drop"', re.S)
ACTION = re.compile(r"<(form|button|a)\b[^>]*\bhx-(post|put|delete|patch)=[^>]*>", re.S)


def test_forms_inside_polled_fragments_replace_the_poll():
    checked, missing = 0, []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if not POLLED.search(text):
            continue
        for tag in ACTION.finditer(text):
            checked += 1
            if not re.search(r'hx-sync="closest [^"]+:replace"', tag.group(0)):
                missing.append(f"{path.relative_to(TEMPLATES)}: {tag.group(0)[:80]}")
    assert checked >= 3  # the moderator's queue, the breakout list and the agenda
    assert not missing, missing
