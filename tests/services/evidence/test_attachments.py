"""Attachment services: sealing at rest, rotation, backup and restore, abandonment, GPS."""
import base64
import hashlib
import io
import os
import shutil
import subprocess
import uuid

import pytest
from cryptography.exceptions import InvalidTag
from PIL import Image
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url

from monitor import create_app
from monitor.crypto import Cipher
from monitor.exceptions import Conflict, Forbidden, NotFound
from monitor.extensions import db
from monitor.models import Attachment, AttachmentChunk
from monitor.services.evidence import store
from monitor.services.evidence import uploads as attachments
from monitor.services.ops.backup import backup
from monitor.services.ops.keys import rotate
from tests.factories import T0, hours, make_detention, make_facility
from tests.helpers import TEST_DATA_KEY

NEW_KEY = base64.urlsafe_b64encode(b"r" * 32).decode()
MARKER = b"UNIQUE-EVIDENCE-BYTES-7f3a9c"


def pdf_with_marker(size=2_300_000):
    """A PDF-signed file with a recognisable byte run in each megabyte."""
    body = bytearray(b"%PDF-1.7\n" + os.urandom(size - 9))
    for at in range(100, size - len(MARKER), 1_000_000):
        body[at:at + len(MARKER)] = MARKER
    return bytes(body)


def declared(content, content_type="application/pdf", kind="document", **extra):
    """Creation metadata for `content`."""
    return {"id": uuid.uuid4(), "kind": kind, "content_type": content_type, "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "description": "medical report of Dr. Secret-Name", **extra}


def pieces(content):
    """`content` in pieces as the HTTP layer hands them over."""
    return [content[i:i + store.PIECE_BYTES] for i in range(0, len(content), store.PIECE_BYTES)]


def stored(actor, detention, content, now=T0, **extra):
    """A complete upload of `content` sent in one go; returns the row."""
    row, _ = attachments.create_upload(actor, detention.id, declared(content, **extra), now)
    return attachments.append(actor, row.id, 0, pieces(content), now)


def read_back(actor, attachment_id, now=T0):
    """The content as a reader receives it."""
    _row, chunks = attachments.open_content(actor, attachment_id, now)
    return b"".join(chunks)


@pytest.fixture
def setting(actor):
    """A monitor in MX and one of its detentions."""
    monitor = actor("monitor", ("MX",))
    return monitor, make_detention(monitor, make_facility(actor("admin", ())))


def test_nothing_in_clear_in_the_database_file(app, setting):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the raw file search is made on SQLite")
    monitor, detention = setting
    content = pdf_with_marker()
    row = stored(monitor, detention, content)
    assert read_back(monitor, row.id) == content
    db.session.commit()
    db.session.execute(text("PRAGMA wal_checkpoint(FULL)"))
    db.session.commit()
    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    raw = b"".join(open(p, "rb").read() for p in (path, path + "-wal") if os.path.exists(p))
    assert db.session.scalar(select(func.count()).select_from(AttachmentChunk)) == 3
    assert MARKER not in raw and content[5000:5064] not in raw
    assert b"Secret-Name" not in raw


def test_chunks_cannot_be_swapped_or_moved(setting):
    monitor, detention = setting
    row = stored(monitor, detention, pdf_with_marker())
    table = AttachmentChunk.__table__
    first, second = db.session.execute(select(table.c.data).where(
        table.c.attachment_id == row.id).order_by(table.c.idx).limit(2)).scalars().all()
    db.session.execute(update(table).where(table.c.attachment_id == row.id, table.c.idx == 0)
                       .values(data=second))
    db.session.commit()
    with pytest.raises(InvalidTag):
        read_back(monitor, row.id)


def test_key_rotation_rewraps_file_keys_and_content_still_reads(app, setting):
    monitor, detention = setting
    content = pdf_with_marker(1_500_000)
    row = stored(monitor, detention, content)
    chunks_before = db.session.scalars(select(AttachmentChunk.data).order_by(AttachmentChunk.idx)).all()
    old = app.extensions["monitor.cipher"]
    app.extensions["monitor.cipher"] = Cipher(NEW_KEY, app.config["SECRET_KEY"], (TEST_DATA_KEY,))
    try:
        rotate()
        db.session.expire_all()
        sealed = db.session.get(Attachment, row.id)
        fresh = app.extensions["monitor.cipher"]
        assert fresh.is_current(sealed.key_enc) and fresh.is_current(sealed.description_enc)
        app.extensions["monitor.cipher"] = Cipher(NEW_KEY, app.config["SECRET_KEY"])  # old key gone
        db.session.expire_all()
        assert read_back(monitor, row.id) == content
        chunks_after = db.session.scalars(select(AttachmentChunk.data).order_by(AttachmentChunk.idx)).all()
        assert chunks_after == chunks_before  # the content was not re-encrypted
    finally:
        app.extensions["monitor.cipher"] = old


def test_backup_then_restore_then_read(app, setting, tmp_path):
    monitor, detention = setting
    content = pdf_with_marker(1_200_000)
    row_id = stored(monitor, detention, content).id
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        out = tmp_path / "backup.sqlite3"
        backup(str(out))
        restored_url, cleanup = f"sqlite:///{out}", lambda: None
    else:
        restored_url, cleanup = _restore_postgresql(url, tmp_path)
    try:
        other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": restored_url,
                            "SECRET_KEY": app.config["SECRET_KEY"], "DATA_KEY": TEST_DATA_KEY,
                            "JWT_SECRET_KEY": app.config["JWT_SECRET_KEY"], "SCHEDULER_ENABLED": False})
        with other.app_context():
            try:
                assert read_back(monitor, row_id) == content
            finally:
                db.session.remove()
                db.engine.dispose()
    finally:
        cleanup()


