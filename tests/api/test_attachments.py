"""Evidence attachments over HTTP: tus 1.0 core uploads, reading, roles and scope."""
import hashlib
import io
import os
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from monitor.extensions import db
from monitor.models import AttachmentChunk, AuditEntry

TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = "application/offset+octet-stream"


def pdf_bytes(size):
    """A file that starts like a PDF, then random bytes (incompressible, unguessable)."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    return head + os.urandom(size - len(head))


def jpeg_with_gps():
    """A small JPEG whose EXIF carries GPS coordinates and a camera maker."""
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (19.0, 26.0, 0.0), 3: "W", 4: (99.0, 8.0, 0.0)}
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def declare(client, headers, detention_id, content, kind="document", content_type="application/pdf",
            **extra):
    """POST the file's metadata; returns the response."""
    body = {"id": str(uuid.uuid4()), "kind": kind, "content_type": content_type,
            "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
            "description": "Register page 14, cell 3", **extra}
    return client.post(f"/api/v1/detentions/{detention_id}/attachments", json=body, headers=headers)


def patch(client, headers, location, offset, data, **extra):
    """One tus PATCH."""
    return client.patch(location, data=data, headers={
        **headers, **TUS, "Content-Type": CHUNK, "Upload-Offset": str(offset), **extra})


def upload(client, headers, detention_id, content, step=None, **declared):
    """Declare and send a whole file in PATCHes of `step` bytes; returns the Location."""
    created = declare(client, headers, detention_id, content, **declared)
    assert created.status_code == 201, created.get_json()
    location, offset = created.headers["Location"], 0
    step = step or len(content)
    while offset < len(content):
        response = patch(client, headers, location, offset, content[offset:offset + step])
        assert response.status_code == 204, response.get_json()
        offset = int(response.headers["Upload-Offset"])
    return location


@pytest.fixture
def monitor_and_detention(auth, detention, facility):
    """A monitor in MX and a detention there."""
    headers = auth("monitor", ("MX",))
    return headers, detention(facility("MX"))


def test_creation_answers_as_tus_expects_and_replays(client, monitor_and_detention):
    headers, d = monitor_and_detention
    content = pdf_bytes(3000)
    created = declare(client, headers, d["id"], content)
    assert created.status_code == 201
    body = created.get_json()
    assert created.headers["Upload-Offset"] == "0" and created.headers["Tus-Resumable"] == "1.0.0"
    assert created.headers["Location"].endswith(f"/api/v1/attachments/{body['id']}")
    assert body["status"] == "uploading" and body["upload_offset"] == 0
    assert body["description"] == "Register page 14, cell 3" and body["gps_present"] is None
    again = dict(id=body["id"], kind="document", content_type="application/pdf",
                 size=len(content), sha256=body["sha256"], description="other words")
    replay = client.post(f"/api/v1/detentions/{d['id']}/attachments", json=again, headers=headers)
    assert replay.status_code == 200 and replay.get_json()["id"] == body["id"]
    assert replay.headers["Upload-Offset"] == "0"
    for change in ({"size": len(content) + 1}, {"sha256": "0" * 64}, {"kind": "photo",
                                                                     "content_type": "image/jpeg"}):
        conflict = client.post(f"/api/v1/detentions/{d['id']}/attachments",
                               json={**again, **change}, headers=headers)
        assert conflict.status_code == 409, change
        assert conflict.mimetype == "application/problem+json"


def test_upload_cut_midway_resumes_from_heads_offset(client, monitor_and_detention):
    headers, d = monitor_and_detention
    content = pdf_bytes(2_500_000)  # three stored chunks
    location = declare(client, headers, d["id"], content).headers["Location"]
    first = patch(client, headers, location, 0, content[:1_200_000])
    assert first.status_code == 204 and first.headers["Upload-Offset"] == "1200000"
    # The connection drops in the middle of the next PATCH: the body ends short.
    cut = client.patch(location, input_stream=io.BytesIO(content[1_200_000:1_700_000]),
                       headers={**headers, **TUS, "Content-Type": CHUNK, "Upload-Offset": "1200000"},
                       environ_overrides={"CONTENT_LENGTH": "1300000"})
    assert cut.status_code == 400
    head = client.head(location, headers={**headers, **TUS})
    assert head.status_code == 200 and head.headers["Cache-Control"] == "no-store"
    assert head.headers["Upload-Offset"] == "1200000"
    assert head.headers["Upload-Length"] == str(len(content)) and head.data == b""
    offset = int(head.headers["Upload-Offset"])
    done = patch(client, headers, location, offset, content[offset:])
    assert done.status_code == 204 and done.headers["Upload-Offset"] == str(len(content))
    meta = client.get(location, headers=headers).get_json()
    assert meta["status"] == "complete" and meta["completed_at"]
    got = client.get(location + "/content", headers=headers)
    assert got.status_code == 200 and got.data == content
    assert got.mimetype == "application/pdf" and got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["Content-Length"] == str(len(content))


