"""Sweep cost: N open detentions on SQLite, of which --due have just fallen due.

Generates the data (progress bar), then, in a fresh process run under /usr/bin/time -v,
times idle sweeps (nothing due) and the sweep that finds the due ones, and reports peak
memory. Targets: 10,000 newly due among 1,000,000 in under 10 s; idle under 100 ms.
    .venv/bin/python bench/sweep.py [--detentions 1000000] [--due 10000]
"""
import argparse
import json
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import harness  # noqa: E402


def build(env, detentions, due, now):
    """Migrate and fill the database."""
    harness.flask(env, "db", "upgrade")
    from seed.bulk import generate
    from monitor import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
                      "JWT_SECRET_KEY": env["JWT_SECRET_KEY"], "DATA_KEY": env["DATA_KEY"]})
    with app.app_context():
        generate(detentions, due, now, app.extensions["monitor.cipher"])


def measure(database_url, secret, jwt_secret, data_key, now_text):
    """In this process: idle sweeps, the due sweep, idle again; prints one JSON line."""
    from monitor import create_app
    from monitor.services.sweep import sweep
    now = datetime.fromisoformat(now_text)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret,
                      "JWT_SECRET_KEY": jwt_secret, "DATA_KEY": data_key})
    with app.app_context():
        idle = []
        for _ in range(5):
            start = time.perf_counter()
            report = sweep(now - timedelta(hours=2))
            idle.append(time.perf_counter() - start)
            assert report["examined"] == 0
        start = time.perf_counter()
        report = sweep(now)
        due_seconds = time.perf_counter() - start
        after = []
        for _ in range(5):
            start = time.perf_counter()
            again = sweep(now)
            after.append(time.perf_counter() - start)
            assert again["examined"] == 0
    print(json.dumps({"idle_ms": [round(t * 1000, 2) for t in idle],
                      "due_sweep_seconds": round(due_seconds, 3), "examined": report["examined"],
                      "flags_raised": report["raised"],
                      "idle_after_ms": [round(t * 1000, 2) for t in after]}))


def main():
    """Generate, then measure in a child process under /usr/bin/time -v."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--detentions", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--measure", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(*args.measure)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    with harness.workdir() as work:
        env = harness.app_env(work)
        start = time.perf_counter()
        build(env, args.detentions, args.due, now)
        generated = time.perf_counter() - start
        child = subprocess.run(
            ["/usr/bin/time", "-v", sys.executable, __file__, "--measure", env["DATABASE_URL"],
             env["SECRET_KEY"], env["JWT_SECRET_KEY"], env["DATA_KEY"], now.isoformat()],
            cwd=harness.ROOT, env=env, capture_output=True, text=True, check=True)
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", child.stderr).group(1))
        size_mb = (work / "bench.sqlite3").stat().st_size / 1e6
    harness.write_report("sweep", {
        "detentions": args.detentions, "due": args.due, "generate_seconds": round(generated, 1),
        "database_mb": round(size_mb, 1), **figures,
        "idle_median_ms": harness.median(figures["idle_ms"]),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "targets": {"due_sweep_seconds": 10, "idle_ms": 100}})


if __name__ == "__main__":
    main()
