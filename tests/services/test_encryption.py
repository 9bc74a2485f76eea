"""Identities are encrypted at rest: the clear name is nowhere in the database file."""
import glob
import subprocess

from sqlalchemy import text

from monitor.extensions import db


def _database_bytes(app):
    """The database file and its WAL: every byte SQLite has written.

    Read by another process: closing a file descriptor of the database in this process would
    drop SQLite's POSIX locks held by this process's own connections (a documented SQLite
    pitfall), and a later writer could then reset the WAL under them."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    path = url[len("sqlite:///"):]
    return subprocess.run(["cat", *sorted(glob.glob(path + "*"))], capture_output=True, check=True).stdout


def _postgres_dump():
    """Every text and bytea value of the custody tables, as PostgreSQL stores them."""
    chunks = []
    for table in ("persons", "detentions", "custody_events"):
        for row in db.session.execute(text(f"SELECT * FROM {table}")):
            chunks += [bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode() for v in row]
    return b"|".join(chunks)


def test_names_notes_and_free_text_are_not_stored_in_clear(app, client, auth, detention):
    d = detention(name="Zyxwvut Qrstuv", birth_date="1991-07-04")
    client.post(f"/api/v1/detentions/{d['id']}/events", headers=auth("admin", ()), json={
        "type": "lawyer_access", "occurred_at": d["arrested_at"],
        "details": {"lawyer_name": "Abogada Plmnbv", "private": True}, "notes": "Ojqwerty bruises"})
    raw = _database_bytes(app) if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") \
        else _postgres_dump()
    for secret in ("Zyxwvut", "Qrstuv", "1991-07-04", "Plmnbv", "Ojqwerty", "seen bruised"):
        assert secret.encode() not in raw, secret
        assert secret.encode("utf-16-le") not in raw
    # ...while the API still shows them to a monitor
    view = client.get(f"/api/v1/detentions/{d['id']}", headers=auth("monitor", ["MX"])).get_json()
    assert view["person"]["name"] == "Zyxwvut Qrstuv" and view["person"]["birth_date"] == "1991-07-04"
    lawyer = [e for e in view["events"] if e["type"] == "lawyer_access"][0]
    assert lawyer["details"]["lawyer_name"] == "Abogada Plmnbv" and lawyer["notes"] == "Ojqwerty bruises"


def test_ciphertext_is_bound_to_its_record(app):
    cipher = app.extensions["monitor.cipher"]
    sealed = cipher.seal({"name": "A"}, "person:1")
    assert cipher.open(sealed, "person:1") == {"name": "A"}
    try:
        cipher.open(sealed, "person:2")
    except Exception as exc:  # cryptography's InvalidTag
        assert type(exc).__name__ == "InvalidTag"
    else:
        raise AssertionError("a ciphertext opened under another record's context")
