"""A new SQLite database is made with SQLITE_PAGE_SIZE pages (evidence chunks are large
blobs: fewer, larger pages write them faster); an existing one keeps the size it has."""
import sqlite3

from sqlalchemy import text

from monitor import create_app
from monitor.extensions import db
from tests.helpers import TEST_DATA_KEY


def page_size_seen_by_the_app(path, **settings):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SECRET_KEY": "s", "JWT_SECRET_KEY": "j" * 40, "DATA_KEY": TEST_DATA_KEY,
                      "SCHEDULER_ENABLED": False, **settings})
    with app.app_context():
        db.session.execute(text("CREATE TABLE IF NOT EXISTS t (x BLOB)"))
        db.session.execute(text("INSERT INTO t VALUES (zeroblob(100000))"))
        db.session.commit()
        size = db.session.execute(text("PRAGMA page_size")).scalar()
        db.session.remove()
        db.engine.dispose()
    return size


def test_a_new_database_takes_the_configured_page_size(tmp_path):
    assert page_size_seen_by_the_app(tmp_path / "new.sqlite3") == 16384  # the default
    assert page_size_seen_by_the_app(tmp_path / "other.sqlite3", SQLITE_PAGE_SIZE=8192) == 8192


def test_an_existing_database_keeps_its_page_size_and_its_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:  # made elsewhere, with SQLite's default pages
        conn.execute("PRAGMA page_size=4096")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE kept (x INTEGER)")
        conn.execute("INSERT INTO kept VALUES (7)")
    conn.close()
    assert page_size_seen_by_the_app(path) == 4096
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT x FROM kept").fetchall() == [(7,)]
    conn.close()
