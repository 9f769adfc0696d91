"""docs/architecture.md stays true: every domain signal it draws exists and every one in the code
is drawn, with who sends it and who listens as the code really does."""

from __future__ import annotations

import re
import weakref
from pathlib import Path

from summit import signals

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text()


def _signal_table() -> dict[str, tuple[set[str], set[str]]]:
    """``{signal: (senders, listeners)}`` from the "Signals" table (capability names)."""
    section = DOC.split("## Signals", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\|\s*`(\w+)`\s*\|([^|]*)\|([^|]*)\|", line)
        if match:
            name, sent, heard = match.groups()
            rows[name] = (set(re.findall(r"`(\w+)`", sent)), set(re.findall(r"`(\w+)`", heard)))
    return rows


def _capability(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else parts[-1]


def _senders(name: str) -> set[str]:
    """The parts of the package whose source sends ``signals.<name>``."""
    found = set()
    for path in (ROOT / "summit").rglob("*.py"):
        if path.name == "signals.py" and path.parent.name == "summit":
            continue  # where the signals are defined (its docstring shows a send)
        if re.search(rf"\bsignals\.{name}\.send\(", path.read_text()):
            rel = path.relative_to(ROOT).with_suffix("")
            found.add(_capability(".".join(rel.parts)))
    return found


def test_every_signal_is_documented_and_every_documented_signal_exists():
    table = _signal_table()
    assert set(table) == set(signals.all_signals())


def test_the_documented_senders_are_the_code_s(app):
    for name, (senders, _) in _signal_table().items():
        assert senders == _senders(name), name


def test_the_documented_listeners_are_connected_in_init_app(app):
    """``app`` has run every init_app: the receivers connected are the ones drawn."""
    for name, (_, listeners) in _signal_table().items():
        signal = signals.all_signals()[name]
        receivers = (ref() if isinstance(ref, weakref.ref) else ref
                     for ref in signal.receivers.values())
        connected = {_capability(receiver.__module__) for receiver in receivers
                     if receiver is not None and receiver.__module__.startswith("summit.")}
        assert connected == listeners, name


def test_the_diagram_draws_every_signal_and_capability():
    from summit import CAPABILITIES

    diagram = DOC.split("```mermaid", 1)[1].split("```", 1)[0]
    for name in signals.all_signals():
        assert name in diagram, name
    for capability in CAPABILITIES:
        assert capability.__name__.split(".")[-1] in diagram, capability.__name__
