"""Profile API check-ins in-process: SQL statements per check-in and where the CPU goes.

    python bench/checkin/profile_api.py [--n 400] [--backend sqlite|postgresql] [--top 30]
                                        [--flask]

Creates a throw-away database (a temporary SQLite file, or a fresh PostgreSQL database on
127.0.0.1:5432 that is dropped afterwards), seeds one event with ``--n`` attendees and an API
token, then posts one check-in per attendee through Flask's test client under cProfile: the
first request through Flask (it warms the token and list caches), the rest through the check-in
fast path (``summit/api/fastpath.py``), as a scanner's requests go; ``--flask`` turns the fast
path off, so every request runs Flask's whole pipeline. Every SQL statement of one typical
check-in is printed, so regressions in the statement count are easy to spot.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from bench._common import bench_database  # noqa: E402


class GcPauses:
    """Sums the garbage collector's pauses, per generation, while the block runs."""

    def __init__(self):
        self.total = 0.0
        self.counts = [0, 0, 0]
        self._started = 0.0

    def _callback(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._started
            self.counts[info["generation"]] += 1

    def by_generation(self) -> str:
        return ", ".join(f"gen{g}: {n}" for g, n in enumerate(self.counts))

    def __enter__(self):
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self._callback)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--dump", help="also write the raw profile to this file (pstats)")
    parser.add_argument("--flask", action="store_true",
                        help="every request through Flask (API_FAST_PATH off)")
    args = parser.parse_args()

    from run import setup_summit  # bench/checkin/run.py

    from summit import create_app
    from summit.extensions import db

    with tempfile.TemporaryDirectory(prefix="summit-profile-") as tmp:
        work = Path(tmp)
        with bench_database(args.backend, work, "profile") as url:
            codes_file = work / "codes.txt"
            token = setup_summit(url, args.n + 1, codes_file)
            codes = codes_file.read_text().split()
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                              "INSTANCE_PATH": str(work / "instance"),
                              "JOBS_EMBEDDED_WORKER": False,
                              # as run.py: one token posts --n check-ins in seconds, and every
                              # one must be a real check-in, not a 429 (the limiter still runs)
                              "RATELIMITS": "api_token=1000000 per minute",
                              "API_FAST_PATH": not args.flask})
            client = app.test_client()
            gc.collect()
            gc.freeze()  # as wsgi.py does after building the app
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            path = "/api/v1/events/bench/checkins"
            statements: list[str] = []
            with app.app_context():
                engine = db.engine

            @sa.event.listens_for(engine, "before_cursor_execute")
            def _count(conn, cursor, statement, parameters, context, executemany):
                statements.append(" ".join(statement.split())[:160])

            # Warm up (first-request work, token cache), then one check-in with its statements.
            assert client.post(path, data=json.dumps({"code": codes[-1]}),
                               headers=headers).status_code == 201
            statements.clear()
            response = client.post(path, data=json.dumps({"code": codes[0]}), headers=headers)
            assert response.status_code == 201, response.get_data(as_text=True)
            print(f"SQL statements for one check-in ({args.backend}): {len(statements)}")
            for line in statements:
                print("   ", line)
            statements.clear()

            # Plain timing first (no profiler): half the codes, with the garbage collector's
            # pauses summed apart (cProfile charges them to whatever function was running).
            half = args.n // 2
            pauses = GcPauses()
            started, cpu = time.perf_counter(), time.process_time()
            with pauses:
                statuses = [client.post(path, data=json.dumps({"code": code}),
                                        headers=headers).status_code for code in codes[1:half]]
            assert set(statuses) == {201}, f"not every answer was a check-in: {set(statuses)}"
            plain = half - 1
            print(f"{plain} check-ins without profiler: "
                  f"{1000 * (time.perf_counter() - started) / plain:.2f} ms wall, "
                  f"{1000 * (time.process_time() - cpu) / plain:.2f} ms CPU per request, "
                  f"of which garbage collection {1000 * pauses.total / plain:.3f} ms "
                  f"({pauses.by_generation()})")
            statements.clear()
            profiler = cProfile.Profile()
            started = time.perf_counter()
            cpu = time.process_time()
            profiler.enable()
            answers = [client.post(path, data=json.dumps({"code": code}), headers=headers)
                       for code in codes[half:args.n]]
            profiler.disable()
            assert all(a.status_code == 201 for a in answers), "not every answer was a check-in"
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu
            done = args.n - half
            print(f"\n{done} check-ins: {1000 * wall / done:.2f} ms wall, "
                  f"{1000 * cpu / done:.2f} ms CPU per request (under cProfile), "
                  f"{len(statements) / done:.1f} statements each; load average "
                  f"{os.getloadavg()[0]:.1f}")
            if args.dump:
                profiler.dump_stats(args.dump)
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(args.top)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


if __name__ == "__main__":
    main()
