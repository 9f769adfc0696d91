"""Rebuild docs/benchmarks.md: its own summary (everything above the marker line) followed by
the report each benchmark script wrote (docs/benchmarks-*.md), headings moved one level down.

    python bench/collect_docs.py

Run it after a benchmark has rewritten its report, then update the summary table by hand.
"""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
SUMMARY = DOCS / "benchmarks.md"
REPORTS = ("homerooms", "badges", "checkin", "live", "livepolls", "morning", "credits")
MARKER = "The sections below are each benchmark's own report, as its script wrote it."


def collect() -> str:
    head = SUMMARY.read_text().split(MARKER, 1)[0] + MARKER + "\n"
    parts = [head]
    for name in REPORTS:
        lines = (DOCS / f"benchmarks-{name}.md").read_text().strip("\n").splitlines()
        if lines and lines[0].startswith("# "):
            lines[0] = "#" + lines[0]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


if __name__ == "__main__":
    SUMMARY.write_text(collect())
    print(f"wrote {SUMMARY.relative_to(DOCS.parent)}")
