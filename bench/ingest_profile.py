"""Where a served event write spends its time: the ingest benchmark's load (wrk, the project's
gunicorn config, the scheduler on) with py-spy sampling every worker (and the scheduler's
threads in them) for --duration seconds. Prints the share of samples under each of the
--top functions (inclusive) and the top functions by own samples; the collapsed stacks are
kept in bench/out/ingest-profile.txt.
    .venv/bin/python bench/ingest_profile.py [--backend sqlite|postgresql] [--duration 10] [--top 30]
"""
import collections
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from ingest import ensure_wrk, seed_detentions, wrk  # noqa: E402
from sync import database  # noqa: E402


def summarize(collapsed, top):
    """(inclusive, own) sample counts per function from py-spy's collapsed stacks."""
    inclusive, own, total = collections.Counter(), collections.Counter(), 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = [f.split(" (")[0] + " " + f.rsplit("/", 1)[-1].rstrip(")") for f in stack.split(";")]
        n = int(count)
        total += n
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    print(f"{total} samples")
    for title, counter in (("inclusive", inclusive), ("own", own)):
        print(f"\n{title}:")
        for frame, n in counter.most_common(top):
            print(f"  {100 * n / total:5.1f} %  {frame}")


def main():
    """Serve, load, sample, summarise."""
    parser = harness.parser(__doc__, runs=None)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--detentions", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    ensure_wrk()
    occurred = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with harness.workdir() as work, database(args.backend, work) as url:
        env = harness.app_env(work, url, SCHEDULER_ENABLED="1")
        harness.prepare(env)
        with harness.gunicorn(env) as base:
            token = seed_detentions(base, args.detentions, work, progress=False)
            wrk_env = dict(env, IDS_FILE=str(work / "ids.txt"), TOKEN=token, OCCURRED_AT=occurred)
            wrk(base, wrk_env, 8, 3)  # warm-up
            workers = [p for p in harness.process_tree(base.pid) if p != base.pid]
            spies = [subprocess.Popen([str(harness.BIN / "py-spy"), "record", "--format", "raw", "--rate", "250",
                                       "--duration", str(args.duration), "--pid", str(pid), "--output",
                                       str(work / f"spy-{pid}.txt")], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL) for pid in workers]
            time.sleep(0.5)
            summary = wrk(base, wrk_env, 8, args.duration)
            for spy in spies:
                spy.wait()
        collapsed = "".join((work / f"spy-{pid}.txt").read_text() for pid in workers
                            if (work / f"spy-{pid}.txt").exists())
    out = harness.ROOT / "bench" / "out" / "ingest-profile.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(collapsed)
    print(f"{summary['requests'] - summary['non_2xx']} events acknowledged in {args.duration} s "
          f"under sampling ({len(workers)} workers)")
    summarize(collapsed, args.top)


if __name__ == "__main__":
    main()
