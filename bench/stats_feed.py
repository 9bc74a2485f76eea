"""Statistics and the flag feed over a generated data set, on SQLite or PostgreSQL.

1. GET /stats/compliance and /stats/accountability, each group_by, as a researcher scoped to
   every generated country: seconds per request, median of --runs (target < 2 s over
   1,000,000 detentions). An endpoint or grouping this build does not serve is reported as such.
2. GET /flags?limit=50 from random positions (the data set holds about 1.8 flags a
   detention), sequentially, as the admin: p50/p99 in ms (target p99 < 25 ms with 1,000,000 flags).
    .venv/bin/python bench/stats_feed.py [--backend sqlite|postgresql] [--detentions 1000000] [--runs 3]
"""
import random
import sys
import time
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import datasets  # noqa: E402
import harness  # noqa: E402

STATS = {"compliance": ("country", "facility", "month", "safeguard"),
         "accountability": ("country", "year", "facility")}


def stats(base, token, runs):
    """{endpoint: {group_by: median seconds or the status that refused it}}."""
    figures = {}
    for endpoint, groupings in STATS.items():
        for group_by in groupings:
            times, status = [], None
            for _ in range(runs):
                start = time.perf_counter()
                status, _ = harness.call(base, "GET", f"/api/v1/stats/{endpoint}?group_by={group_by}",
                                         token=token, timeout=600)
                times.append(time.perf_counter() - start)
                if status != 200:
                    break
            figures.setdefault(endpoint, {})[group_by] = (
                round(harness.median(times), 3) if status == 200 else f"HTTP {status}")
    return figures


def cursors(env, flags, count):
    """Feed cursors of `count` random positions (sealed with the app's key)."""
    from monitor import create_app
    from monitor.services.flags.feed import encode_position
    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
                      "JWT_SECRET_KEY": env["JWT_SECRET_KEY"], "DATA_KEY": env["DATA_KEY"],
                      "SCHEDULER_ENABLED": False})
    rng = random.Random(3)
    with app.app_context():
        return [encode_position(rng.randint(0, max(flags - 50, 0))) for _ in range(count)]


def feed(base, token, positions):
    """Sequential feed pages from the given cursors: sorted latencies in ms."""
    latencies = []
    for since in tqdm(positions, desc="feed"):
        start = time.perf_counter()
        status, body = harness.call(base, "GET", f"/api/v1/flags?limit=50&since={since}", token=token)
        latencies.append((time.perf_counter() - start) * 1000)
        assert status == 200 and len(body["items"]) == 50, (status, body)
    return sorted(latencies)


def main():
    """Statistics then feed, against one served copy of the data set."""
    parser = harness.dataset_parser(__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    with harness.workdir() as work, datasets.dataset(args.backend, args.detentions, args.due, work) as env:
        datasets.ensure_users(env)
        flags = harness.scalar(env["DATABASE_URL"], "SELECT count(*) FROM flags")
        positions = cursors(env, flags, args.pages)
        with harness.gunicorn(env) as base:
            status, body = harness.call(base, "POST", "/api/v1/auth/login", {
                "email": "researcher@example.org", "password": "researcher-pass-0123"})
            assert status == 200, body
            figures = stats(base, body["access_token"], args.runs)
            latencies = feed(base, harness.login(base), positions)
    p = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2)  # noqa: E731
    harness.write_report(f"stats_feed-{args.backend}-{args.detentions}", {
        "backend": args.backend, "detentions": args.detentions, "flags_stored": flags,
        "stats_median_seconds": figures, "feed_pages": len(latencies),
        "feed_p50_ms": p(0.5), "feed_p99_ms": p(0.99),
        "targets": {"stats_seconds": 2, "feed_p99_ms": 25}})


if __name__ == "__main__":
    main()
