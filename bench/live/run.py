"""Live announcements: what do 300 open pages polling the banner cost the server?

Starts gunicorn (2 gthread workers, loopback only) on a fresh SQLite database with one event and
300 signed-in attendees, then runs 300 simulated pages, each polling the banner every 3 s as
the browser does (``If-None-Match`` with the last ETag). Measures the CPU time of the gunicorn
processes (psutil) in each phase, side by side:

1. idle server, no pages open (background: the embedded job worker);
2. 300 pages, nothing new (every poll is a 304) — the goal: under 10% of one core;
3. 300 pages right after a new announcement (each page gets one 200, then 304s again);
4. reference: 300 pages polling the same fragment *without* ETags (every poll renders).

Usage: ``python bench/live/run.py [--pages 300] [--seconds 30]``; writes
``docs/benchmarks-live.md``. Everything stays on 127.0.0.1 and ends on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    CpuMeter,
    free_port,
    stop_server,
    wait_http,
    write_report,
)


def setup(db_url: str, instance: Path, pages: int) -> tuple[str, list[str]]:
    os.environ.update(DATABASE_URL=db_url, SECRET_KEY="bench", INSTANCE_PATH=str(instance))
    from summit import create_app
    from summit.events.services import create_event
    from summit.extensions import db
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    app = create_app({"INSTANCE_PATH": str(instance), "JOBS_EMBEDDED_WORKER": False})
    with app.app_context():
        db.create_all()
        event = create_event("bench", "Bench Summit", date(2027, 3, 1), days=2)
        db.session.flush()
        org = find_or_create_organization("Knox County Schools", "TN")
        people = [Attendee(event_id=event.id, organization=org, first_name=f"P{i}",
                           last_name="Bench", email=f"p{i}@example.org", status="registered")
                  for i in range(pages)]
        db.session.add_all(people)
        db.session.commit()
        return event.slug, [p.personal_secret for p in people]


def post_announcement(db_url: str, instance: Path, text: str) -> None:
    from summit import create_app
    from summit.events.models import Event
    from summit.extensions import db
    from summit.messages import live

    app = create_app({"INSTANCE_PATH": str(instance), "JOBS_EMBEDDED_WORKER": False})
    with app.app_context():
        event = db.session.query(Event).filter_by(slug="bench").one()
        live.post(event, text, level="urgent")
        db.session.commit()
        db.session.remove()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict, bytes]:
    header_blob = await reader.readuntil(b"\r\n\r\n")
    lines = header_blob[:-4].decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    parsed: dict[str, list[str]] = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        parsed.setdefault(k.strip().lower(), []).append(v.strip())
    length = int(parsed.get("content-length", ["0"])[0])
    body = await reader.readexactly(length) if length and status != 304 else b""
    return status, parsed, body


class Connection:
    """One HTTP/1.1 connection kept alive between requests, as a browser tab keeps it.

    If the server closed it while idle (its keep-alive ran out), the request is sent again on a
    new connection, as a browser does; ``reconnects`` counts those."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reconnects = 0

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict, bytes]:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode()
        for attempt in (1, 2):
            fresh = self.writer is None
            if fresh:
                await self._open()
                if attempt == 2:
                    self.reconnects += 1
            try:
                self.writer.write(request)
                await self.writer.drain()
                status, parsed, body = await _read_response(self.reader)
            except (OSError, asyncio.IncompleteReadError):
                self.close()
                if fresh:
                    raise
                continue
            if "close" in ",".join(parsed.get("connection", [])).lower():
                self.close()
            return status, parsed, body
        raise OSError("connection closed twice")


async def http_get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict, bytes]:
    """One request on a connection of its own (sign-in)."""
    conn = Connection(port)
    try:
        return await conn.get(path, {**headers, "Connection": "close"})
    finally:
        conn.close()


async def sign_in(port: int, secret: str) -> str:
    status, headers, _ = await http_get(port, f"/me/{secret}", {})
    cookies = [c.split(";", 1)[0] for c in headers.get("set-cookie", [])]
    return "; ".join(cookies)


class Page:
    def __init__(self, cookie: str, port: int):
        self.cookie = cookie
        self.etag = ""
        self.connection = Connection(port)
        self.next_poll: float | None = None  # keeps its 3 s rhythm from one phase to the next


async def poll_pages(port, slug, pages, seconds, use_etag, stats):
    stop = time.monotonic() + seconds

    async def one(page: Page):
        if page.next_poll is None:
            page.next_poll = time.monotonic() + random.uniform(0, 3)
        while page.next_poll < stop:
            await asyncio.sleep(max(0.0, page.next_poll - time.monotonic()))
            page.next_poll += 3  # htmx's "every 3s": a steady rhythm, whatever the answer
            headers = {"Cookie": page.cookie, "HX-Request": "true"}
            if use_etag and page.etag:
                headers["If-None-Match"] = page.etag
            started = time.monotonic()
            try:
                status, resp_headers, _ = await page.connection.get(f"/e/{slug}/live/banner",
                                                                    headers)
            except OSError:
                stats["errors"] += 1
                status, resp_headers = 0, {}
            stats["latency"].append(time.monotonic() - started)
            stats[status] = stats.get(status, 0) + 1
            if status == 200 and use_etag:
                page.etag = resp_headers.get("etag", [""])[0]

    reconnects = sum(p.connection.reconnects for p in pages)
    await asyncio.gather(*(one(p) for p in pages))
    stats["reconnects"] = sum(p.connection.reconnects for p in pages) - reconnects


