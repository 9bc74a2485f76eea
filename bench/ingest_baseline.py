"""The yardstick for bench/ingest.py: a bare Flask endpoint that inserts the same event row
into SQLite with the standard library (WAL, one connection per request), or into PostgreSQL
with psycopg when BASELINE_DB is a postgresql:// URL (one connection per worker), nothing else."""
import json
import os
import sqlite3
import uuid
from datetime import datetime, timezone

from flask import Flask, request

DB = os.environ.get("BASELINE_DB", "/tmp/baseline.sqlite3")
app = Flask(__name__)
MARK = "%s" if DB.startswith("postgresql://") else "?"


POSTGRES = DB.startswith("postgresql://")
_PG = []


def connect():
    """A connection with the same pragmas the application uses (PostgreSQL: the worker's one)."""
    if POSTGRES:
        import psycopg
        if not _PG or _PG[0].closed:
            _PG[:] = [psycopg.connect(DB, autocommit=True)]
        return _PG[0]
    conn = sqlite3.connect(DB, timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def create_schema():
    """The events table."""
    connect().execute("CREATE TABLE IF NOT EXISTS custody_events (id TEXT PRIMARY KEY, detention_id TEXT,"
                      " type TEXT, occurred_at TEXT, source TEXT, details TEXT, received_at TEXT)")


@app.post("/detentions/<detention_id>/events")
def add_event(detention_id):
    """Parse, insert, answer 201."""
    body = request.get_json()
    conn = connect()
    try:
        conn.execute("INSERT INTO custody_events VALUES ({})".format(", ".join([MARK] * 7)), (
            str(uuid.UUID(body["id"])), detention_id, body["type"], body["occurred_at"],
            body.get("source", ""), json.dumps(body.get("details", {})),
            datetime.now(timezone.utc).isoformat()))
    finally:
        if not POSTGRES:
            conn.close()
    return {"id": body["id"]}, 201
