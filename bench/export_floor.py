"""The export floor: the least work that writes the same NDJSON as `flask export`.

Plain sqlite3 / psycopg, no framework: per 2,000-row primary-key chunk one query for the
detentions with person and facility, one for their events, one for their stored outcomes;
an HMAC pseudonym and orjson per line. Same bytes as the application's export (bench/export.py
compares them).
    .venv/bin/python bench/export_floor.py DATABASE_URL SECRET_KEY NAMESPACE OUTPUT
"""
import hashlib
import hmac
import sys
import uuid
from datetime import datetime, timezone

import orjson

CHUNK = 2000
DETENTIONS = ("SELECT {id}, {person}, d.country, d.arrested_at, d.juvenile, d.age_at_arrest, d.status,"
              " d.ended_at, p.sex, {groups}, f.kind, f.jurisdiction FROM detentions d"
              " JOIN persons p ON p.id = d.person_id JOIN facilities f ON f.id = d.current_facility_id"
              " WHERE d.id > {mark} ORDER BY d.id LIMIT {chunk}")
EVENTS = ("SELECT {detention}, type, occurred_at FROM custody_events WHERE detention_id IN ({ids})"
          " ORDER BY detention_id, occurred_at, type")
OUTCOMES = "SELECT {id}, {outcomes} FROM detentions WHERE id IN ({ids})"


def pseudonymizer(secret_key, namespace):
    """The app's keyed pseudonym (monitor/crypto.py), rebuilt from its definition."""
    mac_key = hashlib.sha256(b"fingerprint:" + secret_key.encode()).digest()
    keyed = hmac.new(hmac.new(mac_key, b"pseudonym:" + namespace.encode(), hashlib.sha256).digest(),
                     digestmod=hashlib.sha256)

    def ref(value):
        mac = keyed.copy()
        mac.update(value.encode())
        return mac.hexdigest()[:24]
    return ref


def hours(start, end):
    """Elapsed hours rounded to 0.01 (the app's hours_between)."""
    return round((end - start).total_seconds() / 3600, 2)


def connect(url):
    """(connection, SQL pieces, time parser) for a sqlite:/// or postgresql:// URL."""
    if url.startswith("sqlite:///"):
        import sqlite3
        conn = sqlite3.connect(url[len("sqlite:///"):])
        dashed = lambda h: f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"  # noqa: E731
        return conn, {"id": "d.id", "person": "d.person_id", "groups": "p.groups", "mark": "?",
                      "detention": "detention_id", "outcomes": "outcomes", "param": "?"}, \
            datetime.fromisoformat, dashed
    import psycopg
    conn = psycopg.connect(url)
    return conn, {"id": "d.id::text", "person": "d.person_id::text", "groups": "p.groups::text",
                  "mark": "%s::uuid", "detention": "detention_id::text", "outcomes": "outcomes::text",
                  "param": "%s"}, (lambda v: v), (lambda v: v)


def export(url, secret_key, namespace, output):
    """Write every detention's research record; returns the number written."""
    conn, sql, when, dashed = connect(url)
    ref = pseudonymizer(secret_key, namespace)
    detentions = DETENTIONS.format(chunk=CHUNK, **sql)
    mark, count = ("" if sql["param"] == "?" else str(uuid.UUID(int=0))), 0
    with open(output, "wb") as out:
        while True:
            rows = conn.execute(detentions, (mark,)).fetchall()
            if not rows:
                break
            ids = [r[0] for r in rows]
            marks = ",".join([sql["param"]] * len(ids))
            events = {}
            for detention, kind, at in conn.execute(EVENTS.format(ids=marks, **sql), ids):
                events.setdefault(detention, []).append((kind, when(at)))
            outcomes = dict(conn.execute(OUTCOMES.format(ids=marks, id=sql["id"].replace("d.", ""),
                                                         outcomes=sql["outcomes"]), ids).fetchall())
            lines = []
            for (did, person, country, arrested, juvenile, age, status, ended, sex, groups, kind,
                 jurisdiction) in rows:
                naive = when(arrested)
                aware = naive.replace(tzinfo=timezone.utc)
                lines.append(orjson.dumps({
                    "person_ref": ref(dashed(person)), "sex": sex, "age_at_arrest": age,
                    "groups": sorted(orjson.loads(groups) or []), "juvenile": bool(juvenile),
                    "country": country, "jurisdiction": jurisdiction, "facility_kind": kind,
                    "arrest_month": f"{naive.year:04d}-{naive.month:02d}", "status": status,
                    "custody_hours": hours(naive, when(ended)) if ended else None,
                    "events": [{"type": k, "hours_after_arrest": hours(naive, at)}
                               for k, at in events.get(did, ())],
                    "safeguards": [{
                        "rule": o["rule"], "safeguard": o["safeguard"], "status": o["status"],
                        "severity": o.get("severity"),
                        "due_hours": hours(aware, datetime.fromisoformat(o["due_at"])) if o.get("due_at") else None,
                        "met_hours": hours(aware, datetime.fromisoformat(o["met_at"])) if o.get("met_at") else None}
                        for o in orjson.loads(outcomes[did] or "[]") or []],
                }))
            out.write(b"\n".join(lines) + b"\n")
            count += len(rows)
            mark = ids[-1]
    conn.close()
    return count


if __name__ == "__main__":
    print(export(*sys.argv[1:5]))
