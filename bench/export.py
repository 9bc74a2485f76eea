"""Research export and partner feed at scale, on SQLite.

1. N detentions (default 1,000,000) exported as NDJSON by `flask export` under
   /usr/bin/time -v: detentions/s and peak memory (targets ≥ 20,000/s, < 300 MB).
2. The same export over HTTP from gunicorn, streamed to /dev/null: detentions/s.
3. --flags flags (default 100,000) stored; GET /api/v1/flags?limit=50 from a random
   position, sequentially: p50/p99 latency (target p99 < 50 ms).
    .venv/bin/python bench/export.py [--detentions 1000000] [--flags 100000]
"""
import argparse
import random
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import insert, select
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import harness  # noqa: E402


def build(env, detentions, flags, now):
    """Migrate, fill, and add an organisation for the pseudonyms."""
    harness.prepare(env)
    harness.flask(env, "users", "create", "--email", "researcher@example.org", "--role", "researcher",
                  "--organization", "Bench University", "--password-stdin", stdin="researcher-pass-0123\n")
    from seed.bulk import generate
    from monitor import create_app
    from monitor.extensions import db
    from monitor.models import Counter, Detention, Flag
    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
                      "JWT_SECRET_KEY": env["JWT_SECRET_KEY"], "DATA_KEY": env["DATA_KEY"]})
    with app.app_context():
        generate(detentions, 0, now, app.extensions["monitor.cipher"])
        rows = db.session.execute(select(Detention.id, Detention.country, Detention.current_facility_id)
                                  .limit(flags)).all()
        for start in tqdm(range(0, len(rows), 10000), desc="flags"):
            db.session.execute(insert(Flag), [{
                "id": uuid.uuid4(), "detention_id": d, "rule": "intl.judicial_48h",
                "safeguard": "judicial_review", "severity": "medium", "country": c,
                "facility_id": f, "status": "open", "breach": "overdue", "due_at": now,
                "raised_at": now, "updated_at": now, "change_seq": start + k + 1}
                for k, (d, c, f) in enumerate(rows[start:start + 10000])])
        db.session.execute(Counter.__table__.update().where(Counter.name == "flags").values(value=len(rows)))
        db.session.commit()


def cli_export(env, work):
    """`flask export` under /usr/bin/time -v: (seconds, peak MB)."""
    out = work / "export.ndjson"
    child = subprocess.run(["/usr/bin/time", "-v", str(harness.BIN / "flask"), "--app", "wsgi", "export",
                            "--organization", "Bench University", "--output", str(out)],
                           cwd=harness.ROOT, env=env, capture_output=True, text=True, check=True)
    elapsed = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", child.stderr)
    hours, minutes, seconds = int(elapsed.group(1) or 0), int(elapsed.group(2)), float(elapsed.group(3))
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", child.stderr).group(1))
    lines = sum(1 for _ in open(out, encoding="utf-8"))
    return hours * 3600 + minutes * 60 + seconds, peak_kb / 1024, lines


def http_export(base, token):
    """Stream the NDJSON export over HTTP; returns (seconds, lines)."""
    request = urllib.request.Request(base + "/api/v1/exports/detentions?format=ndjson")
    request.add_header("Authorization", "Bearer " + token)
    start, lines = time.perf_counter(), 0
    with urllib.request.urlopen(request, timeout=3600) as response:
        for chunk in iter(lambda: response.read(1 << 20), b""):
            lines += chunk.count(b"\n")
    return time.perf_counter() - start, lines


def feed_latency(base, token, flags, requests=1000):
    """Sequential feed pages from random positions: sorted latencies in ms."""
    from monitor.services.feed import encode_position
    rng, latencies = random.Random(3), []
    for _ in tqdm(range(requests), desc="feed"):
        since = encode_position(rng.randint(0, max(flags - 50, 0)))
        start = time.perf_counter()
        status, body = harness.call(base, "GET", f"/api/v1/flags?limit=50&since={since}", token=token)
        latencies.append((time.perf_counter() - start) * 1000)
        assert status == 200 and len(body["items"]) == 50
    return sorted(latencies)


def main():
    """Build the data set, then measure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--detentions", type=int, default=1_000_000)
    parser.add_argument("--flags", type=int, default=100_000)
    args = parser.parse_args()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    with harness.workdir() as work:
        env = harness.app_env(work)
        build(env, args.detentions, args.flags, now)
        cli_seconds, peak_mb, lines = cli_export(env, work)
        assert lines == args.detentions
        with harness.gunicorn(env) as base:
            token = harness.login(base)
            http_seconds, http_lines = http_export(base, token)
            latencies = feed_latency(base, token, args.flags)
    p = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2)  # noqa: E731
    harness.write_report("export", {
        "detentions": args.detentions,
        "cli_export_seconds": round(cli_seconds, 2),
        "cli_detentions_per_s": round(args.detentions / cli_seconds),
        "cli_peak_rss_mb": round(peak_mb, 1),
        "http_export_seconds": round(http_seconds, 2), "http_lines": http_lines,
        "http_detentions_per_s": round(http_lines / http_seconds),
        "flags_stored": args.flags, "feed_p50_ms": p(0.5), "feed_p99_ms": p(0.99),
        "targets": {"detentions_per_s": 20000, "peak_rss_mb": 300, "feed_p99_ms": 50}})


if __name__ == "__main__":
    main()
