"""Locust: a compressed summit morning (8:00-8:45), replayed from a plan made by run.py.

The plan (``MORNING_PLAN``, JSON) is an open-loop timetable: each action has a start time in
seconds from the start of the run, and a pool of ``Replayer`` users takes the actions in order
and waits until each one is due, so the arrival rates are the plan's whatever the server does:

- ``checkin``: a check-in lane's scanner posts a badge to the JSON API with its bearer token;
- ``open``: an attendee opens their personal link, lands on My summit, then opens their agenda
  (the phone keeps the session cookie for later actions);
- ``signup``: an attendee opens the breakout list and takes a seat (htmx POST with CSRF);
- ``plan``: an attendee works on their action plan: several autosaves a few seconds apart,
  each sending the version it started from, as the browser does.

Besides, ``Dashboard`` users (one per organizer) sign in and poll the live check-in counts
every 2 s with ``If-None-Match``, as the htmx page does.

Every acknowledged write is written to ``MORNING_ACKS`` (JSON) at the end, so run.py can check
that nothing acknowledged was lost. The run ends by itself once the timetable is done.
"""

from __future__ import annotations

import heapq
import json
import os
import re
import threading
import time
from http.cookiejar import CookieJar

import gevent
from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

with open(os.environ["MORNING_PLAN"]) as _fh:
    PLAN = json.load(_fh)
SLUG = PLAN["slug"]
ACTIONS = [(a["at"], i, a) for i, a in enumerate(PLAN["actions"])]
heapq.heapify(ACTIONS)
TOTAL = len(ACTIONS)
LOCK = threading.Lock()
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')
FORM_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

STATE = {"t0": None, "done": 0, "late": 0, "max_late": 0.0}
# Per attendee (by index): cookie jar and CSRF token once they opened their link.
PHONES: dict[int, dict] = {}
ACKS = {"checkins": [], "saves": {}, "signups": [], "dashboard": {"200": 0, "304": 0},
        "errors": []}


def now() -> float:
    return time.monotonic() - STATE["t0"]


@events.test_start.add_listener
def _start(environment, **_kw):
    STATE["t0"] = time.monotonic()

    def stop_when_done():
        deadline = PLAN["duration"] + PLAN.get("grace", 60)
        while STATE["done"] < TOTAL and now() < deadline:
            gevent.sleep(0.5)
        gevent.sleep(2)  # let the last dashboards poll once more
        environment.runner.quit()

    gevent.spawn(stop_when_done)


@events.test_stop.add_listener
def _stop(environment, **_kw):
    ACKS["schedule"] = {"done": STATE["done"], "total": TOTAL, "late_over_1s": STATE["late"],
                        "max_late_s": round(STATE["max_late"], 2)}
    ACKS["saves"] = [dict(v, key=k) for k, v in ACKS["saves"].items()]
    with open(os.environ["MORNING_ACKS"], "w") as fh:
        json.dump(ACKS, fh)


def _error(what: str, response) -> None:
    """Keep a sample of what went wrong (status 0: no HTTP answer, e.g. a reset connection)."""
    if len(ACKS["errors"]) < 200:
        status = getattr(response, "status_code", None)
        try:
            body = (response.text or "")[:200] if status else ""
        except Exception:  # noqa: BLE001 - geventhttpclient has no body without a response
            body = ""
        ACKS["errors"].append({"what": what, "status": status, "body": body,
                               "error": repr(getattr(response, "error", None))[:200]})


