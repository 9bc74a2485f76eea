"""Ingest throughput: POST /api/v1/detentions/{id}/events under gunicorn (2 workers) on SQLite
or PostgreSQL, driven by wrk (bench/wrk/events.lua), next to a bare Flask + sqlite3 / psycopg
insert endpoint (bench/ingest_baseline.py) served twice: the same way as the app (the
project's worker model) and at its best (gunicorn sync workers with keep-alive). Runs
alternate; medians reported, and stored rows are counted afterwards (nothing lost, nothing
duplicated). Targets: app >= 0.8 of the same-served floor and >= 0.5 of the best-served one.
    .venv/bin/python bench/ingest.py [--backend sqlite|postgresql] [--runs 3] [--duration 15]
        [--warmup 5] [--connections 8]
"""
import json
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from sync import database  # noqa: E402

# The bare endpoint at its best: sync workers, each connection kept alive (wrk reuses it).
BEST = ["-k", "sync", "--keep-alive", "5"]

LUA = harness.ROOT / "bench" / "wrk" / "events.lua"


def ensure_wrk():
    """wrk from Debian's packages."""
    if shutil.which("wrk") is None:
        subprocess.run("apt-get update -qq && apt-get install -y -qq wrk", shell=True, check=True)


def wrk(base, env, connections, duration):
    """One wrk run; returns its JSON summary."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency",
                          "-s", str(LUA), base], env=env, capture_output=True, text=True, check=True)
    return json.loads([line for line in out.stdout.splitlines() if line.startswith('{"requests"')][-1])


def seed_detentions(base, n, work, progress=True):
    """Log in and record a facility and `n` detentions (arrested two hours ago) through the
    API; their ids go to `work`/ids.txt (wrk's script reads them). Returns the token."""
    token = harness.login(base)
    facility = harness.bench_facility(base, token)
    ids = []
    for i in tqdm(range(n), desc="detentions", disable=not progress):
        _, d = harness.call(base, "POST", "/api/v1/detentions", {
            "person": {"name": f"Bench {i}"}, "facility_id": facility["id"],
            "arrested_at": (datetime.now(timezone.utc) - timedelta(hours=2)).isoformat(),
            "arresting_authority": "police"}, token)
        ids.append(d["id"])
    (work / "ids.txt").write_text("\n".join(ids) + "\n")
    return token


def run_wrk(base, env, args):
    """A warm-up run (discarded: first requests fill caches), then the measured one; returns
    its summary plus requests/s and the server's CPU time per request."""
    warm = wrk(base, env, args.connections, args.warmup) if args.warmup else {"requests": 0, "non_2xx": 0}
    cpu_before = base.cpu_seconds()
    summary = wrk(base, env, args.connections, args.duration)
    ok = summary["requests"] - summary["non_2xx"]
    summary["ok_per_s"] = round(ok / (summary["duration_us"] / 1e6), 1)
    summary["server_cpu_ms_per_request"] = round(
        (base.cpu_seconds() - cpu_before) * 1000 / max(summary["requests"], 1), 2)
    summary["warmup_acknowledged"] = warm["requests"] - warm["non_2xx"]
    return summary


def evaluation_lag(url, limit=30):
    """Seconds after the load stops until the scheduler has evaluated every detention written
    to (none left with next_due_at in the past), or None after `limit` seconds."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        if harness.scalar(url, f"SELECT count(*) FROM detentions WHERE next_due_at < '{stamp}'") == 0:
            return round(time.monotonic() - start, 1)
        time.sleep(0.2)
    return None


def main():
    """Set up both servers' data, alternate runs, report medians and the ratio."""
    parser = harness.parser(__doc__)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=5, help="seconds of unmeasured load first")
    parser.add_argument("--detentions", type=int, default=200)
    args = parser.parse_args()
    ensure_wrk()
    occurred = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with harness.workdir() as work, database(args.backend, work) as url, \
            database(args.backend, work, name="baseline_run", file="baseline.sqlite3") as baseline_url:
        # The scheduler runs in the workers as in production: events are evaluated by its
        # evaluation tick (every EVALUATION_INTERVAL_SECONDS), and that work is measured too.
        env = harness.app_env(work, url, SCHEDULER_ENABLED="1")
        harness.prepare(env)
        baseline_env = dict(env, BASELINE_DB=baseline_url.removeprefix("sqlite:///"))
        sys.path.insert(0, str(harness.ROOT / "bench"))
        results = {"app": [], "baseline": [], "baseline_best": []}
        with harness.gunicorn(env) as base:
            token = seed_detentions(base, args.detentions, work)
        wrk_env = dict(env, IDS_FILE=str(work / "ids.txt"), TOKEN=token, OCCURRED_AT=occurred)
        subprocess.run([sys.executable, "-c", "import ingest_baseline; ingest_baseline.create_schema()"],
                       cwd=harness.ROOT / "bench", env=baseline_env, check=True)
        for _ in tqdm(range(args.runs), desc="runs"):
            with harness.gunicorn(env) as base:
                results["app"].append(run_wrk(base, wrk_env, args))
                results["app"][-1]["evaluation_lag_s"] = evaluation_lag(url)
            for name, serving in (("baseline", None), ("baseline_best", BEST)):
                with harness.gunicorn(baseline_env, app="ingest_baseline:app", cwd=harness.ROOT / "bench",
                                      config=False, ready_path="/", serving=serving) as base:
                    results[name].append(run_wrk(base, dict(wrk_env, PATH_TEMPLATE="/detentions/%s/events"), args))
        stored = harness.scalar(url, "SELECT count(*) FROM custody_events WHERE type = 'rights_notified'")
        acknowledged = sum(r["requests"] - r["non_2xx"] + r["warmup_acknowledged"] for r in results["app"])
    metrics = ("ok_per_s", "p50_ms", "p99_ms", "server_cpu_ms_per_request")
    med = {k: {m: harness.median([r[m] for r in v]) for m in metrics}
           for k, v in results.items()}
    harness.write_report(f"ingest-{args.backend}", {
        "backend": args.backend, "runs": args.runs, "duration_s": args.duration,
        "connections": args.connections,
        "app": med["app"], "baseline": med["baseline"], "baseline_best": med["baseline_best"],
        "ratio": round(med["app"]["ok_per_s"] / med["baseline"]["ok_per_s"], 3),
        "ratio_to_best": round(med["app"]["ok_per_s"] / med["baseline_best"]["ok_per_s"], 3),
        "non_2xx": {k: sum(r["non_2xx"] for r in v) for k, v in results.items()},
        "stored_events": stored, "acknowledged_events": acknowledged,
        "raw": results, "target_ratio": 0.8, "target_ratio_to_best": 0.5})


if __name__ == "__main__":
    main()
