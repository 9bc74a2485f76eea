"""A 100 MB evidence file uploaded in 1 MB tus PATCHes through gunicorn, then downloaded:
MB/s each way and the server's peak RSS above idle, against a bare Flask endpoint that appends
the same chunks to a plain file (bench/attachments_baseline.py), served the same way in the
same run. Runs alternate, each on a fresh server; medians reported.

    .venv/bin/python bench/attachments.py [--runs 3] [--megabytes 100] [--database-url URL]
"""
import argparse
import hashlib
import http.client
import os
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

MB = 1024 * 1024


def _request(base, method, path, body=None, headers=None):
    """One request on a new connection (the servers close after each response); returns
    (status, headers, body bytes) or, with `sink`, streams the body into a hash."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _download(base, path, headers):
    """GET a file, hashing it in 1 MB reads; (seconds, sha256)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    digest, started = hashlib.sha256(), time.perf_counter()
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        assert response.status == 200, response.status
        while block := response.read(MB):
            digest.update(block)
    finally:
        conn.close()
    return time.perf_counter() - started, digest.hexdigest()


def _rss_kb(pid, field="VmRSS"):
    """A /proc status figure of a process, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _workers(served):
    """gunicorn's worker processes (the arbiter's children)."""
    return [p for p in harness.process_tree(served.pid) if p != served.pid]


def _peak_above_idle(served, idle):
    """Largest (peak RSS - idle RSS) over the workers, in MB (VmHWM: the kernel's own peak)."""
    return max(_rss_kb(pid, "VmHWM") - idle.get(pid, 0) for pid in _workers(served)) / 1024


def run_app(env, content, digest, detention_path):
    """Upload and download through the application; its figures."""
    with harness.gunicorn(env, log=os.environ.get("BENCH_SERVER_LOG")) as base:
        token = harness.login(base)
        auth = {"Authorization": "Bearer " + token}
        idle = {pid: _rss_kb(pid) for pid in _workers(base)}
        started = time.perf_counter()
        status, body = harness.call(base, "POST", detention_path, {
            "id": str(uuid.uuid4()), "kind": "document", "content_type": "application/pdf",
            "size": len(content), "sha256": digest}, token)
        assert status == 201, body
        location = f"/api/v1/attachments/{body['id']}"
        for offset in range(0, len(content), MB):
            status, headers, answer = _request(base, "PATCH", location, content[offset:offset + MB], {
                **auth, "Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream",
                "Upload-Offset": str(offset)})
            assert status == 204, (status, answer[:300])
        upload_s = time.perf_counter() - started
        download_s, got = _download(base, location + "/content", auth)
        assert got == digest, "downloaded content differs"
        return {"upload_mb_s": len(content) / MB / upload_s, "download_mb_s": len(content) / MB / download_s,
                "peak_rss_above_idle_mb": _peak_above_idle(base, idle)}


def run_baseline(env, content, digest):
    """The same chunks appended to a plain file by a bare Flask app; its figures."""
    with harness.gunicorn(env, app="attachments_baseline:app", cwd=harness.ROOT / "bench",
                          config=False) as base:
        idle = {pid: _rss_kb(pid) for pid in _workers(base)}
        started = time.perf_counter()
        status, headers, _ = _request(base, "POST", "/files")
        assert status == 201
        location = headers["Location"]
        for offset in range(0, len(content), MB):
            status, _, _ = _request(base, "PATCH", location, content[offset:offset + MB], {
                "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)})
            assert status == 204
        upload_s = time.perf_counter() - started
        download_s, got = _download(base, location, {})
        assert got == digest
        return {"upload_mb_s": len(content) / MB / upload_s, "download_mb_s": len(content) / MB / download_s,
                "peak_rss_above_idle_mb": _peak_above_idle(base, idle)}


def main():
    """Run both sides `--runs` times, alternating; print and save the medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--database-url", default=None,
                        help="an empty PostgreSQL database to use instead of a fresh SQLite file")
    args = parser.parse_args()
    content = b"%PDF-1.7\n" + os.urandom(args.megabytes * MB - 9)
    digest = hashlib.sha256(content).hexdigest()
    with harness.workdir() as work:
        env = harness.app_env(work, args.database_url, ATTACHMENT_MAX_BYTES=str(len(content) + MB))
        harness.prepare(env)
        with harness.gunicorn(env) as base:  # a facility and a detention to attach to
            token = harness.login(base)
            status, facility = harness.call(base, "POST", "/api/v1/facilities", {
                "name": "Bench station", "kind": "police_station", "country": "MX",
                "timezone": "America/Mexico_City"}, token)
            assert status == 201, facility
            status, detention = harness.call(base, "POST", "/api/v1/detentions", {
                "person": {"name": "Bench Person", "sex": "female"}, "facility_id": facility["id"],
                "arrested_at": "2026-03-02T09:00:00Z", "arresting_authority": "police"}, token)
            assert status == 201, detention
        detention_path = f"/api/v1/detentions/{detention['id']}/attachments"
        baseline_env = dict(env, BASELINE_DIR=str(work / "baseline-files"))
        results = {"app": [], "baseline": []}
        for _ in range(args.runs):
            results["app"].append(run_app(env, content, digest, detention_path))
            results["baseline"].append(run_baseline(baseline_env, content, digest))
    keys = ("upload_mb_s", "download_mb_s", "peak_rss_above_idle_mb")
    med = {side: {k: round(harness.median([r[k] for r in runs]), 1) for k in keys}
           for side, runs in results.items()}
    report = {
        "megabytes": args.megabytes, "chunk_mb": 1, "runs": args.runs,
        "backend": "postgresql" if args.database_url else "sqlite", **med,
        "upload_ratio": round(med["app"]["upload_mb_s"] / med["baseline"]["upload_mb_s"], 2),
        "download_ratio": round(med["app"]["download_mb_s"] / med["baseline"]["download_mb_s"], 2),
        "all_runs": results,
    }
    harness.write_report("attachments", report)


if __name__ == "__main__":
    main()
