"""The smallest server-sent-events stream (one event a second), served by gunicorn with
Summit's ``gunicorn.conf.py``: how many phones can hold a stream open at once?"""

import time


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    start_response("200 OK", [("Content-Type", "text/event-stream"),
                              ("Cache-Control", "no-store")])

    def stream():
        for n in range(int(environ.get("QUERY_STRING") or "15")):
            yield f"data: {n}\n\n".encode()
            time.sleep(1)

    return stream()
