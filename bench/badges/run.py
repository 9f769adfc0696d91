"""Badge rendering benchmark: N badges on Avery 5392, fast path vs the naive reference.

    .venv/bin/python bench/badges/run.py [--count 2000] [--processes N] [--write]

Each variant runs in a fresh subprocess; peak memory is the highest sum of RSS
over that process and its children (sampled with psutil every 20 ms), cross-
checked with getrusage maxrss (self + largest child).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

VARIANTS = ("naive", "fast-cold", "fast-warm")


def make_badges(count: int) -> list:
    from summit.badges.render import BadgeData

    ribbons = [None, None, None, "Speaker", "Facilitator", "Staff", "Organizer"]
    return [
        BadgeData(
            first_name=["Jordan", "Maximiliana-Konstantina", "Zoë", "山田", "Li"][i % 5] + str(i),
            last_name=["Rivera", "Oyelaran-Featherstonehaugh", "O'Connor-Ñúñez", "太郎"][i % 4],
            organization=[
                "Springfield Unified School District",
                "Consolidated Independent School District of Greater Northeastern "
                "Metropolitan Counties",
                "東京都教育委員会",
            ][i % 3],
            state=["Illinois", "Île-de-France", "Ontario"][i % 3],
            role=["Principal", "Superintendent", "Teacher Leader"][i % 3],
            checkin_url=f"https://summit.example.org/c/abcdefghjkmnpqrstuvwxyz{i:010d}",
            homeroom=f"Table {i % 40 + 1}",
            ribbon=ribbons[i % len(ribbons)],
            attendee_id=i,
        )
        for i in range(count)
    ]


class PeakRSS:
    """Samples the summed RSS of this process and all its descendants, and the CPU time of
    each descendant (the pool's workers are children of the forkserver, not of this process,
    so ``RUSAGE_CHILDREN`` never sees them)."""

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self.proc = psutil.Process()
        self.peak = 0
        self.child_cpu: dict[tuple[int, float], float] = {}
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        import psutil

        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error), p.oneshot():
                total += p.memory_info().rss
                if p.pid != self.proc.pid:
                    t = p.cpu_times()
                    self.child_cpu[(p.pid, p.create_time())] = t.user + t.system
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()


def naive_render(badges: list, event: object) -> bytes:
    """The reference: one document, QR codes made the usual way (auto mask, box_size 10)."""
    import qrcode

    from summit.badges import render as R

    class NaiveRenderer(R.BadgeRenderer):
        def badge_context(self, badge):  # type: ignore[no-untyped-def]
            context = super().badge_context(badge)
            out = io.BytesIO()
            qrcode.make(badge.checkin_url).save(out)
            context["qr"] = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
            return context

    return NaiveRenderer("avery-5392").render(badges, event)


def run_one(variant: str, count: int, processes: int | None, out: Path | None) -> dict:
    from summit.badges.render import BadgeEvent, get_pool, render_badges, shutdown_pool

    badges = make_badges(count)
    event = BadgeEvent("Education Leadership Summit 2026")
    with PeakRSS() as peak:
        if variant == "fast-warm":
            get_pool(processes)
            render_badges(badges[:240], event, processes=processes)  # warm workers
        start = time.perf_counter()
        if variant == "naive":
            pdf = naive_render(badges, event)
        else:
            pdf = render_badges(badges, event, processes=processes)
        wall = time.perf_counter() - start
        shutdown_pool()
    if out:
        out.write_bytes(pdf)
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "variant": variant, "count": count, "wall": wall, "ms_per_badge": wall / count * 1000,
        # CPU of the whole variant: this process, the forkserver and every pool worker
        # (sampled every 20 ms until they exit), start-up and warm-up included.
        "cpu": own.ru_utime + own.ru_stime + sum(peak.child_cpu.values()),
        "peak_rss": peak.peak, "maxrss_self_plus_child": self_rss + child_rss,
        "bytes": len(pdf),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=None)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks-badges.md")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help="save each PDF next to this path prefix")
    args = parser.parse_args()

    if args.one:
        out = Path(f"{args.out}-{args.one}.pdf") if args.out else None
        print(json.dumps(run_one(args.one, args.count, args.processes, out)))
        return

    rows = []
    load_start = os.getloadavg()[0]
    for variant in args.variants.split(","):
        cmd = [sys.executable, __file__, "--one", variant, "--count", str(args.count)]
        if args.processes:
            cmd += ["--processes", str(args.processes)]
        if args.out:
            cmd += ["--out", str(args.out)]
        result = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
        rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
        print(f"{variant}: {rows[-1]['wall']:.2f} s", file=sys.stderr)

    load = os.getloadavg()
    load_before = rows and load_start
    lines = [
        f"{args.count} badges, Avery 5392 (6 per Letter page), "
        f"{args.processes or os.cpu_count()} worker process(es), {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, 1-min load average {load_before:.1f} before, "
        f"{load[0]:.1f} after (2 CPUs: anything above 2 means other jobs competed).",
        "",
        "| variant | wall (s) | ms / badge | peak RSS, all processes (MiB) "
        "| maxrss self + child (MiB) | PDF size (MB) | CPU s, all processes, whole run "
        "| CPU ms / badge |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "naive": "naive reference: 1 process, 1 document, qrcode auto-mask PNGs",
        "fast-cold": "`render_badges` (pool start-up included)",
        "fast-warm": "`render_badges` (warm pool)",
    }
    for r in rows:
        lines.append(
            f"| {labels.get(r['variant'], r['variant'])} | {r['wall']:.2f} "
            f"| {r['ms_per_badge']:.1f} | {r['peak_rss'] / 2**20:.0f} "
            f"| {r['maxrss_self_plus_child'] / 2**20:.0f} | {r['bytes'] / 1e6:.2f} "
            f"| {r['cpu']:.1f} | {r['cpu'] / r['count'] * 1000:.1f} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.write:
        doc = ROOT / "docs" / "benchmarks-badges.md"
        text = doc.read_text() if doc.exists() else ""
        marker = "<!-- bench-results -->"
        if marker in text:
            head, _, rest = text.partition(marker)
            tail = rest.partition("<!-- /bench-results -->")[2]
            text = f"{head}{marker}\n{table}\n<!-- /bench-results -->{tail}"
        else:
            text += f"\n{marker}\n{table}\n<!-- /bench-results -->\n"
        doc.parent.mkdir(exist_ok=True)
        doc.write_text(text)


if __name__ == "__main__":
    main()
