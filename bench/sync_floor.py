"""The sync floor: the rows a 1000-item POST /sync stores, inserted with raw SQL in one
transaction (sqlite3 / psycopg, no framework, no validation, no sealing: fixed blobs).
    from sync_floor import insert_batch; insert_batch(url, body, facility_id, country)
"""
import json
import os
import uuid
from datetime import datetime, timezone

ROWS = {
    "persons": "id, identity_enc, sex, age, groups, created_at",
    "detentions": "id, person_id, facility_id, current_facility_id, country, arrested_at,"
                  " private_enc, juvenile, age_at_arrest, status, next_due_at,"
                  " fingerprint, received_at, created_at, updated_at",
    "custody_events": "id, detention_id, type, occurred_at, source, details, fingerprint, received_at",
    "visits": "id, facility_id, country, started_at, access, register_checked, detainees_interviewed,"
              " fingerprint, received_at, created_at",
    "visit_detentions": "visit_id, detention_id",
}


def _rows(body, facility_id, country, sqlite):
    """{table: [tuple]} of what the batch stores (the arrest event with each detention)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    key = (lambda v: uuid.UUID(v).hex) if sqlite else uuid.UUID
    at = (lambda v: datetime.fromisoformat(v).astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ")) \
        if sqlite else (lambda v: datetime.fromisoformat(v).astimezone(timezone.utc).replace(tzinfo=None))
    stamp = now.isoformat(" ") if sqlite else now
    blob = os.urandom(80)
    fac = key(facility_id)
    rows = {table: [] for table in ROWS}
    for d in body["detentions"]:
        person = uuid.uuid4()
        rows["persons"].append((key(str(person)), blob, "unknown", d["person"].get("age"), "[]", stamp))
        rows["detentions"].append((key(d["id"]), key(str(person)), fac, fac, country, at(d["arrested_at"]),
                                   blob, False, d["person"].get("age"),
                                   "in_custody", stamp, "f" * 64, stamp, stamp, stamp))
        rows["custody_events"].append((key(str(uuid.uuid4())), key(d["id"]), "arrest", at(d["arrested_at"]),
                                       "monitor_observation", "{}", "arrest", stamp))
    for e in body["events"]:
        rows["custody_events"].append((key(e["id"]), key(e["detention_id"]), e["type"], at(e["occurred_at"]),
                                       "monitor_observation", json.dumps(e["details"]), "f" * 64, stamp))
    for v in body["visits"]:
        rows["visits"].append((key(v["id"]), fac, country, at(v["started_at"]), v["access"], False, 0,
                               "f" * 64, stamp, stamp))
        rows["visit_detentions"] += [(key(v["id"]), key(d)) for d in v["detention_ids"]]
    return rows


def insert_batch(url, body, facility_id, country):
    """Insert the batch's rows in one transaction; returns how many rows were written."""
    sqlite = url.startswith("sqlite:///")
    rows = _rows(body, facility_id, country, sqlite)
    if sqlite:
        import sqlite3
        conn = sqlite3.connect(url[len("sqlite:///"):], timeout=30, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        mark = "?"
    else:
        import psycopg
        conn = psycopg.connect(url)
        mark = "%s"
    cursor = conn.cursor()
    for table, columns in ROWS.items():
        marks = ", ".join([mark] * len(columns.split(",")))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows[table])
    conn.execute("COMMIT") if sqlite else conn.commit()
    conn.close()
    return sum(len(r) for r in rows.values())