def test_wrong_offset_is_409_and_stores_nothing(client, monitor_and_detention):
    headers, d = monitor_and_detention
    content = pdf_bytes(5000)
    location = declare(client, headers, d["id"], content).headers["Location"]
    assert patch(client, headers, location, 0, content[:1000]).status_code == 204
    wrong = patch(client, headers, location, 500, content[500:2000])
    assert wrong.status_code == 409 and wrong.headers["Upload-Offset"] == "1000"
    assert db.session.scalar(select(func.count()).select_from(AttachmentChunk)) == 1
    assert client.head(location, headers={**headers, **TUS}).headers["Upload-Offset"] == "1000"


def test_hash_mismatch_is_422_and_restarts_from_zero(client, monitor_and_detention):
    headers, d = monitor_and_detention
    content = pdf_bytes(4000)
    location = declare(client, headers, d["id"], content).headers["Location"]
    assert patch(client, headers, location, 0, content[:2000]).status_code == 204
    tampered = content[2000:-1] + bytes([content[-1] ^ 1])
    mismatch = patch(client, headers, location, 2000, tampered)
    assert mismatch.status_code == 422 and "sha256" in mismatch.get_json()["errors"]
    assert client.head(location, headers={**headers, **TUS}).headers["Upload-Offset"] == "0"
    assert db.session.scalar(select(func.count()).select_from(AttachmentChunk)) == 0
    assert patch(client, headers, location, 0, content).status_code == 204
    assert client.get(location + "/content", headers=headers).data == content


def test_too_large_declared_and_actual(app, client, monitor_and_detention):
    headers, d = monitor_and_detention
    limit = app.config["ATTACHMENT_MAX_BYTES"]
    body = {"kind": "document", "content_type": "application/pdf", "size": limit + 1,
            "sha256": "a" * 64}
    too_big = client.post(f"/api/v1/detentions/{d['id']}/attachments", json=body, headers=headers)
    assert too_big.status_code == 413 and too_big.mimetype == "application/problem+json"
    content = pdf_bytes(1000)
    location = declare(client, headers, d["id"], content).headers["Location"]
    past = patch(client, headers, location, 0, content + b"extra bytes")
    assert past.status_code == 413
    assert client.head(location, headers={**headers, **TUS}).headers["Upload-Offset"] == "0"
    chunk_max = app.config["ATTACHMENT_CHUNK_MAX_BYTES"]
    app.config["ATTACHMENT_CHUNK_MAX_BYTES"] = 500
    try:
        assert patch(client, headers, location, 0, content[:501]).status_code == 413
    finally:
        app.config["ATTACHMENT_CHUNK_MAX_BYTES"] = chunk_max


def test_wrong_signature_is_415_and_discards_the_upload(client, monitor_and_detention):
    headers, d = monitor_and_detention
    fake = b"MZ\x90\x00" + os.urandom(3000)  # an executable declared as a JPEG photo
    location = declare(client, headers, d["id"], fake, kind="photo",
                       content_type="image/jpeg").headers["Location"]
    refused = patch(client, headers, location, 0, fake)
    assert refused.status_code == 415 and refused.mimetype == "application/problem+json"
    assert client.get(location, headers=headers).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AttachmentChunk)) == 0
    undeclarable = declare(client, headers, d["id"], fake, content_type="application/x-msdownload")
    assert undeclarable.status_code == 415


