"""Data-key rotation re-seals every identity; backups are consistent and restorable."""
import base64
import os
import shutil
import sqlite3
import stat
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from monitor.crypto import Cipher, key_id
from monitor.extensions import db
from monitor.models import Person
from monitor.services.ops.keys import rotate
from tests.helpers import TEST_DATA_KEY

NEW_KEY = base64.urlsafe_b64encode(b"n" * 32).decode()


def test_rotation_reseals_under_the_new_key(app, client, auth, detention):
    d = detention(name="Rotated Person")
    client.post(f"/api/v1/detentions/{d['id']}/events", headers=auth("admin", ()), json={
        "type": "family_notified", "occurred_at": d["arrested_at"], "notes": "called the sister",
        "details": {"relationship": "sister"}})
    old = app.extensions["monitor.cipher"]
    app.extensions["monitor.cipher"] = Cipher(NEW_KEY, app.config["SECRET_KEY"], (TEST_DATA_KEY,))
    try:
        view = client.get(f"/api/v1/detentions/{d['id']}", headers=auth("admin", ())).get_json()
        assert view["person"]["name"] == "Rotated Person"  # old values still open
        counts = rotate(batch=1)
        assert counts["persons"] == 1 and counts["detentions"] == 1 and counts["custody_events"] == 1
        assert rotate()["persons"] == 0  # idempotent
        blob = db.session.scalars(select(Person.identity_enc)).one()
        assert blob[1:5] == key_id(base64.urlsafe_b64decode(NEW_KEY))
        only_new = Cipher(NEW_KEY, app.config["SECRET_KEY"])
        app.extensions["monitor.cipher"] = only_new
        view = client.get(f"/api/v1/detentions/{d['id']}", headers=auth("admin", ())).get_json()
        assert view["person"]["name"] == "Rotated Person" and view["notes"] == "note"
        family = [e for e in view["events"] if e["type"] == "family_notified"][0]
        assert family["notes"] == "called the sister" and family["details"]["relationship"] == "sister"
    finally:
        app.extensions["monitor.cipher"] = old


def test_fingerprints_survive_rotation(app):
    a = Cipher(TEST_DATA_KEY, "same-secret")
    b = Cipher(NEW_KEY, "same-secret")
    assert a.fingerprint({"x": 1}) == b.fingerprint({"x": 1})
    assert a.pseudonym("org:1", "p") == b.pseudonym("org:1", "p")


def test_backup_is_a_consistent_restorable_copy(app, runner, detention, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return restore_postgresql_backup(app, runner, detention, tmp_path)
    detention()
    out = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", "--output", str(out)])
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(out)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM detentions").fetchone()[0] == 1
    copy.close()


def restore_postgresql_backup(app, runner, detention, tmp_path):
    """pg_dump through `flask backup`, then pg_restore into a fresh database and count."""
    detention()
    out = tmp_path / "backup.dump"
    result = runner.invoke(args=["backup", "--output", str(out)])
    assert result.exit_code == 0, result.output
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    name = "restore_" + uuid.uuid4().hex[:12]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        target = url.set(drivername="postgresql", database=name, password=None)
        subprocess.run([shutil.which("pg_restore"), "--no-owner", "--dbname",
                        target.render_as_string(hide_password=False), str(out)], check=True,
                       env=dict(os.environ, PGPASSWORD=url.password or ""))
        restored = create_engine(url.set(database=name))
        with restored.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM detentions")).scalar_one() == 1
            assert conn.execute(text("SELECT count(*) FROM custody_events")).scalar_one() == 1
        restored.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_is_readable_by_its_owner_only(app, runner, detention, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    detention()
    out = tmp_path / "backup.copy"
    old = os.umask(0o022)  # the usual umask: files 0644 unless made otherwise
    try:
        result = runner.invoke(args=["backup", "--output", str(out)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
