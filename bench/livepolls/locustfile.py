"""Phones in a keynote's live room (``bench/livepolls/run.py`` starts this).

Each simulated phone polls the room's live fragment with If-None-Match as often as
``templates/live/_room_live.html`` says (``live.services.phone_poll_seconds``: every 10 s in
a keynote of 3,000); in the vote phase each phone answers the open poll once, at a random
moment of the vote window, as ``static/js/live.js`` sends it (with the page's ETag; the
answer carries the phone's poll section and a new ETag); a few upvote questions and ask one,
at the issue's hourly rates. Session cookies and CSRF tokens are made by run.py (no
sign-in load).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time

from locust import FastHttpUser, events, task

USERS = json.loads(open(os.environ["LIVEPOLLS_USERS"]).read())  # noqa: SIM115
SETUP = USERS["setup"]
POLL_SECONDS = SETUP.get("poll_seconds", 3)
PEOPLE = USERS["people"]
_next = itertools.count()
VOTE_WINDOW = float(os.environ.get("LIVEPOLLS_VOTE_SECONDS", "0"))  # 0: no vote phase
ACKS: list[float] = []
T0 = time.time()
# The hour: 10,000 upvotes and 300 questions, about 2.8 upvotes and one question per
# 12 s, whatever the phones' polling rate (one upvote per N polls, N from that rate).
_POLLS_PER_SECOND = len(PEOPLE) / POLL_SECONDS
# run.py sets 0 for the idle phase: nobody upvotes or asks.
UPVOTE_EVERY = float(os.environ.get("LIVEPOLLS_UPVOTE_EVERY", _POLLS_PER_SECOND * 0.36))
ASK_EVERY = float(os.environ.get("LIVEPOLLS_ASK_EVERY", _POLLS_PER_SECOND * 12))


@events.test_stop.add_listener
def _dump(environment, **_kw):
    path = os.environ.get("LIVEPOLLS_ACKS")
    if path:
        with open(path, "w") as f:
            json.dump(ACKS, f)


class Phone(FastHttpUser):
    def wait_time(self):
        """The page's polling rhythm, except that a phone answers the poll at its own moment
        of the vote window (a person taps when they have read the question), not at its next
        poll: the 3,000 answers arrive within the window, about 100 a second."""
        if self.vote_at is not None and not self.voted:
            until = self.vote_at - time.time()
            if 0 < until < POLL_SECONDS:
                return until
        return POLL_SECONDS

    def on_start(self):
        self.me = PEOPLE[next(_next) % len(PEOPLE)]
        self.headers = {"Cookie": f"{SETUP['cookie_name']}={self.me['cookie']}"}
        self.etag = self.me.get("etag")
        self.voted = False
        start = float(os.environ.get("LIVEPOLLS_VOTE_START", "0")) or time.time()
        self.vote_at = start + random.uniform(0, VOTE_WINDOW) if VOTE_WINDOW else None
        opened = random.uniform(0, POLL_SECONDS)  # pages opened at different moments
        if self.vote_at is not None:
            opened = min(opened, max(0.0, self.vote_at - time.time()))
        time.sleep(opened)

    @task
    def poll(self):
        if self.vote_at is not None and not self.voted and time.time() >= self.vote_at:
            self.vote()
            return
        headers = dict(self.headers)
        if self.etag:
            headers["If-None-Match"] = self.etag
        with self.client.get(SETUP["live"], headers=headers, name="GET live (phone poll)",
                             catch_response=True) as r:
            if r.status_code in (200, 304):
                self.etag = r.headers.get("ETag") or self.etag
                r.success()
        roll = random.random()
        if UPVOTE_EVERY and roll < 1 / UPVOTE_EVERY and SETUP["questions"]:
            self.post(SETUP["upvote"].format(id=random.choice(SETUP["questions"])), {},
                      "POST upvote")
            self.etag = None  # live.js fetches the room after an upvote
        elif ASK_EVERY and roll > 1 - 1 / ASK_EVERY:
            self.post(SETUP["ask"], {"text": f"Question from {self.me['n']}", "anonymous": "1",
                                     "client_key": f"bench-{self.me['n']}-{random.random()}"},
                      "POST ask")

    def post(self, url, form, name, headers=None):
        headers = {**self.headers, "X-Live-Queue": "1",
                   "Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        body = "&".join(f"{k}={v}" for k, v in {**form, "csrf_token": self.me["csrf"]}.items())
        with self.client.post(url, data=body, headers=headers, name=name,
                              catch_response=True) as r:
            if r.status_code == 200:
                r.success()
            else:
                r.failure(f"{r.status_code} {(r.text or '')[:80]}")
            return r

    def vote(self):
        """As static/js/live.js sends a vote: with the page's ETag, answered with the phone's
        poll section and the room's new ETag (no second request)."""
        self.voted = True
        option = random.choice(SETUP["options"])
        r = self.post(SETUP["vote"], {"option": option}, "POST vote",
                      {"X-Live-Poll": "1", "X-Live-ETag": self.etag or ""})
        if r.status_code == 200:
            ACKS.append(time.time())
            try:
                self.etag = json.loads(r.text)["etag"]
            except (ValueError, KeyError):
                self.etag = None  # the page would fetch the room again
