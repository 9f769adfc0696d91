"""What the benchmarks in bench/ share: a free loopback port, waiting for a server to answer,
stopping it, a CPU meter for its process tree, a throwaway database per run, and writing a
report that keeps its hand-written reading. No Summit imports."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    """Return once ``url`` answers at all (an HTTP error status counts as an answer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"the server for {url} exited; see its log") from None
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


def stop_server(proc: subprocess.Popen, sig: int = signal.SIGTERM, wait: float = 20) -> None:
    """Stop a server started with ``start_new_session=True``: ``sig``, then its whole group."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the process group the benchmark started
        proc.wait(5)


class CpuMeter(threading.Thread):
    """User + system CPU of a process tree (and of extra pids, e.g. PostgreSQL backends),
    sampled every ``interval`` seconds.

    A process that ends (a recycled worker) keeps the CPU of its last sample, and one first
    seen after ``reset()`` counts from zero, so a phase's figure never goes backwards and
    includes a new worker's start-up. ``samples`` holds (time, 1-min load average) per tick."""

    def __init__(self, root_pid: int, extra_pids=None, interval: float = 1.0):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.extra_pids = extra_pids or (lambda: [])
        self.interval = interval
        self.last: dict[tuple[str, int, float], float] = {}
        self.first: dict[tuple[str, int, float], float] = {}
        self.reset_at = 0.0
        self.stopping = threading.Event()
        self.samples: list[tuple[float, float]] = []
        self._lock = threading.Lock()

    def sample(self) -> None:
        groups = []
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(self.root_pid)
            groups += [("gunicorn", p) for p in [root, *root.children(recursive=True)]]
        for pid in self.extra_pids():
            with contextlib.suppress(psutil.NoSuchProcess):
                groups.append(("postgres", psutil.Process(pid)))
        with self._lock:
            for kind, proc in groups:
                try:
                    with proc.oneshot():
                        t = proc.cpu_times()
                        born = proc.create_time()
                except psutil.NoSuchProcess:
                    continue
                key = (kind, proc.pid, born)
                # Not seen by reset()'s sample: born since, so all its CPU is this phase's.
                # (Its create_time cannot tell: psutil derives it from the boot time, which
                # /proc gives in whole seconds, so a worker forked just after reset() could
                # look older and count as zero: the check-in bench once lost a worker so.)
                self.first.setdefault(key, 0.0)
                self.last[key] = t.user + t.system

    def used(self, kind: str = "gunicorn") -> float:
        """CPU seconds of ``kind`` since the last ``reset()``, as of the last sample."""
        with self._lock:
            return sum(v - self.first.get(k, v) for k, v in self.last.items() if k[0] == kind)

    def reset(self) -> None:
        self.sample()
        with self._lock:
            self.reset_at = time.time()
            self.first = dict(self.last)

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            self.sample()
            self.samples.append((time.monotonic(), os.getloadavg()[0]))

    def stop(self) -> None:
        self.stopping.set()
        self.join(5)
        self.sample()


# The PostgreSQL server the benchmarks create their databases on (trust auth on this machine).
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def bench_database(backend: str, work: Path, name: str) -> Iterator[str]:
    """The URL of an empty database for one run: ``work/<name>.db`` on SQLite, or a
    PostgreSQL database ``summit_<name>_<random>`` created here and dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{work / f'{name}.db'}"
        return
    import sqlalchemy as sa

    pg_name = f"summit_{name}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{pg_name}"')
        yield sa.make_url(PG_ADMIN).set(database=pg_name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        admin.dispose()


def write_report(path: Path, text: str, keep_from: str) -> None:
    """Write a benchmark's report to ``path``, keeping the hand-written reading of the figures
    that the previous report had from the heading ``keep_from`` on."""
    path.parent.mkdir(exist_ok=True)
    old = path.read_text() if path.exists() else ""
    if keep_from in old:
        text = text.rstrip("\n") + "\n\n" + keep_from + old.split(keep_from, 1)[1]
    path.write_text(text)
