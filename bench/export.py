"""Research export against its floor, on SQLite or PostgreSQL, over a generated data set.

Each run, in the same invocation: the floor (bench/export_floor.py: plain driver loop, no
framework), `flask export` (CLI) and the HTTP export from gunicorn, each writing the same
NDJSON; the outputs must be byte-identical. Detentions/s, the ratio to the floor, peak RSS
(the CLI and floor under /usr/bin/time -v, the serving worker's VmHWM). Medians of --runs.
Targets: CLI and HTTP >= 0.8 of the floor; peak memory flat in N (compare --detentions
100000 and 1000000).
    .venv/bin/python bench/export.py [--backend sqlite|postgresql] [--detentions 1000000] [--runs 3]
"""
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402
import harness  # noqa: E402


def http_export(base, token, output):
    """Stream the NDJSON export over HTTP into `output`; returns seconds."""
    request = urllib.request.Request(base + "/api/v1/exports/detentions?format=ndjson")
    request.add_header("Authorization", "Bearer " + token)
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=7200) as response, open(output, "wb") as out:
        for piece in iter(lambda: response.read(1 << 20), b""):
            out.write(piece)
    return time.perf_counter() - start


def worker_peak_mb(served):
    """Highest VmHWM (peak RSS) among the server's worker processes, in MB."""
    peak = 0
    for pid in harness.process_tree(served.pid)[1:]:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except FileNotFoundError:
            continue
    return peak / 1024


def main():
    """Measure floor, CLI and HTTP exports --runs times; report medians and ratios."""
    parser = harness.dataset_parser(__doc__)
    args = parser.parse_args()
    runs = []
    with harness.workdir() as work, datasets.dataset(args.backend, args.detentions, args.due, work) as env:
        datasets.ensure_users(env)
        org = harness.scalar(env["DATABASE_URL"], "SELECT id FROM organizations WHERE name = 'Bench University'")
        namespace = "org:" + (str(org) if "-" in str(org) else
                              f"{org[:8]}-{org[8:12]}-{org[12:16]}-{org[16:20]}-{org[20:]}")
        floor_out, cli_out, http_out = work / "floor.ndjson", work / "cli.ndjson", work / "http.ndjson"
        for run in range(args.runs):
            floor_s, floor_mb, written = harness.timed(
                [sys.executable, harness.ROOT / "bench" / "export_floor.py", env["DATABASE_URL"],
                 env["SECRET_KEY"], namespace, floor_out], env)
            cli_s, cli_mb, _ = harness.timed(
                [harness.BIN / "flask", "--app", "wsgi", "export", "--organization", "Bench University",
                 "--output", cli_out], env)
            with harness.gunicorn(env) as served:
                status, body = harness.call(served, "POST", "/api/v1/auth/login", {
                    "email": "researcher@example.org", "password": "researcher-pass-0123"})
                assert status == 200, body
                http_s = http_export(served, body["access_token"], http_out)
                http_mb = worker_peak_mb(served)
            digests = {name: harness.sha256_of(path) for name, path in
                       (("floor", floor_out), ("cli", cli_out), ("http", http_out))}
            assert len(set(digests.values())) == 1, f"exports differ: {digests}"
            n = int(written.strip())
            assert n == args.detentions
            runs.append({"floor_per_s": round(n / floor_s), "cli_per_s": round(n / cli_s),
                         "http_per_s": round(n / http_s), "cli_ratio": round(floor_s / cli_s, 3),
                         "http_ratio": round(floor_s / http_s, 3), "floor_peak_mb": round(floor_mb, 1),
                         "cli_peak_mb": round(cli_mb, 1), "http_worker_peak_mb": round(http_mb, 1),
                         "bytes": floor_out.stat().st_size})
            print(f"run {run + 1}: {runs[-1]}", flush=True)
    med = {key: harness.median([r[key] for r in runs]) for key in runs[0]}
    harness.write_report(f"export-{args.backend}-{args.detentions}", {
        "backend": args.backend, "detentions": args.detentions, "runs": runs, "median": med,
        "identical_output": True, "targets": {"cli_ratio": 0.8, "http_ratio": 0.8}})


if __name__ == "__main__":
    main()
