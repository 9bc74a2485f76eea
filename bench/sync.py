"""Field sync: a 1000-item batch: 100 detentions (each with its arrest event plus 8 more:
9 events a detention) and 100 visits = 100 + 800 + 100 items, on SQLite or PostgreSQL.

Runs the real app under gunicorn (2 workers), sends --runs fresh batches and one replay; after
each batch, the floor (bench/sync_floor.py: the same rows by raw SQL in one transaction) stores
another fresh batch into the same database. Median seconds per batch (target < 0.5 s) and the
ratio floor / app.
    .venv/bin/python bench/sync.py [--backend sqlite|postgresql] [--runs 5]
"""
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402
import harness  # noqa: E402
from sync_floor import insert_batch  # noqa: E402

EVENT_TYPES = ["rights_notified", "lawyer_requested", "family_notified", "medical_exam",
               "interrogation", "lawyer_access", "family_contact", "judicial_appearance"]


def batch(facility_id, now):
    """100 detentions, 8 events each besides the arrest, 100 visits: 1000 items with client ids."""
    detentions, events, visits = [], [], []
    for i in range(100):
        did = str(uuid.uuid4())
        arrested = now - timedelta(hours=30 + i % 20)
        detentions.append({"id": did, "person": {"name": f"Sync Person {i}", "age": 20 + i % 50},
                           "facility_id": facility_id, "arrested_at": arrested.isoformat(),
                           "arresting_authority": "Policía"})
        for k, kind in enumerate(EVENT_TYPES):
            details = {"interrogation": {"lawyer_present": k % 2 == 0},
                       "medical_exam": {"examiner": "independent", "injuries_observed": False},
                       "judicial_appearance": {"outcome": "remanded"},
                       "family_contact": {"kind": "call"}}.get(kind, {})
            events.append({"id": str(uuid.uuid4()), "detention_id": did, "type": kind,
                           "occurred_at": (arrested + timedelta(hours=1 + k)).isoformat(),
                           "details": details})
    for i in range(100):
        visits.append({"id": str(uuid.uuid4()), "facility_id": facility_id,
                       "started_at": (now - timedelta(hours=2)).isoformat(), "access": "full",
                       "detention_ids": [detentions[i]["id"]]})
    return {"detentions": detentions, "events": events, "visits": visits}


def main():
    """Run the benchmark and print the figures."""
    parser = harness.parser(__doc__, runs=5)
    args = parser.parse_args()
    with harness.workdir() as work, database(args.backend, work) as url:
        env = harness.app_env(work, url)
        harness.prepare(env)
        with harness.gunicorn(env) as base:
            token = harness.login(base)
            facility = harness.bench_facility(base, token)
            timings, floors, replay = [], [], None
            for _ in tqdm(range(args.runs), desc="batches"):
                body = batch(facility["id"], datetime.now(timezone.utc))
                start = time.perf_counter()
                status, result = harness.call(base, "POST", "/api/v1/sync", body, token)
                timings.append(time.perf_counter() - start)
                assert status == 200, (status, result)
                statuses = {r["status"] for r in result["results"]}
                assert status == 200 and statuses == {"created"}, (status, statuses)
                other = batch(facility["id"], datetime.now(timezone.utc))
                start = time.perf_counter()
                insert_batch(url, other, facility["id"], "MX")
                floors.append(time.perf_counter() - start)
            start = time.perf_counter()
            status, result = harness.call(base, "POST", "/api/v1/sync", body, token)
            replay = time.perf_counter() - start
            assert {r["status"] for r in result["results"]} == {"unchanged"}
    harness.write_report(f"sync-{args.backend}", {
        "backend": args.backend, "items_per_batch": 1000, "runs": args.runs,
        "seconds_per_batch": [round(t, 3) for t in timings],
        "floor_seconds": [round(t, 3) for t in floors],
        "median_seconds": round(harness.median(timings), 3),
        "floor_median_seconds": round(harness.median(floors), 3),
        "ratio_floor_to_app": round(harness.median(floors) / harness.median(timings), 3),
        "replay_seconds": round(replay, 3), "target_seconds": 0.5})


@contextmanager
def database(backend, work, name="sync_run", file="bench.sqlite3"):
    """DATABASE_URL of an empty database: a file in `work`, or one in the kept cluster."""
    if backend == "sqlite":
        yield f"sqlite:///{work}/{file}"
        return
    with datasets.pg_cluster(reuse=True) as server:
        datasets.psql(f"DROP DATABASE IF EXISTS {name}")
        datasets.psql(f"CREATE DATABASE {name}")
        yield f"{server}/{name}"


if __name__ == "__main__":
    main()
