"""gzip on the wire: compressed responses for clients that accept it, gzip request bodies
with the body limit applied to the inflated size, other codings refused."""
import gzip
import json
import tracemalloc
import zlib

from sqlalchemy import func, select

from monitor.extensions import db
from monitor.models import Detention
from tests.api.test_feed import raise_flags
from tests.api.test_sync import batch_for, statuses
from tests.factories import make_detention, make_facility

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def gzipped(payload) -> bytes:
    return gzip.compress(json.dumps(payload).encode())


def bomb(inflated_bytes: int) -> bytes:
    """Zeros that inflate to `inflated_bytes`, compressed piecewise (never all in memory)."""
    encoder = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    piece = b"\0" * (1 << 20)
    parts = [encoder.compress(piece[:min(len(piece), inflated_bytes - done)])
             for done in range(0, inflated_bytes, len(piece))]
    return b"".join(parts) + encoder.flush()


def post_gzip(client, path, body: bytes, headers, coding="gzip"):
    return client.post(path, data=body, headers={**headers, "Content-Type": "application/json",
                                                 "Content-Encoding": coding})


def test_json_is_gzipped_when_accepted(client):
    plain = client.get("/api/v1/openapi.json")
    packed = client.get("/api/v1/openapi.json", headers=GZIP)
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 3
    for response in (plain, packed):
        assert "Accept-Encoding" in response.headers["Vary"]


def test_a_detention_list_is_gzipped(client, auth, detention):
    headers = auth("admin", ())
    for _ in range(5):
        detention(headers=headers)
    response = client.get("/api/v1/detentions?limit=50", headers={**headers, **GZIP})
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(response.data))["items"]) == 5


def test_refused_or_absent_gzip_gets_identity(client):
    for accept in ("gzip;q=0", "identity", "br"):
        response = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": accept})
        assert "Content-Encoding" not in response.headers, accept
        assert response.get_json()["openapi"]


def test_tiny_bodies_are_not_compressed(client):
    response = client.get("/healthz", headers=GZIP)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert response.get_json()["database"] == "ok"


def test_etag_of_a_compressed_answer_is_weak_and_still_gives_304(client, actor, auth):
    admin = actor("admin", ())
    d = make_detention(admin, make_facility(admin))
    raise_flags(d, *[f"mx.rule{n}" for n in range(6)])  # a feed page well over 1 KB
    headers = auth("partner", ["MX"])
    plain = client.get("/api/v1/flags", headers=headers)
    packed = client.get("/api/v1/flags", headers={**headers, **GZIP})
    strong = plain.headers["ETag"]
    assert strong.startswith('"') and "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["ETag"] == "W/" + strong
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    for tag in (strong, packed.headers["ETag"]):
        for accept in (GZIP, {}):
            again = client.get("/api/v1/flags", headers={**headers, **accept, "If-None-Match": tag})
            assert again.status_code == 304 and again.data == b"", (tag, accept)


def test_gzip_sync_body_is_applied_like_a_plain_one(client, auth, facility):
    headers = auth("monitor", ["MX"])
    batch = batch_for(facility())
    first = post_gzip(client, "/api/v1/sync", gzipped(batch), headers)
    assert set(s for _, s in statuses(first)) == {"created"}
    replay = post_gzip(client, "/api/v1/sync", gzipped(batch), headers)
    assert set(s for _, s in statuses(replay)) == {"unchanged"}
    assert db.session.scalar(select(func.count()).select_from(Detention)) == 2


def test_limit_applies_to_the_inflated_size_exactly(app, client, auth, facility, monkeypatch):
    headers = auth("monitor", ["MX"])
    raw = json.dumps(batch_for(facility(), detentions=1, events_each=1)).encode()
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", len(raw) - 1)
    refused = post_gzip(client, "/api/v1/sync", gzip.compress(raw), headers)
    assert refused.status_code == 413
    assert refused.mimetype == "application/problem+json" and refused.get_json()["status"] == 413
    assert db.session.scalar(select(func.count()).select_from(Detention)) == 0
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", len(raw))
    accepted = post_gzip(client, "/api/v1/sync", gzip.compress(raw), headers)
    assert set(s for _, s in statuses(accepted)) == {"created"}


def test_small_bomb_past_the_limit_is_413(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 512 * 1024)
    body = bomb(1 << 20)  # 1 MiB of zeros in about a kilobyte
    assert len(body) < 2048
    response = post_gzip(client, "/api/v1/sync", body, auth("monitor", ["MX"]))
    assert response.status_code == 413 and response.get_json()["title"] == "Payload too large"


def test_huge_bomb_is_413_without_inflating_it(client, auth):
    body = bomb(1 << 30)  # 1 GiB of zeros, about a megabyte compressed; the limit is 5 MiB
    headers = auth("monitor", ["MX"])
    tracemalloc.start()
    try:
        response = post_gzip(client, "/api/v1/sync", body, headers)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 413
    # The limit (5 MiB) plus the compressed body and working buffers: nowhere near 1 GiB.
    assert peak < 64 * 1024 * 1024, peak


def test_unknown_content_encoding_is_415_and_stores_nothing(client, auth, facility):
    headers = auth("monitor", ["MX"])
    raw = json.dumps(batch_for(facility())).encode()
    for coding in ("br", "deflate", "zstd", "gzip, gzip"):
        response = post_gzip(client, "/api/v1/sync", raw, headers, coding=coding)
        assert response.status_code == 415, coding
        assert response.headers["Accept-Encoding"] == "gzip"
        assert response.get_json()["status"] == 415
    assert db.session.scalar(select(func.count()).select_from(Detention)) == 0


def test_identity_coding_is_a_plain_body(client, auth, facility):
    raw = json.dumps(batch_for(facility(), detentions=1, events_each=0)).encode()
    response = post_gzip(client, "/api/v1/sync", raw, auth("monitor", ["MX"]), coding="identity")
    assert set(s for _, s in statuses(response)) == {"created"}


def test_corrupt_or_cut_gzip_is_400(client, auth, facility):
    headers = auth("monitor", ["MX"])
    whole = gzipped(batch_for(facility()))
    for body in (whole[: len(whole) // 2], b"not gzip at all", whole[:10] + b"\xff" * 40 + whole[50:]):
        response = post_gzip(client, "/api/v1/sync", body, headers)
        assert response.status_code == 400, body[:20]
        assert response.mimetype == "application/problem+json"
    assert db.session.scalar(select(func.count()).select_from(Detention)) == 0


def test_concatenated_gzip_members_are_one_body(client, auth, facility):
    raw = json.dumps(batch_for(facility(), detentions=1, events_each=1)).encode()
    half = len(raw) // 2
    body = gzip.compress(raw[:half]) + gzip.compress(raw[half:])
    response = post_gzip(client, "/api/v1/sync", body, auth("monitor", ["MX"]))
    assert set(s for _, s in statuses(response)) == {"created"}


def test_streamed_exports_are_sent_as_they_are(client, auth, detention):
    headers = auth("admin", ())
    for _ in range(3):
        detention(headers=headers)
    response = client.get("/api/v1/exports/detentions?format=ndjson",
                          headers={**auth("researcher", ["MX"]), **GZIP})
    assert response.status_code == 200 and response.is_streamed
    assert "Content-Encoding" not in response.headers
    assert len(response.data.splitlines()) >= 3
