"""The yardstick for bench/ingest.py: a bare Flask endpoint that inserts the same event row
into SQLite with the standard library (WAL, one connection per request), nothing else."""
import json
import os
import sqlite3
import uuid
from datetime import datetime, timezone

from flask import Flask, request

DB = os.environ.get("BASELINE_DB", "/tmp/baseline.sqlite3")
app = Flask(__name__)


def connect():
    """A connection with the same pragmas the application uses."""
    conn = sqlite3.connect(DB, timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def create_schema():
    """The events table."""
    with connect() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS custody_events (id TEXT PRIMARY KEY, detention_id TEXT,"
                     " type TEXT, occurred_at TEXT, source TEXT, details TEXT, received_at TEXT)")


@app.post("/detentions/<detention_id>/events")
def add_event(detention_id):
    """Parse, insert, answer 201."""
    body = request.get_json()
    conn = connect()
    try:
        conn.execute("INSERT INTO custody_events VALUES (?, ?, ?, ?, ?, ?, ?)", (
            str(uuid.UUID(body["id"])), detention_id, body["type"], body["occurred_at"],
            body.get("source", ""), json.dumps(body.get("details", {})),
            datetime.now(timezone.utc).isoformat()))
    finally:
        conn.close()
    return {"id": body["id"]}, 201
