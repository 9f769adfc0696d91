"""Summit for gunicorn, for the killed-workers test: a request carrying ``X-Test-Die:
after-commit`` kills its own worker (SIGKILL) once the app has answered it (the check-in
committed) and before one byte of the answer leaves. To the scanner that is a worker killed
between its commit and its answer, the moment issue 15 saw on PostgreSQL.

Only the tests serve this module (``gunicorn tests.checkin.dying_app:app``).
"""

from __future__ import annotations

import os
import signal

from summit import create_app

flask_app = create_app()


def app(environ, start_response):
    if environ.get("HTTP_X_TEST_DIE") != "after-commit":
        return flask_app(environ, start_response)

    def hold(status, headers, exc_info=None):
        return lambda data: None

    body = flask_app(environ, hold)
    for _chunk in body:
        pass
    close = getattr(body, "close", None)
    if close is not None:
        close()  # the request's teardown: everything done but the answer
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")
