"""Load and integrity: 16 concurrent writers (wrk, bench/wrk/load.lua) against gunicorn with
2 workers, on SQLite and on PostgreSQL (a throwaway cluster from .ci/postgres.sh). The writes mix
new detentions and rights_notified events, each with a fresh client UUID, so every 2xx is one new
row; rows are counted afterwards. Targets: no 5xx, nothing lost, nothing duplicated; p50/p99.
    .venv/bin/python bench/load.py [--backend both] [--duration 60] [--connections 16]
"""
import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from ingest import ensure_wrk  # noqa: E402

LUA = harness.ROOT / "bench" / "wrk" / "load.lua"
PG = harness.ROOT / ".ci" / "postgres.sh"
QUERIES = {  # stored ids per kind; arrest events per detention
    "det": "SELECT id FROM detentions",
    "ev": "SELECT id FROM custody_events WHERE type = 'rights_notified'",
    "arrests": "SELECT detention_id FROM custody_events WHERE type = 'arrest'",
}


@contextmanager
def database(backend, work):
    """DATABASE_URL of a fresh database; a PostgreSQL cluster is stopped whatever happens."""
    if backend == "sqlite":
        yield f"sqlite:///{work}/bench.sqlite3"
        return
    pgdir = tempfile.mkdtemp(prefix="monitor-bench-pg-")  # outside `work`: postgres must reach it
    try:
        out = subprocess.run([str(PG), "start", pgdir, str(harness.free_port())],
                             capture_output=True, text=True, check=True)
        yield out.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(PG), "stop", pgdir], capture_output=True)
        shutil.rmtree(pgdir, ignore_errors=True)


def stored_ids(url):
    """Lists of ids (as uuid.UUID, duplicates kept) per QUERIES entry in the database at `url`."""
    conn = sqlite3.connect(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else psycopg.connect(url)
    try:
        return {k: [uuid.UUID(str(r[0])) for r in conn.execute(sql)] for k, sql in QUERIES.items()}
    finally:
        conn.close()


def integrity(rows, acked, pending):
    """Compare stored ids with acknowledged (2xx) and pending (sent, no 2xx) ids of one kind."""
    stored = set(rows)
    return {"acknowledged": len(acked), "stored": len(stored), "lost": len(acked - stored),
            "in_flight_stored": len(stored & pending),  # no 2xx seen, e.g. cut off when wrk stopped
            "duplicated": len(rows) - len(stored) + len(stored - acked - pending)}


def iso(delta):
    """UTC now minus `delta`, ISO 8601 with Z."""
    return (datetime.now(timezone.utc) - delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_backend(backend, args):
    """Fresh database and server, pre-created detentions, one wrk run, then the stored ids."""
    with harness.workdir() as work, database(backend, work) as url:
        env = harness.app_env(work, url)
        harness.prepare(env)
        with harness.gunicorn(env, workers=2, log=work / "gunicorn.log") as base:
            token = harness.login(base)
            status, facility = harness.call(base, "POST", "/api/v1/facilities", {
                "name": "Load", "kind": "police_station", "country": "MX",
                "timezone": "America/Mexico_City"}, token)
            assert status == 201, facility
            ids = []
            for i in tqdm(range(args.detentions), desc=f"{backend}: detentions"):
                status, d = harness.call(base, "POST", "/api/v1/detentions", {
                    "person": {"name": f"Load {i}"}, "facility_id": facility["id"],
                    "arrested_at": iso(timedelta(hours=2)), "arresting_authority": "police"}, token)
                assert status == 201, d
                ids.append(d["id"])
            (work / "ids.txt").write_text("\n".join(ids) + "\n")
            wrk_env = dict(env, IDS_FILE=str(work / "ids.txt"), TOKEN=token, FACILITY_ID=facility["id"],
                           ARRESTED_AT=iso(timedelta(hours=2)), OCCURRED_AT=iso(timedelta(hours=1)),
                           ACK_FILE=str(work / "ack.txt"))
            print(f"{backend}: wrk -c{args.connections} for {args.duration} s", file=sys.stderr)
            out = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s",
                                  "--timeout", "30s", "--latency", "-s", str(LUA), base],
                                 env=wrk_env, capture_output=True, text=True, check=True)
        summary = json.loads([x for x in out.stdout.splitlines() if x.startswith('{"requests"')][-1])
        return analyse(backend, args, summary, stored_ids(url), (work / "ack.txt").read_text(),
                       set(map(uuid.UUID, ids)), (work / "gunicorn.log").read_text(errors="replace"))


def analyse(backend, args, s, rows, ack_lines, pre, log):
    """The report: wrk's figures, and stored ids against acknowledged and pending ones per kind."""
    sent = defaultdict(set)  # ("acked" | "pending", "det" | "ev") -> ids
    for line in ack_lines.splitlines():
        state, kind, id_ = line.split()
        sent[state, kind].add(uuid.UUID(id_))
    kinds = {name: integrity([i for i in rows[k] if i not in pre], sent["acked", k], sent["pending", k])
             | {"replayed_200": s[k + "_200"]} for name, k in (("detentions", "det"), ("events", "ev"))}
    per_detention = Counter(rows["arrests"])
    kinds["arrest_events"] = {"detentions_without": sum(per_detention[d] == 0 for d in rows["det"]),
                              "extra": sum(c - 1 for c in per_detention.values() if c > 1)}
    report = {
        "backend": backend, "workers": 2, "connections": args.connections, "duration_s": args.duration,
        "requests": s["requests"], "ok_per_s": round(s["s2xx"] / (s["duration_us"] / 1e6), 1),
        "p50_ms": s["p50_ms"], "p99_ms": s["p99_ms"], "mean_ms": s["mean_ms"],
        "count_5xx": s["s5xx"], "count_4xx": s["s4xx"], "non_2xx": s["requests"] - s["s2xx"],
        "socket_errors": s["socket_errors"], "timeouts": s["timeouts"],
        "unmatched_2xx": s["s2xx"] - sum(s[k] for k in ("det_201", "det_200", "ev_201", "ev_200")), **kinds,
        "lost": kinds["detentions"]["lost"] + kinds["events"]["lost"]
        + kinds["arrest_events"]["detentions_without"],
        "duplicated": kinds["detentions"]["duplicated"] + kinds["events"]["duplicated"]
        + kinds["arrest_events"]["extra"],
        "server_tracebacks": log.count("Traceback"),
        "targets": {"5xx": 0, "lost": 0, "duplicated": 0},
    }
    if report["server_tracebacks"]:
        report["server_log_tail"] = log[-3000:]
    return report


def main():
    """Run each requested backend, write bench/out/load-<backend>.json, fail on 5xx/lost/dup."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--detentions", type=int, default=50, help="pre-created targets for events")
    args = parser.parse_args()
    ensure_wrk()
    failed = False
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        report = run_backend(backend, args)
        harness.write_report(f"load-{backend}", report)
        failed |= bool(report["count_5xx"] or report["lost"] or report["duplicated"])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
