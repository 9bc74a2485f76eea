"""Where a 1000-item POST /sync spends its time: the request in-process (Flask test client,
no server), under cProfile, on a fresh SQLite file or an empty PostgreSQL database.
    .venv/bin/python bench/sync_profile.py [--database-url URL] [--runs 3] [--top 25]
Prints each run's seconds, then the top functions by cumulative and by own time of the last.
"""
import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sync import batch  # noqa: E402


def _app(url):
    """The app on a migrated database, with a monitor's bearer token and one MX facility."""
    from harness import profiling_app
    return profiling_app(url)


def main():
    """Run the batches, profile the last one, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        app, headers, facility_id = _app(args.database_url or f"sqlite:///{work}/profile.sqlite3")
        client = app.test_client()
        profile = cProfile.Profile()
        for run in range(args.runs):
            body = batch(facility_id, datetime.now(timezone.utc))
            last = run == args.runs - 1
            start = time.perf_counter()
            if last:
                profile.enable()
            response = client.post("/api/v1/sync", json=body, headers=headers)
            if last:
                profile.disable()
            elapsed = time.perf_counter() - start
            statuses = {r["status"] for r in response.get_json()["results"]}
            print(f"run {run + 1}: {elapsed:.3f} s, HTTP {response.status_code}, {sorted(statuses)}")
        start = time.perf_counter()
        response = client.post("/api/v1/sync", json=body, headers=headers)
        print(f"replay: {time.perf_counter() - start:.3f} s,",
              sorted({r["status"] for r in response.get_json()["results"]}))
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
