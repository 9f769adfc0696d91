"""Live Q&A and polls in a 3,000-person keynote: locust against gunicorn on PostgreSQL.

    python bench/livepolls/run.py [--phones 3000] [--idle-seconds 20] [--vote-seconds 30]
                                  [--workers 4] [--sse-clients 60] [--no-doc]

(Named ``livepolls``: ``bench/live`` measures the announcement banner.) One keynote room with
an open single-choice poll and 30 questions; 3,000 registered attendees whose session cookies
and CSRF tokens are made here (the phones start signed in, as they are in the hall).

1. **Idle**: every phone polls the room's live fragment with If-None-Match, as often as
   ``templates/live/_room_live.html`` says (every 10 s in a keynote of 3,000); nothing
   changes (no vote, upvote or question).
   Server CPU and the polls' latency.
2. **Votes**: the same phones, and each answers the poll once within a 30-second window
   (3,000 votes in 30 s), while a few upvote and ask at the issue's hourly rates. p95 of a vote.
   A projector (``/admin/.../screen/live``, polled every second as the page does) records the
   count it shows; for every acknowledged vote, how long until the projector showed it.
3. **The reference, summit-flask**: the same app restarted with ``LIVE_FAST_PATH=0`` (every
   vote through Flask), and the same phones answering a second poll, opened as a moderator
   would: the same figures, side by side.
4. **SSE, briefly**: the smallest event stream served by the same gunicorn settings: how many
   phones hold a stream at once (the answer for polling vs SSE).

Each phone starts with the ETag its page load gave it (the page itself is loaded once per
phone, before; 3,000 page loads are the morning benchmark's kind of load, not this one's).

Writes docs/benchmarks-livepolls.md (raw locust output under bench/results/livepolls/).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import resource
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date
from datetime import time as dtime
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
PY = sys.executable
RESULTS = ROOT / "bench" / "results" / "livepolls"
PASSWORD = "bench-live-polls"

from bench._common import (  # noqa: E402
    CpuMeter,
    bench_database,
    free_port,
    stop_server,
    wait_http,
    write_report,
)


def setup(url: str, instance: Path, phones: int) -> dict:
    os.environ.update(DATABASE_URL=url, SECRET_KEY="bench-livepolls")
    from flask import g, session
    from flask_wtf.csrf import generate_csrf

    from summit import create_app
    from summit.access import sign_in_attendee
    from summit.auth.services import create_user
    from summit.breakouts.program import services as program
    from summit.database import utcnow
    from summit.devices import DEVICE_KEY
    from summit.events.services import create_event
    from summit.extensions import db
    from summit.live import services as live
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    app = create_app({"INSTANCE_PATH": str(instance), "JOBS_EMBEDDED_WORKER": False,
                      "SECRET_KEY": "bench-livepolls"})
    with app.app_context():
        db.create_all()
        event = create_event("keynote", "Bench Summit", date(2027, 3, 1), days=1)
        block = program.save_block(event, program.BlockData(
            title="Opening keynote", day=1, starts=dtime(9), ends=dtime(10)))
        org = find_or_create_organization("Knox County Schools", "TN")
        people = [Attendee(event_id=event.id, organization=org, first_name=f"P{i}",
                           last_name="Bench", email=f"p{i}@example.org", status="registered",
                           email_confirmed_at=utcnow()) for i in range(phones)]
        db.session.add_all(people)
        db.session.flush()
        ref = live.resolve(event, f"b{block.id}")
        room = live.ensure_room(event, ref)
        poll = live.create_poll(room, "single", "Does your district have an AI policy?",
                                ["Yes, adopted", "In draft", "Not yet", "Not sure"])
        live.open_poll(room, poll)
        # The reference phase's poll (opened then: every vote through Flask).
        second = live.create_poll(room, "single", "Is AI in your district's strategic plan?",
                                  ["Yes", "Being added", "No"])
        questions = [live.ask(room, people[i], f"Seed question {i}", anonymous=True)[0].id
                     for i in range(min(30, phones))]
        create_user("lead@bench.test", "organizer", PASSWORD, event_id=event.id)
        db.session.commit()
        from summit.live import polling

        serializer = app.session_interface.get_signing_serializer(app)
        db.session.refresh(room)
        out = []
        seq, tally = live.room_counters(room)
        for n, person in enumerate(people):
            with app.test_request_context("/"):
                g.pop("csrf_token", None)  # Flask-WTF caches the token in g (app context)
                sign_in_attendee(person)
                session[DEVICE_KEY] = secrets.token_urlsafe(16)
                token = generate_csrf()
                # The ETag the room's page gave the phone when it was opened (the page is
                # loaded once; what is measured is the polling that follows).
                etag = polling.phone_etag(secret=app.config["SECRET_KEY"], slug=event.slug,
                                          key=ref.key, seq=seq, tally=tally,
                                          viewer=f"a{person.id}")
                out.append({"n": n, "cookie": serializer.dumps(dict(session)), "csrf": token,
                            "etag": etag})
        base = f"/e/{event.slug}/qa/{ref.key}"
        return {"setup": {
            "cookie_name": app.config["SESSION_COOKIE_NAME"], "live": f"{base}/live",
            "vote": f"{base}/polls/{poll.id}/vote", "ask": f"{base}/ask",
            "upvote": base + "/questions/{id}/upvote", "questions": questions,
            "options": [o.id for o in poll.options],
            "reference_vote": f"{base}/polls/{second.id}/vote",
            "reference_options": [o.id for o in second.options], "reference_poll": second.id,
            "poll_seconds": live.phone_poll_seconds(event, ref),
            "screen": f"/admin/e/{event.slug}/qa/{ref.key}/screen/live",
            "room": f"/admin/e/{event.slug}/qa/{ref.key}"}, "people": out}


def start_gunicorn(app_ref: str, env: dict, cwd: Path, port: int, log) -> subprocess.Popen:
    proc = subprocess.Popen([PY, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                             app_ref], cwd=cwd, env={**os.environ, **env,
                                                     "BIND": f"127.0.0.1:{port}"},
                            stdout=log, stderr=log, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", 90, proc)
    except RuntimeError:
        stop_server(proc)
        raise
    return proc


def pg_pids(url: str):
    import sqlalchemy as sa

    from bench._common import PG_ADMIN

    name = sa.make_url(url).database
    engine = sa.create_engine(PG_ADMIN, poolclass=sa.pool.NullPool)
    cache = {"at": 0.0, "pids": []}

    def pids():
        if time.monotonic() - cache["at"] > 5:
            with engine.connect() as conn:
                cache["pids"] = list(conn.execute(sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": name}
                ).scalars())
            cache["at"] = time.monotonic()
        return cache["pids"]

    return pids


class Projector(threading.Thread):
    """The projector page: polls every second with If-None-Match, records the count shown."""

    def __init__(self, base: str, setup: dict):
        super().__init__(daemon=True)
        self.session = requests.Session()
        page = self.session.get(base + "/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
            re.search(r'name="csrf_token" value="([^"]+)"', page)
        self.session.post(base + "/login", data={"email": "lead@bench.test",
                                                 "password": PASSWORD,
                                                 "csrf_token": token.group(1)})
        self.url = base + setup["screen"]
        self.seen: list[tuple[float, int]] = []
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.stopping = threading.Event()

    def run(self):
        etag = None
        while not self.stopping.is_set():
            started = time.time()
            headers = {"If-None-Match": etag} if etag else {}
            try:
                r = self.session.get(self.url, headers=headers, timeout=10)
            except requests.RequestException:
                self.statuses[0] = self.statuses.get(0, 0) + 1
                continue
            self.latencies.append(time.time() - started)
            self.statuses[r.status_code] = self.statuses.get(r.status_code, 0) + 1
            if r.status_code == 200:
                etag = r.headers.get("ETag")
                found = re.search(r"([\d,]+) answers?", r.text)
                if found:
                    self.seen.append((time.time(), int(found.group(1).replace(",", ""))))
            self.stopping.wait(max(0.0, 1.0 - (time.time() - started)))


def run_locust(base: str, users_file: Path, phones: int, seconds: int, tag: str,
               env: dict) -> dict:
    RESULTS.mkdir(parents=True, exist_ok=True)
    prefix = RESULTS / tag
    spawn = max(1, phones // 10)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    subprocess.run([PY, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
                    "-u", str(phones), "-r", str(spawn), "-t", f"{seconds}s", "-H", base,
                    "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
                   env={**os.environ, "LIVEPOLLS_USERS": str(users_file), **env},
                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    rows = {}
    with open(f"{prefix}_stats.csv") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = row
    # The load generator's own share of the machine (it runs on the same cores).
    rows["_locust_cpu"] = ((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
                           / (time.time() - started))
    return rows


def sse_capacity(clients: int, env: dict, log) -> dict:
    """Open ``clients`` streams at once; count those whose first event came within 2 s."""
    port = free_port()
    server = start_gunicorn("sse_app:app", env, HERE, port, log)
    firsts: list[float | None] = [None] * clients

    def client(i):
        started = time.time()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/stream?6", timeout=30) as r:
                r.readline()
                firsts[i] = time.time() - started
        except OSError:
            firsts[i] = None

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    stop_server(server)
    got = [f for f in firsts if f is not None]
    return {"clients": clients, "within_2s": sum(1 for f in got if f <= 2.0),
            "slowest": max(got) if got else None}


def lag(acks: list[float], seen: list[tuple[float, int]]) -> list[float]:
    """For the k-th acknowledged vote: when the projector first showed k or more, minus the
    acknowledgement (the seed count is 0)."""
    acks = sorted(acks)
    out = []
    j = 0
    for k, at in enumerate(acks, start=1):
        while j < len(seen) and seen[j][1] < k:
            j += 1
        if j == len(seen):
            break
        out.append(max(0.0, seen[j][0] - at))
    return out


def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=3000)
    parser.add_argument("--idle-seconds", type=int, default=20)
    parser.add_argument("--vote-seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--sse-clients", type=int, default=60)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="livepolls-"))
    log = open(work / "gunicorn.log", "w")  # noqa: SIM115
    results = {}
    with bench_database("postgresql", work, "livepolls") as url:
        setup_started = time.time()
        users = setup(url, work / "instance", args.phones)
        results["setup_seconds"] = time.time() - setup_started
        results["poll_seconds"] = users["setup"]["poll_seconds"]
        users_file = work / "users.json"
        users_file.write_text(json.dumps(users))
        port = free_port()
        env = {"DATABASE_URL": url, "SECRET_KEY": "bench-livepolls", "LOG_FORMAT": "json",
               "WEB_CONCURRENCY": str(args.workers), "BASE_URL": f"http://127.0.0.1:{port}",
               "INSTANCE_PATH": str(work / "instance"), "JOBS_EMBEDDED_WORKER": "0"}
        server = start_gunicorn("wsgi:app", env, ROOT, port, log)
        base = f"http://127.0.0.1:{port}"
        meter = CpuMeter(server.pid, pg_pids(url), interval=0.5)
        meter.start()
        try:
            ramp = 12
            # 1. idle phones
            timer = threading.Timer(ramp, meter.reset)
            timer.start()
            results["idle"] = run_locust(base, users_file, args.phones,
                                         ramp + args.idle_seconds, "idle",
                                         {"LIVEPOLLS_UPVOTE_EVERY": "0",
                                          "LIVEPOLLS_ASK_EVERY": "0"})
            meter.sample()
            results["idle_cpu"] = (meter.used("gunicorn") / args.idle_seconds,
                                   meter.used("postgres") / args.idle_seconds)
            # 2. votes, with the projector watching
            results["fast"] = vote_phase(base, users, users_file, args, meter, work, "votes")
        finally:
            meter.stop()
            stop_server(server)
        results["fast"].update(stored(url))
        # 3. the reference: the same votes on a second poll, every one through Flask
        open_reference_poll(url, work / "instance", users["setup"]["reference_poll"])
        reference = dict(users, setup={**users["setup"],
                                       "vote": users["setup"]["reference_vote"],
                                       "options": users["setup"]["reference_options"]})
        reference_file = work / "reference.json"
        reference_file.write_text(json.dumps(reference))
        server = start_gunicorn("wsgi:app", {**env, "LIVE_FAST_PATH": "0"}, ROOT, port, log)
        meter = CpuMeter(server.pid, pg_pids(url), interval=0.5)
        meter.start()
        try:
            results["flask"] = vote_phase(base, reference, reference_file, args, meter, work,
                                          "reference")
        finally:
            meter.stop()
            stop_server(server)
        results["flask"].update(stored(url, users["setup"]["reference_poll"]))
    results["sse"] = sse_capacity(args.sse_clients, {"WEB_CONCURRENCY": str(args.workers)}, log)
    results["load"] = os.getloadavg()
    text = report(results, args)
    print(text)
    if not args.no_doc:
        write_report(ROOT / "docs" / "benchmarks-livepolls.md", text, "### Reading the figures")


def vote_phase(base: str, users: dict, users_file: Path, args, meter, work: Path,
               tag: str) -> dict:
    """3,000 answers within the vote window while the phones poll, the projector watching."""
    ramp = 12
    projector = Projector(base, users["setup"])
    projector.start()
    acks_file = work / f"{tag}-acks.json"
    vote_start = time.time() + ramp
    timer = threading.Timer(ramp, meter.reset)
    timer.start()
    out = {"votes": run_locust(
        base, users_file, args.phones, ramp + args.vote_seconds + 8, tag,
        {"LIVEPOLLS_VOTE_SECONDS": str(args.vote_seconds),
         "LIVEPOLLS_VOTE_START": str(vote_start), "LIVEPOLLS_ACKS": str(acks_file)})}
    meter.sample()
    out["votes_cpu"] = (meter.used("gunicorn") / (args.vote_seconds + 8),
                        meter.used("postgres") / (args.vote_seconds + 8))
    time.sleep(3)
    projector.stopping.set()
    projector.join(5)
    acks = json.loads(acks_file.read_text()) if acks_file.exists() else []
    out["acks"] = len(acks)
    out["ack_span"] = (max(acks) - min(acks)) if acks else 0
    out["lag"] = lag(acks, projector.seen)
    out["projector"] = (projector.statuses, projector.latencies)
    out["final_shown"] = projector.seen[-1][1] if projector.seen else 0
    return out


def open_reference_poll(url: str, instance: Path, poll_id: int) -> None:
    """Open the reference phase's poll (the first one closes), as a moderator would."""
    from summit import create_app
    from summit.extensions import db
    from summit.live import services as live
    from summit.live.models import LivePoll, LiveRoom

    app = create_app({"INSTANCE_PATH": str(instance), "JOBS_EMBEDDED_WORKER": False,
                      "SECRET_KEY": "bench-livepolls", "DATABASE_URL": url})
    with app.app_context():
        poll = db.session.get(LivePoll, poll_id)
        live.open_poll(db.session.get(LiveRoom, poll.room_id), poll)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def stored(url: str, poll_id: int | None = None) -> dict:
    """The answers stored for the open poll (or ``poll_id``) and its counter."""
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"),
                              poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        if poll_id is None:
            poll_id = conn.execute(sa.text(
                "SELECT id FROM live_polls WHERE status = 'open'")).scalar()
        found = {"db_votes": conn.execute(sa.text(
            "SELECT count(*) FROM live_poll_votes WHERE poll_id = :p"), {"p": poll_id}).scalar(),
            "db_counter": conn.execute(sa.text(
                "SELECT votes FROM live_polls WHERE id = :p"), {"p": poll_id}).scalar()}
    engine.dispose()
    return found


