"""The SQLite database and its WAL and SHM files are readable by their owner only."""
import os
import stat

import pytest
from sqlalchemy import text

from monitor import create_app
from monitor.extensions import db
from tests.helpers import TEST_DATA_KEY


def open_app(path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SECRET_KEY": "s", "JWT_SECRET_KEY": "j" * 40, "DATA_KEY": TEST_DATA_KEY,
                      "SCHEDULER_ENABLED": False})
    with app.app_context():
        db.session.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
        db.session.execute(text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        modes = {p: stat.S_IMODE(os.stat(p).st_mode)
                      for p in (path, f"{path}-wal", f"{path}-shm") if os.path.exists(p)}
        db.session.remove()
        db.engine.dispose()
    return modes


@pytest.fixture
def open_umask():
    old = os.umask(0o022)  # the usual umask: new files 0644
    yield
    os.umask(old)


def test_a_new_database_and_its_wal_are_0600(tmp_path, open_umask):
    modes = open_app(str(tmp_path / "new.sqlite3"))
    assert len(modes) == 3  # the file, its WAL and its SHM while a connection is open
    assert set(modes.values()) == {0o600}


def test_an_existing_world_readable_database_is_tightened(tmp_path, open_umask):
    path = tmp_path / "old.sqlite3"
    for name in (path, f"{path}-wal"):
        open(name, "wb").close()
        os.chmod(name, 0o644)
    modes = open_app(str(path))
    assert set(modes.values()) == {0o600}
