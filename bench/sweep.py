"""Sweep cost over a generated data set (seed/bulk.py via bench/datasets.py): N detentions,
of which --due are late-recorded arrests just fallen due, the others evaluated at the
data set's `now` (their next due times lie ahead), on SQLite or PostgreSQL.

Each run takes a fresh copy of the data set and, in a child process under /usr/bin/time -v,
times idle sweeps (nothing due), the sweep that finds the due ones, and idle sweeps again.
Targets: 10,000 newly due among 1,000,000 in < 3 s; idle < 10 ms. Medians of --runs.
    .venv/bin/python bench/sweep.py [--backend sqlite|postgresql] [--detentions 1000000] [--due 10000] [--runs 3]
"""
import argparse
import json
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import datasets  # noqa: E402
import harness  # noqa: E402


def measure(database_url, secret, jwt_secret, data_key, now_text):
    """In this process: idle sweeps, the due sweep, idle again; prints one JSON line."""
    from monitor import create_app
    from monitor.services.evaluation.sweep import sweep
    now = datetime.fromisoformat(now_text)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret,
                      "JWT_SECRET_KEY": jwt_secret, "DATA_KEY": data_key})
    from monitor import gctuning, walcheckpoint
    # As the processes the scheduler sweeps in (gunicorn's workers: gunicorn.conf.py; `flask
    # scheduler`) do: WAL checkpoints from a thread of their own, the collector settled.
    checkpointer = walcheckpoint.start(app)
    gctuning.settle()
    with app.app_context():
        idle = []
        for _ in range(5):
            start = time.perf_counter()
            report = sweep(now - timedelta(hours=2))
            idle.append(time.perf_counter() - start)
            assert report["examined"] == 0
        start = time.perf_counter()
        report = sweep(now, app.config["SWEEP_BATCH_SIZE"])  # the batch size the scheduler uses
        due_seconds = time.perf_counter() - start
        after = []
        for _ in range(5):
            start = time.perf_counter()
            again = sweep(now)
            after.append(time.perf_counter() - start)
            assert again["examined"] == 0
    if checkpointer is not None:
        checkpointer.stop()
    print(json.dumps({"idle_ms": [round(t * 1000, 2) for t in idle],
                      "due_sweep_seconds": round(due_seconds, 3), "examined": report["examined"],
                      "flags_raised": report["raised"],
                      "idle_after_ms": [round(t * 1000, 2) for t in after]}))


def main():
    """Per run: a fresh copy of the data set, then measure in a child under /usr/bin/time -v."""
    parser = harness.dataset_parser(__doc__)
    parser.add_argument("--measure", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(*args.measure)
    runs = []
    for _ in range(args.runs):
        with harness.workdir() as work, datasets.dataset(args.backend, args.detentions, args.due, work,
                                                         fresh=True) as env:
            child = subprocess.run(
                ["/usr/bin/time", "-v", sys.executable, __file__, "--measure", env["DATABASE_URL"],
                 env["SECRET_KEY"], env["JWT_SECRET_KEY"], env["DATA_KEY"], env["BENCH_NOW"]],
                cwd=harness.ROOT, env=env, capture_output=True, text=True)
            assert child.returncode == 0, child.stderr[-3000:]
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            figures["peak_rss_mb"] = round(int(re.search(
                r"Maximum resident set size \(kbytes\): (\d+)", child.stderr).group(1)) / 1024, 1)
            assert figures["examined"] == args.due
            runs.append(figures)
            print(json.dumps(figures), flush=True)
    harness.write_report(f"sweep-{args.backend}-{args.detentions}", {
        "backend": args.backend, "detentions": args.detentions, "due": args.due, "runs": runs,
        "due_sweep_median_s": harness.median([r["due_sweep_seconds"] for r in runs]),
        "idle_median_ms": harness.median([t for r in runs for t in r["idle_ms"] + r["idle_after_ms"]]),
        "targets": {"due_sweep_seconds": 3, "idle_ms": 10}})


if __name__ == "__main__":
    main()
