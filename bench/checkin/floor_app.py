"""The floor: a minimal Flask endpoint doing one raw-SQL insert per request, nothing else.

Served by gunicorn exactly like Summit, so the difference is what Summit's check-in costs.
"""

from __future__ import annotations

import json
import os

import sqlalchemy as sa
from flask import Flask, request

url = os.environ["FLOOR_DATABASE_URL"]
engine = sa.create_engine(url, pool_size=5)
if url.startswith("sqlite"):
    @sa.event.listens_for(engine, "connect")
    def _pragmas(conn, _record):
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=15000")

app = Flask(__name__)


@app.post("/scan")
def scan():
    code = json.loads(request.get_data())["code"]
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO floor_scans (code) VALUES (:code)"), {"code": code})
    return {"result": "ok"}, 201
