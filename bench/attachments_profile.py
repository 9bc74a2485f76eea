"""Where a tus upload's PATCHes spend their time: the requests in-process (Flask test client,
no server), under cProfile, on a fresh SQLite file or an empty PostgreSQL database.

    .venv/bin/python bench/attachments_profile.py [--database-url URL] [--megabytes 50] [--top 25]

Uploads the file in 1 MB PATCHes as bench/attachments.py does, prints the MB/s, then the top
functions by cumulative and by own time.
"""
import argparse
import cProfile
import hashlib
import os
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MB = 1024 * 1024


def _app(url, max_bytes):
    """The app on a migrated database, a monitor's bearer token and a detention to attach to."""
    from harness import profiling_app
    app, headers, facility_id = profiling_app(url, ATTACHMENT_MAX_BYTES=max_bytes)
    response = app.test_client().post("/api/v1/detentions", headers=headers, json={
        "person": {"name": "Bench Person", "sex": "female"}, "facility_id": facility_id,
        "arrested_at": "2026-03-02T09:00:00Z", "arresting_authority": "police"})
    assert response.status_code == 201, response.get_json()
    return app, headers, response.get_json()["id"]


def main():
    """Upload once under the profiler; print the rate and the profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    content = b"%PDF-1.7\n" + os.urandom(args.megabytes * MB - 9)
    with tempfile.TemporaryDirectory() as work:
        app, headers, detention_id = _app(args.database_url or f"sqlite:///{work}/profile.sqlite3",
                                          len(content) + MB)
        client = app.test_client()
        response = client.post(f"/api/v1/detentions/{detention_id}/attachments", headers=headers, json={
            "id": str(uuid.uuid4()), "kind": "document", "content_type": "application/pdf",
            "size": len(content), "sha256": hashlib.sha256(content).hexdigest()})
        assert response.status_code == 201, response.get_json()
        location = response.headers["Location"]
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        for offset in range(0, len(content), MB):
            response = client.patch(location, data=content[offset:offset + MB], headers={
                **headers, "Tus-Resumable": "1.0.0", "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream"})
            assert response.status_code == 204, response.get_data()[:300]
        profile.disable()
        elapsed = time.perf_counter() - start
        print(f"upload: {args.megabytes / elapsed:.1f} MB/s ({elapsed:.2f} s, under cProfile)")
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