def test_tus_protocol_headers_options_and_412(client, monitor_and_detention):
    headers, d = monitor_and_detention
    content = pdf_bytes(1000)
    location = declare(client, headers, d["id"], content).headers["Location"]
    options = client.options(location)
    assert options.status_code == 204 and options.headers["Tus-Version"] == "1.0.0"
    assert int(options.headers["Tus-Max-Size"]) == 50 * 1024 * 1024
    assert client.options(f"/api/v1/detentions/{d['id']}/attachments").status_code == 204
    no_version = client.patch(location, data=content, headers={
        **headers, "Content-Type": CHUNK, "Upload-Offset": "0"})
    assert no_version.status_code == 412 and no_version.headers["Tus-Version"] == "1.0.0"
    assert client.head(location, headers=headers).status_code == 412
    as_json = client.patch(location, json={"a": 1}, headers={**headers, **TUS, "Upload-Offset": "0"})
    assert as_json.status_code == 415
    bad_offset = patch(client, headers, location, "x", content)
    assert bad_offset.status_code == 400
    assert patch(client, headers, location, 0, content).status_code == 204
    again = patch(client, headers, location, 1000, b"more")
    assert again.status_code == 409  # a complete upload is not PATCHed again


def test_roles_scope_and_partner_view(client, auth, monitor_and_detention, facility, detention):
    headers, d = monitor_and_detention
    photo = jpeg_with_gps()
    location = upload(client, headers, d["id"], photo, kind="photo", content_type="image/jpeg",
                      keep_metadata=True)
    meta = client.get(location, headers=headers).get_json()
    assert meta["gps_present"] is True and meta["keep_metadata"] is True
    partner = auth("partner", ("MX",))
    seen = client.get(location, headers=partner)
    assert seen.status_code == 200
    assert {"kind", "size", "received_at", "event_id"} <= set(seen.get_json())
    assert not {"description", "sha256", "uploaded_by"} & set(seen.get_json())
    assert client.get(location + "/content", headers=partner).status_code == 403
    record = client.get(f"/api/v1/detentions/{d['id']}", headers=partner).get_json()
    assert [a["kind"] for a in record["attachments"]] == ["photo"]
    assert "description" not in record["attachments"][0]
    mine = client.get(f"/api/v1/detentions/{d['id']}", headers=headers).get_json()
    assert mine["attachments"][0]["description"] == "Register page 14, cell 3"
    researcher = auth("researcher", ("MX",))
    assert client.get(location, headers=researcher).status_code == 403
    assert client.get(location + "/content", headers=researcher).status_code == 403
    other_country = auth("monitor", ("PH",))
    assert client.get(location, headers=other_country).status_code == 404
    assert client.get(location + "/content", headers=other_country).status_code == 404
    assert declare(client, other_country, d["id"], photo).status_code == 404
    assert declare(client, partner, d["id"], photo).status_code == 403
    assert declare(client, headers, uuid.uuid4(), photo).status_code == 404
    assert client.get(location + "/content", headers=auth("admin", ())).data == photo


def test_event_must_belong_to_the_detention(client, monitor_and_detention, detention):
    headers, d = monitor_and_detention
    arrest = d["events"][0]["id"]
    content = pdf_bytes(1000)
    ok = declare(client, headers, d["id"], content, event_id=arrest)
    assert ok.status_code == 201 and ok.get_json()["event_id"] == arrest
    other = detention()
    assert declare(client, headers, other["id"], content, event_id=arrest).status_code == 404
    assert declare(client, headers, d["id"], content, event_id=str(uuid.uuid4())).status_code == 404


def test_every_content_read_is_audited(client, monitor_and_detention):
    headers, d = monitor_and_detention
    location = upload(client, headers, d["id"], pdf_bytes(2000))
    for _ in range(2):
        assert client.get(location + "/content", headers=headers).status_code == 200
    reads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "attachment.read")).all()
    assert len(reads) == 2 and reads[0].target_id == location.rsplit("/", 1)[1]


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post"} <= set(paths["/api/v1/detentions/{detention_id}/attachments"])
    assert {"get", "patch"} <= set(paths["/api/v1/attachments/{attachment_id}"])
    assert "get" in paths["/api/v1/attachments/{attachment_id}/content"]