def _restore_postgresql(url, tmp_path):
    """pg_dump the test database, pg_restore it into a fresh one; (its URL, drop it)."""
    out = tmp_path / "backup.dump"
    backup(str(out))
    name = "restore_" + uuid.uuid4().hex[:12]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    target = url.set(drivername="postgresql", database=name, password=None)
    subprocess.run([shutil.which("pg_restore"), "--no-owner", "--dbname",
                    target.render_as_string(hide_password=False), str(out)], check=True,
                   env=dict(os.environ, PGPASSWORD=url.password or ""))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), drop


def test_abandoned_uploads_are_removed_after_the_setting(app, setting):
    monitor, detention = setting
    content = pdf_with_marker(1_100_000)
    row, _ = attachments.create_upload(monitor, detention.id, declared(content), T0)
    row_id = row.id
    attachments.append(monitor, row_id, 0, pieces(content[:1000]), T0 + hours(1))
    done = stored(monitor, detention, pdf_with_marker(1000), now=T0)
    done_id = done.id
    assert attachments.remove_abandoned(T0 + hours(72), 72) == 0  # 71 h since its last byte
    assert attachments.remove_abandoned(T0 + hours(73) + hours(0.01), 72) == 1
    db.session.expire_all()
    assert db.session.get(Attachment, row_id) is None
    assert db.session.get(Attachment, done_id).status == "complete"  # complete files stay
    remaining = db.session.scalars(select(AttachmentChunk.attachment_id).distinct()).all()
    assert remaining == [done_id]


def test_scheduler_job_removes_abandoned_uploads(app, setting):
    from datetime import datetime, timezone

    from monitor.scheduler import run_attachment_cleanup_job
    monitor, detention = setting
    long_ago = datetime.now(timezone.utc) - hours(app.config["ATTACHMENT_ABANDON_HOURS"] + 1)
    row, _ = attachments.create_upload(monitor, detention.id, declared(b"%PDF-1.7\n" + b"x" * 99), long_ago)
    row_id = row.id
    db.session.rollback()  # the job works in its own session: see what it committed
    assert run_attachment_cleanup_job(app) == 1
    db.session.rollback()
    assert db.session.get(Attachment, row_id) is None


def _jpeg(gps):
    """A JPEG with or without EXIF GPS tags."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if gps:
        exif[0x8825] = {1: "N", 2: (19.0, 26.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 0)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_gps_presence_is_reported(setting):
    monitor, detention = setting
    with_gps = stored(monitor, detention, _jpeg(True), kind="photo", content_type="image/jpeg")
    stripped = stored(monitor, detention, _jpeg(False), kind="photo", content_type="image/jpeg")
    report = stored(monitor, detention, b"%PDF-1.7\n" + os.urandom(500))
    assert (with_gps.gps_present, stripped.gps_present, report.gps_present) == (True, False, None)


def test_only_the_uploader_continues_and_scope_hides(actor, setting):
    monitor, detention = setting
    content = pdf_with_marker(3000)
    row, _ = attachments.create_upload(monitor, detention.id, declared(content), T0)
    with pytest.raises(Forbidden):
        attachments.append(actor("monitor", ("MX",)), row.id, 0, [content], T0)
    with pytest.raises(NotFound):
        attachments.append(actor("monitor", ("PH",)), row.id, 0, [content], T0)
    with pytest.raises(Conflict):  # the same id in another country's scope: a conflict, no leak
        attachments.create_upload(actor("monitor", ("PH",)), make_detention(
            actor("admin", ()), make_facility(actor("admin", ()), country="PH", tz="Asia/Manila")).id,
            dict(declared(content), id=row.id), T0)
    assert attachments.append(actor("admin", ()), row.id, 0, [content], T0).status == "complete"
