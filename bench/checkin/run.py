"""Check-in API benchmark: latency and throughput against gunicorn (2 workers), SQLite and
PostgreSQL, side by side with a floor (a minimal Flask endpoint doing one raw-SQL insert) and
with Summit's own Flask path (the check-in fast path turned off).

    python bench/checkin/run.py [--duration 10] [--attendees 20000] [--backends sqlite,postgresql]

- throughput: wrk (2 threads, 8 connections, a Lua script posting a different code each time);
- latency at a fixed 100 scans/s: a paced asyncio client (open loop, what the target is judged
  on) and locust, headless, 50 users x constant_throughput(2), for comparison.
Loopback only; every server and load tool is started and stopped by this script. Results go to
docs/benchmarks-checkin.md (and raw output to bench/results/checkin/).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    CpuMeter,
    bench_database,
    free_port,
    stop_server,
    wait_http,
    write_report,
)

RESULTS = ROOT / "bench" / "results" / "checkin"
DOC = ROOT / "docs" / "benchmarks-checkin.md"
PY = sys.executable


class Server:
    def __init__(self, app_spec: str, env: dict, probe: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            # Same plain set-up for both (sync workers, no access log): no ./gunicorn.conf.py.
            [PY, "-m", "gunicorn", "-c", "/dev/null", "-w", "2", "-b",
             f"127.0.0.1:{self.port}", "--preload", "--no-control-socket", "--log-level",
             "warning", app_spec],
            cwd=HERE if "floor_app" in app_spec else ROOT, env={**os.environ, **env},
            start_new_session=True)
        wait_http(self.url + probe)
        self.cpu = CpuMeter(self.proc.pid)  # sampled on demand: reset() and sample()

    def stop(self) -> None:
        stop_server(self.proc, signal.SIGINT, wait=10)


def setup_summit(url: str, attendees: int, codes_file: Path) -> str:
    from summit import create_app
    from summit.auth.services import create_user, issue_token
    from summit.codes import new_code, new_personal_secret
    from summit.events.services import create_event
    from summit.extensions import db
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "INSTANCE_PATH": str(codes_file.parent / "instance")})
    with app.app_context():
        db.create_all()
        event = create_event("bench", "Bench Summit", date(2027, 3, 1))
        user = create_user("lane@bench.test", "checkin", "x" * 12, event_id=event.id)
        token = issue_token(user, "bench")
        orgs = [find_or_create_organization(f"District {i}", "TN").id for i in range(40)]
        rows = [{"event_id": event.id, "organization_id": orgs[i % 40], "first_name": f"P{i}",
                 "last_name": "Bench", "email": f"p{i}@bench.test", "checkin_code": new_code(),
                 "personal_secret": new_personal_secret(), "status": "registered"}
                for i in range(attendees)]
        db.session.execute(sa.insert(Attendee), rows)
        db.session.commit()
        codes_file.write_text("\n".join(r["checkin_code"] for r in rows) + "\n")
        db.session.remove()
        db.engine.dispose()
    return token


def reset_checkins(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM checkins")
        conn.execute(sa.text("DELETE FROM audit_log WHERE action LIKE 'checkin.%'"))
        if url.startswith("sqlite"):
            conn.exec_driver_sql("DELETE FROM floor_scans")
        else:
            conn.exec_driver_sql("TRUNCATE floor_scans")
    engine.dispose()


def setup_floor(url: str) -> None:
    engine = sa.create_engine(url)
    serial = ("INTEGER PRIMARY KEY AUTOINCREMENT" if url.startswith("sqlite")
              else "SERIAL PRIMARY KEY")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS floor_scans (id {serial}, "
                             "code VARCHAR(64) NOT NULL, at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)")
    engine.dispose()


def run_wrk(url: str, path: str, codes: Path, token: str, duration: int, tag: str) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{duration}s", "--latency", "--timeout", "5s",
         "-s", str(HERE / "scan.lua"), url, "--", str(codes), token or "-", path],
        capture_output=True, text=True, timeout=duration + 60)
    (RESULTS / f"{tag}-wrk.txt").write_text(out.stdout + out.stderr)
    text = out.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))

    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", text, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: (.*)", text)
    return {"rps": rps, "p50": pct(50), "p99": pct(99),
            "non2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def run_locust(url: str, path: str, codes: Path, token: str, duration: int, tag: str) -> dict:
    prefix = RESULTS / f"{tag}-locust"
    env = {**os.environ, "BENCH_CODES": str(codes), "BENCH_PATH": path, "BENCH_TOKEN": token}
    subprocess.run(
        [PY, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "-u", "50",
         "-r", "50", "-t", f"{duration}s", "--host", url, "--csv", str(prefix),
         "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"],
        env=env, capture_output=True, text=True, timeout=duration + 90)
    with open(f"{prefix}_stats.csv") as fh:
        row = next(r for r in csv.DictReader(fh) if r["Name"] == "checkin")
    return {"rps": float(row["Requests/s"]), "count": int(row["Request Count"]),
            "failures": int(row["Failure Count"]), "p50": float(row["50%"]),
            "p95": float(row["95%"]), "p99": float(row["99%"])}


async def _paced(port: int, path: str, token: str, codes: list[str], rate: float,
                 duration: float) -> tuple[list[float], int]:
    """Open loop: one check-in every 1/rate s whatever the answers, each on its own connection
    (sync gunicorn workers close after each answer); returns latencies (s) and errors."""
    import asyncio
    import json

    latencies: list[float] = []
    errors = 0

    async def one(code: str) -> None:
        nonlocal errors
        body = json.dumps({"code": code}).encode()
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n"
                          f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
                         + body)
            await writer.drain()
            data = await reader.read()
            writer.close()
            status = int(data.split(b" ", 2)[1])
        except (OSError, ValueError, IndexError):
            status = 0
        if 200 <= status < 300:
            latencies.append(time.perf_counter() - started)
        else:
            errors += 1

    tasks = []
    start = time.perf_counter()
    for i in range(int(rate * duration)):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(codes[i % len(codes)])))
    await asyncio.gather(*tasks)
    return latencies, errors


def run_paced(url: str, path: str, codes: Path, token: str, duration: int, rate: float = 100.0
              ) -> dict:
    """Latency at a fixed rate measured by a small asyncio client (about 2 % of a core at
    100/s), because locust on the same two cores adds tens of ms to the floor itself."""
    import asyncio
    import random

    port = int(url.rsplit(":", 1)[1])
    pool = codes.read_text().split()
    random.Random(7).shuffle(pool)
    latencies, errors = asyncio.run(_paced(port, path, token, pool, rate, duration))
    ordered = sorted(latencies) or [0.0]

    def pct(q: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"count": len(latencies), "failures": errors, "p50": pct(0.5), "p95": pct(0.95),
            "p99": pct(0.99)}


def bench_backend(backend: str, args, work: Path) -> dict:
    results = {}
    with bench_database(backend, work, "bench") as url:
        codes = work / f"{backend}-codes.txt"
        token = setup_summit(url, args.attendees, codes)
        setup_floor(url)
        summit_env = {
            "DATABASE_URL": url, "SECRET_KEY": "bench", "JOBS_EMBEDDED_WORKER": "0",
            "BASE_URL": "http://127.0.0.1", "LOG_FORMAT": "text",
            # One token scans thousands a second here; the limiter still runs every check.
            "RATELIMITS": "api_token=1000000 per minute"}
        targets = [
            ("floor", "floor_app:app", {"FLOOR_DATABASE_URL": url}, "/scan", "/scan"),
            ("summit", "wsgi:app", summit_env, "/login", "/api/v1/events/bench/checkins"),
            # The same app with its check-in fast path off: every request through Flask.
            ("summit-flask", "wsgi:app", {**summit_env, "API_FAST_PATH": "0"}, "/login",
             "/api/v1/events/bench/checkins"),
        ]
        for name, spec, env, probe, path in targets:
            reset_checkins(url)
            server = Server(spec, env, probe)
            try:
                tag = f"{backend}-{name}"
                print(f"[{tag}] throughput (wrk, {args.duration}s)…", flush=True)
                server.cpu.reset()
                results[(name, "wrk")] = run_wrk(server.url, path, codes, token,
                                                 args.duration, tag)
                server.cpu.sample()
                used = server.cpu.used()
                done = results[(name, "wrk")]["rps"] * args.duration
                results[(name, "wrk")]["cpu_ms"] = 1000 * used / done if done else 0.0
                results[(name, "wrk")]["load"] = os.getloadavg()[0]
                reset_checkins(url)
                print(f"[{tag}] latency at 100 scans/s (locust, {args.duration + 5}s)…",
                      flush=True)
                results[(name, "locust")] = run_locust(server.url, path, codes, token,
                                                       args.duration + 5, tag)
                reset_checkins(url)
                print(f"[{tag}] latency at 100 scans/s (paced asyncio client, "
                      f"{args.duration + 5}s)…", flush=True)
                results[(name, "paced")] = run_paced(server.url, path, codes, token,
                                                     args.duration + 5)
            finally:
                server.stop()
    return results


def report(all_results: dict, args) -> str:
    lines = [
        "# Check-in API benchmark",
        "",
        f"Run with `python bench/checkin/run.py --duration {args.duration} --attendees "
        f"{args.attendees}` on {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}; gunicorn, 2 sync workers, loopback.",
        "",
        "- **Throughput**: wrk, 2 threads, 8 connections, each request a different code.",
        "- **Latency at 100 scans/s**, two ways: *paced*, a small asyncio client sending one "
        "check-in every 10 ms whatever the answers (open loop, a new connection each, as sync "
        "workers close them), which is what the target is judged on; and *locust*, 50 users × "
        "2 requests/s. Locust runs on the same two cores and adds its own tens of ms, to the "
        "floor as much as to Summit.",
        "- **Floor**: a minimal Flask app in the same gunicorn set-up doing one raw-SQL insert "
        "per request (`bench/checkin/floor_app.py`). Reference measured earlier on this kind of "
        "machine: ~2,300 scans/s, p99 6 ms on SQLite.",
        "- **Summit**: `POST /api/v1/events/<slug>/checkins` with a bearer token: token and role "
        "check, rate limit, code lookup, idempotent insert, audit entry, `change_seq` bump, JSON "
        "answer. A warm scanner's check-ins are served by the fast path "
        "(`summit/api/fastpath.py`), before Flask runs. **summit-flask** is the same app with "
        "`API_FAST_PATH=0`: every check-in through Flask's request pipeline, for comparison.",
        "",
        "- **CPU per check-in**: CPU time (user + system) of the gunicorn master and workers "
        "during the wrk phase divided by the requests served (psutil). Unlike wall-clock "
        "figures it hardly depends on what else the machine runs, so it is the fairest "
        "comparison on a shared machine.",
        "",
        "| database | endpoint | wrk scans/s | CPU ms/scan | wrk p50 ms | wrk p99 ms | "
        "paced 100/s p50 / p95 / p99 ms | locust 100/s p50 / p95 / p99 ms | errors | load avg |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    verdicts = []
    for backend, res in all_results.items():
        for name in ("floor", "summit", "summit-flask"):
            if (name, "wrk") not in res:
                continue
            w, lo, pa = res[(name, "wrk")], res[(name, "locust")], res[(name, "paced")]
            lines.append(
                f"| {backend} | {name} | {w['rps']:,.0f} | {w['cpu_ms']:.2f} | {w['p50']:.1f} | "
                f"{w['p99']:.1f} | {pa['p50']:.1f} / {pa['p95']:.1f} / {pa['p99']:.1f} | "
                f"{lo['p50']:.0f} / {lo['p95']:.0f} / {lo['p99']:.0f} | "
                f"{w['non2xx'] + lo['failures'] + pa['failures']} | {w['load']:.1f} |")
        s_w, f_w, s_l = res[("summit", "wrk")], res[("floor", "wrk")], res[("summit", "paced")]
        ratio = s_w["rps"] / f_w["rps"] if f_w["rps"] else 0
        cpu_ratio = f_w["cpu_ms"] / s_w["cpu_ms"] if s_w["cpu_ms"] else 0
        verdicts.append(
            f"- {backend}: p95 at 100 scans/s (paced) = {s_l['p95']:.1f} ms (target ≤ 10 ms: "
            f"{'met' if s_l['p95'] <= 10 else 'missed'}); throughput = {ratio:.0%} of the floor "
            f"(target ≥ 50 %: {'met' if ratio >= 0.5 else 'missed'}); by CPU per check-in, "
            f"Summit costs {s_w['cpu_ms']:.2f} ms against the floor's {f_w['cpu_ms']:.2f} ms, "
            f"i.e. a CPU-bound server would reach {cpu_ratio:.0%} of the floor's throughput.")
    lines += ["", "## Against the targets", "", *verdicts, ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--attendees", type=int, default=20000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/ alone")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    all_results = {}
    with tempfile.TemporaryDirectory(prefix="summit-bench-") as tmp:
        for backend in args.backends.split(","):
            all_results[backend] = bench_backend(backend, args, Path(tmp))
    text = report(all_results, args)
    print(text)
    if not args.no_doc:
        write_report(DOC, text, "## Conditions and honest reading")


if __name__ == "__main__":
    main()
