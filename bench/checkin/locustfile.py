"""Locust: check-ins at a fixed rate (users x 2 per second), each with a different code."""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import constant_throughput, task
from locust.contrib.fasthttp import FastHttpUser

with open(os.environ["BENCH_CODES"]) as _fh:
    CODES = _fh.read().split()
random.shuffle(CODES)
_next = itertools.cycle(CODES)
PATH = os.environ["BENCH_PATH"]
TOKEN = os.environ.get("BENCH_TOKEN", "")


class Scanner(FastHttpUser):
    wait_time = constant_throughput(2)

    @task
    def scan(self):
        self.client.post(PATH, data=json.dumps({"code": next(_next)}),
                         headers={"Content-Type": "application/json",
                                  "Authorization": f"Bearer {TOKEN}"}, name="checkin")