class Replayer(FastHttpUser):
    """Takes the next due action from the shared timetable."""

    fixed_count = int(os.environ.get("MORNING_POOL", "150"))
    wait_time = constant(0)
    # A browser resends a request that went out on a keep-alive connection the server had just
    # closed (gunicorn closes idle ones after 5 s); without this, that race counts as an error.
    max_retries = 1

    @task
    def next_action(self):
        with LOCK:
            item = None if not ACTIONS else heapq.heappop(ACTIONS)
        if item is None:
            gevent.sleep(1)
            return
        at, _, action = item
        delay = at - now()
        if delay > 0:
            gevent.sleep(delay)
        else:
            STATE["max_late"] = max(STATE["max_late"], -delay)
            if delay < -1:
                STATE["late"] += 1
        try:
            getattr(self, "do_" + action["kind"])(action)
        finally:
            STATE["done"] += 1

    # --- phones -------------------------------------------------------------------------------

    def _use(self, jar: CookieJar) -> None:
        self.client.cookiejar = jar
        self.client.client.cookiejar = jar

    def _phone(self, a: dict) -> dict | None:
        """The attendee's phone: opens their personal link first if it never did."""
        phone = PHONES.get(a["who"])
        if phone is not None:
            self._use(phone["jar"])
            return phone
        return self._open_link(a)

    def _open_link(self, a: dict) -> dict | None:
        jar = CookieJar()
        self._use(jar)
        with self.client.get(f"/me/{a['secret']}", name="/me/<secret> (personal link)",
                             allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"personal link answered {r.status_code}")
                _error("link", r)
                return None
        with self.client.get(f"/e/{SLUG}/me", name="/e/<slug>/me (My summit)",
                             catch_response=True) as r:
            token = CSRF.search(r.text or "") if r.status_code == 200 else None
            if token is None:
                r.failure(f"My summit answered {r.status_code} without a CSRF token")
                _error("my summit", r)
                return None
        phone = {"jar": jar, "csrf": token.group(1)}
        PHONES[a["who"]] = phone
        return phone

    def do_open(self, a: dict) -> None:
        if self._open_link(a) is None:
            return
        self.client.get(f"/e/{SLUG}/agenda", name="/e/<slug>/agenda")

    def do_signup(self, a: dict) -> None:
        phone = self._phone(a)
        if phone is None:
            return
        self.client.get(f"/e/{SLUG}/breakouts", name="/e/<slug>/breakouts (browse)",
                        headers={"HX-Request": "true"})
        with self.client.post(
                f"/e/{SLUG}/breakouts/{a['session']}/join", name="/e/<slug>/breakouts/<id>/join",
                headers={"HX-Request": "true", "X-CSRFToken": phone["csrf"]},
                catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"join answered {r.status_code}")
                _error("join", r)
            else:
                ACKS["signups"].append({"who": a["who"], "session": a["session"]})

    def do_plan(self, a: dict) -> None:
        phone = self._phone(a)
        if phone is None:
            return
        base = 0
        for n in range(a["saves"]):
            value = f"Draft {n + 1} by attendee {a['who']}: pilot AI guidance with our principals."
            with self.client.post(
                    f"/e/{SLUG}/plan/{a['plan']}/save", name="/e/<slug>/plan/<id>/save (autosave)",
                    data={"question": a["question"], "field": "", "value": value, "base": base},
                    headers={"HX-Request": "true", "X-CSRFToken": phone["csrf"]},
                    catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"autosave answered {r.status_code}")
                    _error("autosave", r)
                    return
                base = int(r.headers.get("X-Answer-Version") or 0)
                ACKS["saves"][f"{a['plan']}:{a['question']}"] = {
                    "plan": a["plan"], "question": a["question"], "value": value,
                    "version": base}
            gevent.sleep(a["pauses"][n])

    # --- the door ------------------------------------------------------------------------------

    def do_checkin(self, a: dict) -> None:
        self._use(CookieJar())  # a scanner app: bearer token, no cookies
        with self.client.post(
                f"/api/v1/events/{SLUG}/checkins", name="/api/v1/events/<slug>/checkins",
                data=json.dumps({"code": a["code"], "nonce": a["nonce"]}),
                headers={"Authorization": f"Bearer {a['token']}",
                         "Content-Type": "application/json"},
                catch_response=True) as r:
            if r.status_code in (200, 201):
                ACKS["checkins"].append({"code": a["code"], "status": r.status_code})
            else:
                r.failure(f"check-in answered {r.status_code}")
                _error("checkin", r)


class Dashboard(FastHttpUser):
    """An organizer's live-counts page: signs in, then polls the fragment every 2 s."""

    fixed_count = int(PLAN["dashboards"])
    wait_time = between(1.9, 2.1)  # the page polls every 2 s (hx-trigger)
    max_retries = 1
    _next_id = 0

    def on_start(self):
        Dashboard._next_id += 1
        me = PLAN["organizers"][(Dashboard._next_id - 1) % len(PLAN["organizers"])]
        gevent.sleep(Dashboard._next_id * 0.3)  # people sit down one after the other
        page = self.client.get("/login", name="/login")
        token = FORM_CSRF.search(page.text or "")
        with self.client.post("/login", name="/login (POST)", allow_redirects=False,
                              data={"email": me["email"], "password": me["password"],
                                    "csrf_token": token.group(1) if token else ""},
                              catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"sign-in answered {r.status_code}")
                _error("login", r)
                raise StopUser()
        self.etag = None
        self.client.get(f"/admin/e/{SLUG}/checkin/live", name="/admin/e/<slug>/checkin/live")

    @task
    def poll(self):
        headers = {"HX-Request": "true"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        with self.client.get(f"/admin/e/{SLUG}/checkin/live",
                             name="/admin/e/<slug>/checkin/live (htmx poll)", headers=headers,
                             catch_response=True) as r:
            if r.status_code == 304:
                ACKS["dashboard"]["304"] += 1
                r.success()
            elif r.status_code == 200:
                ACKS["dashboard"]["200"] += 1
                self.etag = r.headers.get("ETag") or self.etag
            else:
                r.failure(f"live counts answered {r.status_code}")
                _error("dashboard", r)