def _row(rows, name):
    r = rows.get(name)
    if not r:
        return f"| {name} | 0 | — | — | — |"
    return (f"| {name} | {int(r['Request Count']):,} | {r['Failure Count']} | "
            f"{r['50%']} / {r['95%']} / {r['99%']} | {float(r['Requests/s']):.0f} |")


THREADS = int(os.environ.get("GUNICORN_THREADS") or 4)  # gunicorn.conf.py's default


def report(res: dict, args) -> str:
    idle = res["idle"]
    sse = res["sse"]
    lines = [
        "# Benchmark: live Q&A and polls in a keynote (PostgreSQL)",
        "",
        f"`python bench/livepolls/run.py --phones {args.phones} --idle-seconds "
        f"{args.idle_seconds} --vote-seconds {args.vote_seconds} --workers {args.workers}`: "
        f"gunicorn with `gunicorn.conf.py` ({args.workers} gthread workers × {THREADS} "
        f"threads{'' if THREADS == 4 else f', GUNICORN_THREADS={THREADS}'}) on "
        f"PostgreSQL, locust (FastHttpUser, one process) on the same machine. "
        f"Machine: {os.cpu_count()} CPUs shared with other work (1-min load average at the end "
        f"{res['load'][0]:.1f}), Python {platform.python_version()}. Phones start signed in "
        f"(session cookies made by the script); each polls every {res['poll_seconds']} s "
        f"with If-None-Match, as the page tells a phone in a room of {args.phones:,}. "
        f"**Summit** answers votes on the `live-vote` fast path; the reference, "
        f"**summit-flask**, is the same app restarted with `LIVE_FAST_PATH=0` in the same run "
        f"(every vote through Flask), the same phones answering a second poll.",
        "",
        "| phase | requests | failures | p50 / p95 / p99 ms | req/s |",
        "|---|---:|---:|---|---:|",
        _row({f"idle: {k}": v for k, v in idle.items()}, "idle: GET live (phone poll)"),
    ]
    for name, key in (("votes", "fast"), ("summit-flask votes", "flask")):
        rows = {f"{name}: {k}": v for k, v in res[key]["votes"].items()}
        lines += [_row(rows, f"{name}: GET live (phone poll)"),
                  _row(rows, f"{name}: POST vote"), _row(rows, f"{name}: POST upvote"),
                  _row(rows, f"{name}: POST ask")]
    lines += [
        "",
        f"- Server CPU, idle phones: gunicorn {res['idle_cpu'][0]:.0%} and PostgreSQL "
        f"{res['idle_cpu'][1]:.0%} of one core; locust itself {idle['_locust_cpu']:.0%} of "
        f"one core, on the same cores.",
    ]
    for name, key in (("Summit", "fast"), ("summit-flask", "flask")):
        phase = res[key]
        statuses, latencies = phase["projector"]
        lag_values = phase["lag"]
        p95_vote = phase["votes"].get("POST vote", {}).get("95%", "—")
        lines += [
            f"- **{name}**, votes: {phase['acks']:,} acknowledged over "
            f"{phase['ack_span']:.1f} s; {phase['db_votes']:,} rows and a counter of "
            f"{phase['db_counter']:,} in the database; the projector's last count "
            f"{phase['final_shown']:,}. p95 of a vote: **{p95_vote} ms** (target < 300 ms). "
            f"CPU: gunicorn {phase['votes_cpu'][0]:.0%}, PostgreSQL "
            f"{phase['votes_cpu'][1]:.0%}, locust {phase['votes']['_locust_cpu']:.0%} of one "
            f"core. Projector (polling every second): {sum(statuses.values())} polls "
            f"({statuses.get(200, 0)} × 200, {statuses.get(304, 0)} × 304), p95 "
            f"{pct(latencies, 95) * 1000:.0f} ms; each acknowledged vote shown after p50 "
            f"{pct(lag_values, 50):.2f} s, p95 **{pct(lag_values, 95):.2f} s**, max "
            f"{max(lag_values) if lag_values else float('nan'):.2f} s (target 2 s).",
        ]
    lines.append(
        f"- SSE, briefly: {sse['clients']} phones opening the smallest event stream at once on "
        f"the same gunicorn settings: {sse['within_2s']} got their first event within 2 s "
        f"(slowest {sse['slowest'] or float('nan'):.1f} s). Each open stream holds a worker "
        f"thread: {args.workers} workers × {THREADS} threads = {args.workers * THREADS} phones "
        f"at a time.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
