"""Certificate rendering benchmark: N certificates, the fast path vs a naive reference.

    .venv/bin/python bench/credits/run.py [--count 3000] [--naive-count N] [--processes N]
                                          [--write]

- fast: ``summit.credits.render.render_certificates``: the stationery laid out once per worker
  and drawn as one form XObject under every page, one WeasyPrint document per chunk of
  certificates, a PNG QR code per page, chunks in badges' pool of worker processes, the parts
  joined with PDFium (what the batch job and ``flask credits certificates`` run);
- naive: one WeasyPrint document per certificate with an SVG QR code and WeasyPrint's default
  URL fetcher, then concatenated (what one would write first).

Both run in this one process, one after the other, on the same certificates. The naive
reference runs on ``--naive-count`` certificates (all of them by default); its time for the
full count is then the measured time scaled up, and says so. The output is checked: one page
per certificate, and the QR codes of a sample of pages decode to their verification address.

The machine is shared, so wall time depends on what else runs. The fast path's CPU time (this
process, plus the pool's forkserver and workers, read from /proc before the pool stops) does
not: CPU ms per certificate, and the wall time it projects on idle cores (the workers' CPU
spread over the workers, plus this process's own CPU), are reported beside the load average.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

LIMIT_SECONDS = 30.0
NOTES_MARKER = "<!-- notes -->"


def make_pages(count: int):
    from summit.credits.render import CertificatePage

    activities = (
        ("2027-03-01", "Opening keynote: leading schools through AI", "1.5"),
        ("2027-03-01", "AI policy drafting for district leaders", "1.25"),
        ("2027-03-02", "Homeroom time", "1"),
        ("2027-03-02", "Leadership Action Planning Workshop", "1.5"),
        ("2027-03-02", "Data privacy for leaders", "1"),
    )
    names = ["Jordan Rivera", "Maximiliana-Konstantina Oyelaran-Featherstonehaugh",
             "Zoë O'Connor-Ñúñez", "Li Wei", "Renée Côté"]
    orgs = ["Springfield Unified School District", "Seattle Public Schools",
            "Consolidated Independent School District of Greater Northeastern Counties"]
    return [CertificatePage(
        name=f"{names[i % len(names)]} {i}", organization=orgs[i % len(orgs)],
        total_hours="6", code=f"abcde-fghjk-mnpqr-{i:05d}",
        verify_url=f"https://summit.example.org/verify/abcdefghjkmnpqr{i:05d}",
        activities=activities[: 3 + i % 3]) for i in range(count)]


def make_event():
    from summit.credits.render import CertificateEvent

    return CertificateEvent(
        name="AI in Education Leadership Summit", dates="2027-03-01 – 2027-03-02",
        venue="Music City Center, Nashville", credit_name="Clock hours",
        provider="Puget Sound Educational Service District", activity_number="PSESD-2027-0412",
        signer_name="Dr. Renée Walker", signer_title="Director of Professional Learning",
        signature_png=None, labels={
            "title": "Certificate of professional learning", "certifies": "This certifies that",
            "earned": "took part and earned", "date": "Date", "activity": "Activity",
            "hours": "Hours", "verify": "Check this certificate: scan the code.",
            "provider": "Provider", "activity_number": "Activity number"})


def descendants_cpu() -> float:
    """CPU seconds (user + system) of every live descendant of this process, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    mine, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, (ppid, _cpu) in stats.items() if ppid in frontier} - mine
        mine |= frontier
    return sum(stats[pid][1] for pid in mine)


def check(pdf: bytes, pages, sample: int = 5) -> None:
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        assert len(document) == len(pages), (len(document), len(pages))
        step = max(1, len(pages) // sample)
        for i in range(0, len(pages), step):
            image = document[i].render(scale=150 / 72).to_pil()
            texts = [r.text for r in zxingcpp.read_barcodes(image)]
            assert texts == [pages[i].verify_url], (i, texts)
    finally:
        document.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--naive-count", type=int, default=None)
    parser.add_argument("--processes", type=int, default=None)
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks-credits.md")
    args = parser.parse_args()
    from summit.credits.render import naive_render, render_certificates

    pages, event = make_pages(args.count), make_event()
    load_before = os.getloadavg()
    naive_count = min(args.naive_count or args.count, args.count)
    processes = args.processes or os.cpu_count() or 1

    from summit.badges.render import shutdown_pool

    started, self_cpu = time.perf_counter(), time.process_time()
    children_cpu = descendants_cpu()
    fast_pdf = render_certificates(pages, event, processes=processes)
    fast = time.perf_counter() - started
    self_cpu = time.process_time() - self_cpu
    children_cpu = descendants_cpu() - children_cpu
    load_during = os.getloadavg()
    shutdown_pool()
    cpu = self_cpu + children_cpu
    projected = children_cpu / processes + self_cpu
    check(fast_pdf, pages)

    started = time.perf_counter()
    naive_pdf = naive_render(pages[:naive_count], event)
    naive_measured = time.perf_counter() - started
    check(naive_pdf, pages[:naive_count])
    naive = naive_measured * args.count / naive_count

    lines = [
        "# Certificates (learning credit)",
        "",
        f"`bench/credits/run.py --count {args.count}"
        + (f" --naive-count {naive_count}" if naive_count != args.count else "")
        + "`, both in one run on this machine "
        f"({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}), "
        f"fast path with {processes} worker process(es); 1-minute load average "
        f"{load_before[0]:.2f} before the run, {load_during[0]:.2f} after the fast path, "
        f"{os.getloadavg()[0]:.2f} at the end (above {os.cpu_count()}: other work competed "
        "for the cores).",
        "",
        "| variant | certificates | seconds | ms per certificate | PDF size |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| fast (chunks, PNG QR, process pool) | {args.count} | {fast:.1f} | "
        f"{1000 * fast / args.count:.1f} | {len(fast_pdf) / 1048576:.1f} MB |",
        f"| naive (one document each, SVG QR) | {naive_count} | {naive_measured:.1f} | "
        f"{1000 * naive_measured / naive_count:.1f} | {len(naive_pdf) / 1048576:.1f} MB |",
        "",
        f"Fast path CPU, whatever the load: {cpu:.1f} s ({1000 * cpu / args.count:.1f} ms per "
        f"certificate: {children_cpu:.1f} s in the pool's processes, {self_cpu:.1f} s in this "
        f"one); on {processes} idle cores that is about {projected:.1f} s of wall time "
        f"({'within' if projected <= LIMIT_SECONDS else 'OVER'} the target).",
        "",
        f"Fast path: {args.count} certificates in {fast:.1f} s "
        f"({'within' if fast <= LIMIT_SECONDS else 'OVER'} the {LIMIT_SECONDS:.0f} s target); "
        f"the naive reference would take {naive:.1f} s for {args.count}"
        + (" (scaled from its measured sample)" if naive_count != args.count else "")
        + f", {naive / fast:.1f}× longer. Every page count and a sample of QR codes were "
          "checked (decoded from the rasterized PDF).",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.write:
        # The notes written by hand below the marker stay.
        target = ROOT / "docs" / "benchmarks-credits.md"
        notes = target.read_text().partition(NOTES_MARKER)[2] if target.exists() else ""
        target.write_text(report + (f"\n{NOTES_MARKER}{notes}" if notes else ""))
    if fast > LIMIT_SECONDS:
        sys.exit(1)


if __name__ == "__main__":
    main()
