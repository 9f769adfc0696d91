"""gunicorn settings for Summit: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Everything can be tuned from the environment (a systemd ``EnvironmentFile``); see
docs/operations.md.

- ``BIND`` (``127.0.0.1:8000``, or ``unix:/run/summit/gunicorn.sock``; comma-separated for
  several) or ``HOST``/``PORT``. Listen on localhost or a socket only: nginx terminates TLS.
- ``WEB_CONCURRENCY``: worker processes, default ``2 x cores + 1`` capped at 8;
  ``GUNICORN_THREADS`` (4) threads each. Requests wait on the database, not the CPU, so a few
  threads per process serve the polling dashboards and phones cheaply.
- ``GUNICORN_TIMEOUT`` (30 s): no request needs longer. Badge and plan PDFs and email are built
  by the job queue (summit/jobs.py), never inside a request, so a worker stuck for 30 s is
  genuinely stuck and is replaced.
- ``FORWARDED_ALLOW_IPS`` (``127.0.0.1,::1``): the proxies whose ``X-Forwarded-Proto`` gunicorn
  believes. The app itself trusts ``X-Forwarded-For``/``-Proto``/``-Host`` only when
  ``TRUST_PROXY_HEADERS`` says how many proxies stand in front (1 behind a single nginx).
- ``LOG_FORMAT`` (``json`` here, ``text`` for ``flask run``): gunicorn's own lines and the app's
  go to stderr as JSON lines (journald keeps them). The app logs one line per request with its
  request id and duration, so gunicorn's access log is off unless ``ACCESS_LOG=1``; its format
  has the path without the query string, and every line passes through the same redaction as
  the app's (no secret a route declares, such as a personal or arrival link, reaches a log).

``preload_app`` stays off. With it, the app (and its database pool) would be created once in the
master and shared by forked workers, and threads do not survive a fork. Summit's embedded job
worker thread starts on each process's first request (and restarts after a fork), so preloading
would only save a little memory at the price of shared connections. When the job queue runs on
Redis (``JOBS_BACKEND=rq``) set ``JOBS_EMBEDDED_WORKER=0`` and run ``flask --app summit jobs
worker`` as its own service.
"""

from __future__ import annotations

import multiprocessing
import os

from gunicorn.glogging import Logger

os.environ.setdefault("LOG_FORMAT", "json")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


if os.environ.get("BIND"):
    bind = [part.strip() for part in os.environ["BIND"].split(",") if part.strip()]
else:
    bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"]

workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5  # nginx reuses upstream connections (keepalive in the upstream block)
# Recycle workers now and then so a slow leak can never build up over a three-day summit. Open
# pages poll (300 pages send ~100 requests/s), so a low limit would restart a worker every
# minute, each restart costing a second of CPU; 20,000 is every few minutes at peak.
max_requests = 20000
max_requests_jitter = 2000
preload_app = False
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "summit"
# gunicorn 25+ opens a control socket at one fixed path per user; two instances on a host would
# fight over it. systemd manages the processes, so it stays off.
control_socket_disable = True
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files off the disk

errorlog = "-"
_ACCESS_LOG = os.environ.get("ACCESS_LOG", "").lower() in {"1", "true", "yes", "on"}
accesslog = "-" if _ACCESS_LOG else None


class SummitLogger(Logger):
    """gunicorn's logger, with the access log truly off unless ``ACCESS_LOG`` is set.

    gunicorn writes access lines whenever a logging configuration is given (the
    ``logconfig_dict`` below), even with ``accesslog`` unset. Off means off: no line and no
    work (formatting one cost about a third of a worker's CPU for the 304s of polling pages)."""

    @property
    def access_log_enabled(self):
        return _ACCESS_LOG and super().access_log_enabled

    def access(self, resp, req, environ, request_time):
        if _ACCESS_LOG:
            super().access(resp, req, environ, request_time)


logger_class = SummitLogger
# No %(r)s / %(q)s: the query string is never logged. No client IP or user agent either.
access_log_format = '%(m)s %(U)s %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'

_JSON = os.environ["LOG_FORMAT"].strip().lower() == "json"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "summit.logsafe.RedactFilter"}},
    "formatters": {
        "json": {"()": "summit.ops.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
                 "datefmt": "[%Y-%m-%d %H:%M:%S %z]"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                   "formatter": "json" if _JSON else "text", "filters": ["redact"]},
    },
    # The app adds its own handler to the root logger in each worker (summit/ops/logs.py).
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False,
                           "qualname": "gunicorn.error"},
        "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False,
                            "qualname": "gunicorn.access"},
    },
}
