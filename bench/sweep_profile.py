"""Where a large sweep's time goes, by phase: the due sweep of bench/sweep.py on a fresh copy of
the data set, each phase of each batch timed (wall) and the process's CPU time beside it.

With SWEEP_CPROFILE=path, the due sweep also runs under cProfile (its stats written there).
Phases: loading the batch (rows and locks), reading its events, evaluation, the one UPDATE of
outcomes and due times, the statistics' facts, the flags, and the commit.
    .venv/bin/python bench/sweep_profile.py [--backend sqlite|postgresql] [--detentions N] [--due N] [--runs 1]
"""
import argparse
import cProfile
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import datasets  # noqa: E402
import harness  # noqa: E402


def measure(database_url, secret, jwt_secret, data_key, now_text):
    """In this process: the due sweep with its phases timed; prints one JSON line."""
    from monitor import create_app, gctuning, walcheckpoint
    from monitor.services.evaluation import sweep as module
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret,
                      "JWT_SECRET_KEY": jwt_secret, "DATA_KEY": data_key, "SCHEDULER_ENABLED": False})
    checkpointer = walcheckpoint.start(app)
    gctuning.settle()
    spent: dict[str, float] = defaultdict(float)

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start
        return wrapper

    unit = module.unit_of_work

    @contextmanager
    def unit_timed():
        with unit():
            yield
            spent["_before_commit"] = time.perf_counter()
        spent["commit"] += time.perf_counter() - spent.pop("_before_commit", time.perf_counter())

    module.unit_of_work = unit_timed
    module._load_batch = timed("load", module._load_batch)
    module.domain_events = timed("events", module.domain_events)
    module.evaluate_many = timed("evaluate", module.evaluate_many)
    module.sync_flags_many = timed("flags", module.sync_flags_many)
    refresh = module.facts.refresh
    module.facts.refresh = timed("facts", refresh)
    module._evaluate_batch = timed("batch", module._evaluate_batch)
    now = datetime.fromisoformat(now_text)
    with app.app_context():
        module.sweep(now - timedelta(hours=2))
        profile = cProfile.Profile() if os.environ.get("SWEEP_CPROFILE") else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        report = module.sweep(now, app.config["SWEEP_BATCH_SIZE"])
        if profile:
            profile.disable()
            profile.dump_stats(os.environ["SWEEP_CPROFILE"])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    module.facts.refresh = refresh
    if checkpointer is not None:
        checkpointer.stop()
    inner = sum(spent[k] for k in ("events", "evaluate", "facts", "flags"))
    spent["store"] = spent.pop("batch") - inner
    spent["other"] = wall - sum(spent.values())
    print(json.dumps({"wall_s": round(wall, 3), "process_cpu_s": round(cpu, 3), "examined": report["examined"],
                      "phases_s": {k: round(v, 3) for k, v in sorted(spent.items(), key=lambda kv: -kv[1])}}))


def main():
    """Per run: a fresh copy of the data set, then measure in a child process."""
    parser = harness.dataset_parser(__doc__)
    parser.set_defaults(runs=1)
    parser.add_argument("--measure", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(*args.measure)
    for _ in range(args.runs):
        with harness.workdir() as work, datasets.dataset(args.backend, args.detentions, args.due, work,
                                                         fresh=True) as env:
            child = subprocess.run(
                [sys.executable, __file__, "--measure", env["DATABASE_URL"], env["SECRET_KEY"],
                 env["JWT_SECRET_KEY"], env["DATA_KEY"], env["BENCH_NOW"]],
                cwd=harness.ROOT, env=env, capture_output=True, text=True)
            assert child.returncode == 0, child.stderr[-3000:]
            print(child.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