async def measure(meter: CpuMeter, coro_factory) -> float:
    """The server's CPU while ``coro_factory()`` runs, in % of one core."""
    meter.reset()
    wall = time.monotonic()
    await coro_factory()
    meter.sample()
    return meter.used() / (time.monotonic() - wall) * 100


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    pages_n = min(args.pages, 1000)
    seconds = min(args.seconds, 120)

    tmp = Path(tempfile.mkdtemp(prefix="summit-bench-live-"))
    db_url = f"sqlite:///{tmp / 'bench.db'}"
    slug, secrets = setup(db_url, tmp / "instance", pages_n)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "bench",
           "JOBS_EMBEDDED_WORKER": "1", "BASE_URL": f"http://127.0.0.1:{port}"}
    # The production settings (gunicorn.conf.py: gthread, keep-alive 5 s), sized for the bench.
    env.update(WEB_CONCURRENCY=str(args.workers), GUNICORN_THREADS="8",
               BIND=f"127.0.0.1:{port}")
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--log-level", "warning",
         "wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    # Sampled every 0.5 s: a worker replaced during a phase keeps its last figure.
    meter = CpuMeter(gunicorn.pid, interval=0.5)
    meter.start()
    results = {}
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", 60, gunicorn)

        async def run():
            sem = asyncio.Semaphore(20)

            async def signed(secret):
                async with sem:
                    return Page(await sign_in(port, secret), port)

            pages = await asyncio.gather(*(signed(s) for s in secrets))
            await asyncio.sleep(2)

            async def idle():
                await asyncio.sleep(min(10, seconds))

            results["idle server"] = (await measure(meter, idle), {})

            # Every page loads once (and so holds its ETag) before the measurement starts.
            await poll_pages(port, slug, pages, 3.5, True, {"latency": [], "errors": 0})
            stats = {"latency": [], "errors": 0}
            results[f"{pages_n} pages, nothing new (ETag/304)"] = (
                await measure(meter, lambda: poll_pages(port, slug, pages, seconds, True, stats)),
                stats)

            # Posted from a thread while the pages go on polling (its CPU is not the server's).
            stats = {"latency": [], "errors": 0}

            async def announce_and_poll():
                await asyncio.gather(
                    asyncio.to_thread(post_announcement, db_url, tmp / "instance",
                                      "Lunch moved to Hall B"),
                    poll_pages(port, slug, pages, 9, True, stats))

            results[f"{pages_n} pages, new announcement (first 9 s)"] = (
                await measure(meter, announce_and_poll),
                stats)

            stats = {"latency": [], "errors": 0}
            results[f"reference: {pages_n} pages without ETag (always 200)"] = (
                await measure(meter, lambda: poll_pages(port, slug, pages, seconds, False,
                                                        stats)), stats)

        asyncio.run(run())
    finally:
        meter.stop()
        stop_server(gunicorn, wait=15)

    lines = [
        "# Benchmark: live announcement polling",
        "",
        f"`python bench/live/run.py --pages {pages_n} --seconds {seconds}`: gunicorn with "
        f"`gunicorn.conf.py` ({args.workers} gthread workers × 8 threads, keep-alive 5 s), "
        "SQLite, loopback; each page polls `/e/<slug>/live/banner` every 3 s (random start) "
        "on its own kept-alive connection, as a browser tab does. CPU = user + system time of "
        "all gunicorn processes, sampled every 0.5 s, / wall time (100% = one core). "
        f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}.",
        "",
        "| Phase | Server CPU (% of one core) | Responses | p50 / p95 latency |",
        "|---|---:|---|---|",
    ]
    for name, (cpu, stats) in results.items():
        lat = sorted(stats.get("latency", []))
        codes = ", ".join(f"{k}: {v}" for k, v in stats.items()
                          if isinstance(k, int)) or "—"
        if stats.get("errors"):
            codes += f", errors: {stats['errors']}"
        if stats.get("reconnects"):
            codes += f", reconnects: {stats['reconnects']}"
        latency = (f"{statistics.median(lat) * 1000:.1f} / {lat[int(len(lat) * .95)] * 1000:.1f}"
                   " ms") if lat else "—"
        lines.append(f"| {name} | {cpu:.1f}% | {codes} | {latency} |")
    goal = results[f"{pages_n} pages, nothing new (ETag/304)"][0]
    lines += ["", f"Goal: idle polling from {pages_n} pages under 10% of one core: "
              f"**{'met' if goal < 10 else 'NOT met'}** ({goal:.1f}%)."]
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "docs" / "benchmarks-live.md"
    write_report(out, text, "### Reading the figures")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
