"""Summit morning under load: 8:00-8:45 of a 3,000-attendee summit, compressed, replayed by
locust against gunicorn on PostgreSQL and then on SQLite, side by side.

    python bench/morning/run.py [--minutes 20] [--attendees 3000] [--workers 4]
                                [--backends postgresql,sqlite] [--no-doc]

For each database the script builds a fresh summit (PostgreSQL: a new database on
127.0.0.1:5432, dropped afterwards; SQLite: a file in a temporary directory):

- 3,000 registered attendees from a skewed roster (``summit.homerooms.roster``: a big host
  district and a long tail), seated at 375 homeroom tables of 8 by the seating engine
  (``summit.homerooms.services``);
- 40 breakout rooms and sessions in two morning slots (``summit.breakouts.services``),
  25-60 seats each, so the popular ones fill up and waitlist;
- the default action-plan worksheet and a plan for every attendee who will write in it;
- 30 organizer accounts (the dashboards) and 10 check-in lanes, each with an API token.

It then starts gunicorn with the repository's ``gunicorn.conf.py`` (``--workers`` processes of
4 threads; loopback only) and replays the morning, compressed so the *peak rates stay real*:

- 3,000 check-ins through the JSON API (bearer tokens), rising to and holding 10 per second;
- every attendee opening their personal link -> My summit -> their agenda;
- 1,500 breakout sign-ups at 5 per second (1,500 in the 5 minutes after sign-up opens);
- 30 organizer dashboards polling live counts every 2 s, as the page does (``If-None-Match``/ETag);
- 300 attendees writing their action plans: 6 autosaves each, 3-9 s apart.

Rate limits stay on (in memory per worker, the default): every limit on these paths counts per
token, per staff user or failures only, so one load-generator IP is not throttled.

Reported per database: p50/p95/p99 per endpoint (locust), error rate, server CPU (psutil over
the gunicorn master and workers, and over PostgreSQL's backends for the run's database), load
average; and, after the run, three checks against the database: no session has more people
enrolled than seats, every acknowledged check-in (201/200) has its row, every acknowledged
autosave is stored with the acknowledged text and version. Results go to
docs/benchmarks-morning.md (raw output under bench/results/morning/).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    PG_ADMIN,
    CpuMeter,
    bench_database,
    free_port,
    stop_server,
    wait_http,
    write_report,
)

RESULTS = ROOT / "bench" / "results" / "morning"
DOC = ROOT / "docs" / "benchmarks-morning.md"
# Seconds between two autosaves of one writer (drawn uniformly; see make_plan).
SAVE_PAUSE_S = (3, 9)
PY = sys.executable
TZ = "America/Chicago"
PASSWORD = "morning-bench-pass"


# --- the summit ------------------------------------------------------------------------------


def build_summit(url: str, args, work: Path) -> dict:
    """Create the summit on ``url``; returns what the load plan needs (codes, secrets, ids)."""
    from summit import create_app
    from summit.auth.services import create_user, issue_token
    from summit.breakouts import services as breakouts
    from summit.codes import new_code, new_personal_secret
    from summit.events.services import create_event
    from summit.extensions import db
    from summit.homerooms import services as homerooms
    from summit.homerooms.roster import skewed_roster
    from summit.plans import services as plans
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    rng = random.Random(845)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "INSTANCE_PATH": str(work / "instance"), "JOBS_EMBEDDED_WORKER": False,
                      "HOMEROOMS_TIME_LIMIT": 15.0})
    out: dict = {}
    with app.app_context():
        db.create_all()
        today = datetime.now(ZoneInfo(TZ)).date()  # "today" is day 1: agenda and homeroom
        event = create_event("morning", "Summit Morning Bench", today, days=1,
                             timezone=TZ, venue="Convention Center")
        roster = skewed_roster(args.attendees, host_size=args.attendees * 3 // 20, seed=845)
        orgs: dict[tuple[str, str], int] = {}
        rows = []
        for i, person in enumerate(roster):
            key = (person.district, person.state)
            if key not in orgs:
                orgs[key] = find_or_create_organization(*key).id
            rows.append({
                "event_id": event.id, "organization_id": orgs[key], "first_name": f"Pat{i}",
                "last_name": "Morning", "email": f"a{i}@morning.test", "role": "Principal",
                "status": "registered", "checkin_code": new_code(),
                "personal_secret": new_personal_secret(), "source": "import",
                "accessibility": "Wheelchair user" if i % 40 == 0 else "",
            })
        db.session.execute(sa.insert(Attendee), rows)
        db.session.commit()
        ids = dict(db.session.execute(sa.select(Attendee.checkin_code, Attendee.id)).all())
        out["attendees"] = [{"id": ids[r["checkin_code"]], "code": r["checkin_code"],
                             "secret": r["personal_secret"]} for r in rows]

        # Homerooms: 375 tables of 8, everyone seated for the day by the engine.
        homerooms.create_tables(event, math.ceil(args.attendees / 8), 8, location="Hall B",
                                accessible_every=5)
        db.session.commit()
        started = time.perf_counter()
        homerooms.assign(event, days=1)
        out["seating_seconds"] = round(time.perf_counter() - started, 1)

        # Breakouts: 40 rooms and sessions in two slots, 25-60 seats.
        slots = [breakouts.save_slot(event, 1, dtime(10, 0), dtime(11, 0), "Breakouts A"),
                 breakouts.save_slot(event, 1, dtime(11, 15), dtime(12, 15), "Breakouts B")]
        sessions = []
        for n in range(args.sessions):
            room = breakouts.save_room(event, f"Room {n + 1:02d}", rng.randint(25, 60), True)
            slot = slots[n % 2]
            session = breakouts.save_session(event, breakouts.SessionData(
                title=f"AI guidance workshop {n + 1}", room_id=room.id, slot_id=slot.id,
                tags=["policy" if n % 3 else "classroom"]))
            sessions.append({"id": session.id, "slot": n % 2, "capacity": room.capacity})
        out["sessions"] = sessions

        # Action plans: the default worksheet; a plan for each future writer.
        template = plans.template_for(event)
        question = next(q for s in plans.live_sections(template) for q in s.questions
                        if q.kind == "text")
        writers = rng.sample(range(args.attendees), args.planners)
        by_id = {a.id: a for a in db.session.scalars(sa.select(Attendee))}
        out["plans"] = {str(i): plans.plan_for(by_id[out["attendees"][i]["id"]]).id
                        for i in writers}
        out["question"] = question.id

        # Staff: organizers (dashboards) and check-in lanes with API tokens.
        out["organizers"] = []
        for n in range(args.dashboards):
            create_user(f"organizer{n}@morning.test", "organizer", PASSWORD, event_id=event.id)
            out["organizers"].append({"email": f"organizer{n}@morning.test",
                                      "password": PASSWORD})
        out["tokens"] = []
        for n in range(args.lanes):
            lane = create_user(f"lane{n}@morning.test", "checkin", PASSWORD, event_id=event.id)
            out["tokens"].append(issue_token(lane, f"Lane {n + 1}"))
        db.session.commit()
        out["slug"] = event.slug
        db.session.remove()
        db.engine.dispose()
    return out


# --- the timetable ---------------------------------------------------------------------------


def trapezoid_times(n: int, start: float, span: float, peak: float, rng) -> list[float]:
    """``n`` times in ``[start, start + span]`` whose rate rises linearly to ``peak`` per
    second, holds, and falls again (symmetric ramps)."""
    ramp = span - n / peak
    if ramp < 0:
        raise SystemExit(f"{n} arrivals at most {peak}/s need {n / peak:.0f} s; "
                         "give the run more --minutes")
    plateau = span - 2 * ramp
    area = peak * (ramp + plateau)

    def inverse(u: float) -> float:
        x = u * area
        first = peak * ramp / 2
        if x <= first:
            return math.sqrt(2 * x * ramp / peak) if ramp else 0.0
        if x <= first + peak * plateau:
            return ramp + (x - first) / peak
        rest = area - x
        return span - (math.sqrt(2 * rest * ramp / peak) if ramp else 0.0)

    return [start + inverse(rng.random()) for _ in range(n)]


def make_plan(summit: dict, args, base_url: str) -> dict:
    rng = random.Random(2027)
    duration = int(args.minutes * 60)
    people = summit["attendees"]
    actions: list[dict] = []
    # Check-ins: everyone, at up to 10/s, rising and falling over the whole run.
    for i, at in enumerate(trapezoid_times(len(people), 5, duration - 20, args.peak, rng)):
        who = people[i]
        actions.append({"kind": "checkin", "at": at, "code": f"{base_url}/c/{who['code']}",
                        "token": summit["tokens"][i % len(summit["tokens"])],
                        "nonce": uuid.uuid4().hex[:16]})
    # Breakout sign-ups: opens at 30 s, 1,500 people over the next 5 minutes (or less).
    window = min(300, duration - 50)
    signup_people = rng.sample(range(len(people)), min(args.signups, len(people)))
    first_action: dict[int, float] = {}
    weights = [1 / (k + 1) ** 0.8 for k in range(len(summit["sessions"]) // 2)]
    by_slot = [[s for s in summit["sessions"] if s["slot"] == k] for k in (0, 1)]
    for who in signup_people:
        at = 30 + rng.random() * window
        slot = by_slot[rng.randrange(2)]
        session = rng.choices(slot, weights=weights[:len(slot)])[0]
        actions.append({"kind": "signup", "at": at, "who": who, "session": session["id"],
                        "secret": people[who]["secret"]})
        first_action[who] = at
    # Action plans: writers start somewhere in the morning and save after pauses of 3-9 s (typing
    # is irregular; a fixed 5 s pause also met gunicorn's 5 s keep-alive exactly, so saves went
    # out on connections being closed under them, which only the load generator fails on).
    for key, plan_id in summit["plans"].items():
        who = int(key)
        at = 20 + rng.random() * max(duration - 60 - args.saves * SAVE_PAUSE_S[1], 1)
        actions.append({"kind": "plan", "at": at, "who": who, "plan": plan_id,
                        "question": summit["question"], "saves": args.saves,
                        "pauses": [round(rng.uniform(*SAVE_PAUSE_S), 2)
                                   for _ in range(args.saves)],
                        "secret": people[who]["secret"]})
        first_action[who] = min(first_action.get(who, at), at)
    # Every attendee opens their link (before anything else they do on their phone).
    for who, person in enumerate(people):
        latest = first_action.get(who, duration - 20) - 3
        actions.append({"kind": "open", "at": rng.random() * max(latest, 1), "who": who,
                        "secret": person["secret"]})
    return {"slug": summit["slug"], "duration": duration, "grace": 90, "actions": actions,
            "dashboards": args.dashboards, "organizers": summit["organizers"]}


# --- the server and its CPU -------------------------------------------------------------------


def start_gunicorn(url: str, args, work: Path, port: int, log) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-morning",
           "BASE_URL": f"http://127.0.0.1:{port}", "BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": str(args.workers), "OUTBOX_DIR": str(work / "outbox"),
           "BACKUP_DIR": str(work / "backups"), "LOG_FORMAT": "json"}
    proc = subprocess.Popen([PY, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                             "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log,
                            start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", 90, proc)
    except RuntimeError:
        stop_server(proc)
        raise
    return proc


def pg_backend_pids(url: str):
    if not url.startswith("postgresql"):
        return lambda: []
    name = sa.make_url(url).database
    engine = sa.create_engine(PG_ADMIN, poolclass=sa.pool.NullPool)
    cache = {"at": 0.0, "pids": []}

    def pids():
        if time.monotonic() - cache["at"] > 5:
            with engine.connect() as conn:
                cache["pids"] = list(conn.execute(sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": name}).scalars())
            cache["at"] = time.monotonic()
        return cache["pids"]

    return pids


# --- checks after the run ----------------------------------------------------------------------


def verify(url: str, acks: dict, summit: dict) -> dict:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        over = conn.execute(sa.text(
            "SELECT s.id, COALESCE(s.capacity, r.capacity) AS cap, "
            "SUM(CASE WHEN e.status = 'enrolled' THEN 1 ELSE 0 END) AS enrolled, "
            "SUM(CASE WHEN e.status = 'waitlisted' THEN 1 ELSE 0 END) AS waiting "
            "FROM breakout_sessions s LEFT JOIN breakout_rooms r ON r.id = s.room_id "
            "LEFT JOIN breakout_enrollments e ON e.session_id = s.id GROUP BY s.id, s.capacity, "
            "r.capacity")).all()
        overbooked = [dict(r._mapping) for r in over if (r.enrolled or 0) > (r.cap or 0)]
        full = sum(1 for r in over if (r.enrolled or 0) == (r.cap or 0))
        enrolled = sum(r.enrolled or 0 for r in over)
        waiting = sum(r.waiting or 0 for r in over)
        stored = set(conn.execute(sa.text(
            "SELECT a.checkin_code FROM checkins c JOIN attendees a ON a.id = c.attendee_id "
            "JOIN checkin_lists l ON l.id = c.list_id WHERE l.kind = 'entrance'")).scalars())
        acked = {c["code"].rsplit("/", 1)[-1] for c in acks["checkins"]}
        lost_checkins = sorted(acked - stored)
        answers = {(r.plan_id, r.question_id): (r.value, r.version) for r in conn.execute(
            sa.text("SELECT plan_id, question_id, value, version FROM plan_answers "
                    "WHERE field = ''"))}
        # Lost: the stored version is older than the acknowledged one, or the same version with
        # other text. A newer stored version is fine: each plan has a single writer here, so it
        # is a later save of the same writer whose answer did not reach the client.
        lost_saves = []
        for save in acks["saves"]:
            value, version = answers.get((save["plan"], save["question"]), (None, 0))
            if version < save["version"] or (version == save["version"]
                                              and value != save["value"]):
                lost_saves.append({**save, "stored_version": version})
        enrolled_people = set(conn.execute(sa.text(
            "SELECT attendee_id FROM breakout_enrollments "
            "WHERE status IN ('enrolled', 'waitlisted')"))
            .scalars())
        ids = [a["id"] for a in summit["attendees"]]
        lost_signups = [s for s in acks["signups"] if ids[s["who"]] not in enrolled_people]
    engine.dispose()
    return {"overbooked": overbooked, "sessions_full": full, "enrolled": enrolled,
            "waitlisted": waiting, "checkins_acked": len(acked), "checkins_stored": len(stored),
            "lost_checkins": lost_checkins, "saves_acked": len(acks["saves"]),
            "lost_saves": lost_saves, "signups_acked": len(acks["signups"]),
            "lost_signups": lost_signups}


# --- one backend -------------------------------------------------------------------------------


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv") as fh:
        return [r for r in csv.DictReader(fh)]


def read_failures(prefix: Path) -> list[dict]:
    with open(f"{prefix}_failures.csv") as fh:
        return [{"name": r["Name"], "error": r["Error"], "count": int(r["Occurrences"])}
                for r in csv.DictReader(fh)]


def run_backend(backend: str, args, work: Path) -> dict:
    with bench_database(backend, work, "morning") as url:
        print(f"[{backend}] building the summit…", flush=True)
        started = time.perf_counter()
        summit = build_summit(url, args, work)
        setup_seconds = time.perf_counter() - started
        port = free_port()
        plan = make_plan(summit, args, f"http://127.0.0.1:{port}")
        plan_file, acks_file = work / f"{backend}-plan.json", work / f"{backend}-acks.json"
        plan_file.write_text(json.dumps(plan))
        prefix = RESULTS / f"{backend}-locust"
        with open(RESULTS / f"{backend}-server.log", "w") as log:
            server = start_gunicorn(url, args, work, port, log)
            meter = CpuMeter(server.pid, pg_backend_pids(url))
            try:
                meter.reset()
                meter.start()
                print(f"[{backend}] replaying {args.minutes} min "
                      f"({len(plan['actions'])} actions)…", flush=True)
                load_before = os.getloadavg()
                t0 = time.monotonic()
                env = {**os.environ, "MORNING_PLAN": str(plan_file),
                       "MORNING_ACKS": str(acks_file), "MORNING_POOL": str(args.pool)}
                users = args.pool + args.dashboards
                locust = subprocess.run(
                    [PY, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
                     "-u", str(users), "-r", str(users), "-t",
                     f"{plan['duration'] + plan['grace'] + 30}s",
                     "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix),
                     "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"],
                    env=env, capture_output=True, text=True,
                    timeout=plan["duration"] + plan["grace"] + 180)
                wall = time.monotonic() - t0
                (RESULTS / f"{backend}-locust.txt").write_text(locust.stdout + locust.stderr)
            finally:
                meter.stop()
                stop_server(server)
        acks = json.loads(acks_file.read_text())
        loads = [load for _, load in meter.samples]
        result = {
            "url_kind": backend, "setup_seconds": setup_seconds,
            "seating_seconds": summit["seating_seconds"], "wall": wall,
            "gunicorn_cpu": meter.used("gunicorn"), "postgres_cpu": meter.used("postgres"),
"load_before": load_before[0],
            "load_avg": sum(loads) / len(loads) if loads else None,
            "load_max": max(loads) if loads else None,
            "stats": read_stats(prefix), "acks": {k: v for k, v in acks.items()
                                                  if k in ("dashboard", "schedule")},
            "errors": acks["errors"][:20], "checks": verify(url, acks, summit),
            "failures": read_failures(prefix),
        }
        (RESULTS / f"{backend}-result.json").write_text(json.dumps(result, indent=1,
                                                                   default=str))
        return result


# --- the report ---------------------------------------------------------------------------------


def _ms(value: str) -> str:
    try:
        return f"{float(value):.0f}"
    except (TypeError, ValueError):
        return "-"


def report(results: dict, args) -> str:
    lines = [
        "# Summit morning under load",
        "",
        f"`python bench/morning/run.py --minutes {args.minutes} --attendees {args.attendees} "
        f"--workers {args.workers}` on {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()}; "
        f"gunicorn with `gunicorn.conf.py` ({args.workers} workers × 4 threads), locust on the "
        "same machine, loopback only.",
        "",
        f"The 45 minutes from 8:00 are compressed into {args.minutes} minutes with the peak "
        f"rates kept: {args.attendees:,} check-ins through the API rising to {args.peak:g}/s, "
        f"every attendee opening their link, My summit and their agenda, {args.signups:,} "
        f"breakout sign-ups at 5/s into {args.sessions} sessions (25-60 seats), "
        f"{args.dashboards} organizer dashboards polling every 2 s with ETags, {args.planners} "
        f"attendees autosaving their action plan ({args.saves} saves, "
        f"{SAVE_PAUSE_S[0]}-{SAVE_PAUSE_S[1]} s apart).",
        "",
    ]
    for backend, res in results.items():
        total = sum(int(r["Request Count"]) for r in res["stats"] if r["Name"] == "Aggregated")
        failures = sum(int(r["Failure Count"]) for r in res["stats"]
                       if r["Name"] == "Aggregated")
        lines += [
            f"## {backend}",
            "",
            "| endpoint | requests | failures | p50 ms | p95 ms | p99 ms | max ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        worst = 0.0
        for r in res["stats"]:
            name = "**all**" if r["Name"] == "Aggregated" else f"`{r['Type']} {r['Name']}`"
            lines.append(f"| {name} | {int(r['Request Count']):,} | {r['Failure Count']} | "
                         f"{_ms(r['50%'])} | {_ms(r['95%'])} | {_ms(r['99%'])} | "
                         f"{_ms(r['Max Response Time'])} |")
            if r["Name"] not in ("Aggregated", "/login", "/login (POST)"):
                with contextlib.suppress(ValueError):
                    worst = max(worst, float(r["95%"]))
        c = res["checks"]
        cpu = res["gunicorn_cpu"] + res["postgres_cpu"]
        lines += [
            "",
            f"- Requests: {total:,} in {res['wall']:.0f} s ({total / res['wall']:.0f}/s); "
            f"errors: {failures} ({100 * failures / max(total, 1):.2f} %)"
            + (": " + "; ".join(f"{f['count']} × {f['name']}: {f['error']}"
                                for f in res.get("failures", [])) if failures else "") + ".",
            f"- Server CPU: gunicorn {res['gunicorn_cpu']:.0f} s"
            + (f", PostgreSQL backends {res['postgres_cpu']:.0f} s" if backend != "sqlite"
               else "")
            + f" over {res['wall']:.0f} s = {cpu / res['wall']:.2f} cores on average "
            f"({1000 * cpu / max(total, 1):.1f} ms CPU per request).",
            f"- Load average during the run: {res['load_avg']:.1f} (max {res['load_max']:.1f}; "
            f"{res['load_before']:.1f} at the start; locust and the server share the "
            f"{os.cpu_count()} CPUs"
            + (", and other jobs ran too)." if res['load_before'] > 1.5 else ")."),
            f"- Dashboards: {res['acks']['dashboard']['200']} polls rendered, "
            f"{res['acks']['dashboard']['304']} answered 304.",
            f"- Timetable: {res['acks']['schedule']['done']:,}/{res['acks']['schedule']['total']:,}"
            f" actions; {res['acks']['schedule']['late_over_1s']} started over 1 s late "
            f"(load generator saturated), max {res['acks']['schedule']['max_late_s']} s.",
            "- **No overbooked session**: "
            f"{'yes' if not c['overbooked'] else 'NO: ' + str(c['overbooked'])}"
            f" ({c['sessions_full']} sessions full, {c['enrolled']:,} seats taken, "
            f"{c['waitlisted']:,} waiting).",
            f"- **No lost check-in**: {'yes' if not c['lost_checkins'] else 'NO'} "
            f"({c['checkins_acked']:,} acknowledged, {c['checkins_stored']:,} stored).",
            f"- **No lost autosave**: {'yes' if not c['lost_saves'] else 'NO'} "
            f"({c['saves_acked']:,} plan fields acknowledged, each stored with its text and "
            "version).",
            f"- Sign-ups acknowledged: {c['signups_acked']:,}; without a seat or waitlist place: "
            f"{len(c['lost_signups'])}.",
            f"- Targets: p95 < 300 ms on every endpoint: "
            f"{'met' if worst < 300 else 'missed'} (worst {worst:.0f} ms); zero errors: "
            f"{'met' if failures == 0 else 'missed'}.",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--attendees", type=int, default=3000)
    parser.add_argument("--peak", type=float, default=10.0, help="check-ins per second at peak")
    parser.add_argument("--signups", type=int, default=1500)
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--planners", type=int, default=300)
    parser.add_argument("--saves", type=int, default=6)
    parser.add_argument("--dashboards", type=int, default=30)
    parser.add_argument("--lanes", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pool", type=int, default=150, help="locust users replaying actions")
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument("--from-results", action="store_true",
                        help="only rewrite the report from bench/results/morning/*-result.json "
                             "(runs made separately with the same options)")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = {}
    if args.from_results:
        for backend in args.backends.split(","):
            results[backend] = json.loads((RESULTS / f"{backend}-result.json").read_text())
    else:
        with tempfile.TemporaryDirectory(prefix="summit-morning-") as tmp:
            for backend in args.backends.split(","):
                work = Path(tmp) / backend
                work.mkdir()
                results[backend] = run_backend(backend, args, work)
    text = report(results, args)
    print(text)
    if not args.no_doc:
        write_report(DOC, text, "## Reading the figures")


if __name__ == "__main__":
    main()
