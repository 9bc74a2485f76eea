"""A served SQLite database is checkpointed in the background: a request's commit writes its
pages to the WAL only, and copying them into the database file (with its fsync) happens in a
thread of the worker rather than inside whichever commit crossed SQLite's automatic limit."""
from sqlalchemy import text

from monitor import create_app, walcheckpoint
from monitor.extensions import db
from tests.helpers import TEST_DATA_KEY


def _app(url, **settings):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                       "SECRET_KEY": "s", "JWT_SECRET_KEY": "j" * 40, "DATA_KEY": TEST_DATA_KEY,
                       "SCHEDULER_ENABLED": False, **settings})


def _write(rows):
    db.session.execute(text("CREATE TABLE IF NOT EXISTS t (x BLOB)"))
    for _ in range(rows):
        db.session.execute(text("INSERT INTO t VALUES (randomblob(50000))"))
    db.session.commit()


def test_the_checkpointer_copies_the_wal_into_the_database(tmp_path):
    app = _app(f"sqlite:///{tmp_path / 'served.sqlite3'}", SQLITE_CHECKPOINT_SECONDS=3600,
               SQLITE_WAL_AUTOCHECKPOINT=5000)
    checkpointer = walcheckpoint.start(app)
    try:
        assert checkpointer is not None
        with app.app_context():
            # the automatic limit is raised for the connections this process opens now
            assert db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 5000
            _write(40)  # 2 MB: under the raised limit, so no commit checkpointed it
            db.session.remove()
        busy, frames, copied = checkpointer.tick()
        assert busy == 0 and frames > 40 and copied == frames  # all of it now in the file
        with app.app_context():  # and readable as before
            assert db.session.execute(text("SELECT count(*) FROM t")).scalar() == 40
            db.session.remove()
    finally:
        checkpointer.stop()
        with app.app_context():
            db.engine.dispose()


def test_the_thread_runs_the_ticks_and_stops(tmp_path):
    app = _app(f"sqlite:///{tmp_path / 'ticks.sqlite3'}", SQLITE_CHECKPOINT_SECONDS=0.01)
    with app.app_context():
        _write(5)
        db.session.remove()
    checkpointer = walcheckpoint.start(app)
    assert checkpointer is not None
    assert checkpointer.ticked.wait(30)  # set by the thread after its first checkpoint
    checkpointer.stop()
    assert not checkpointer.thread.is_alive()
    with app.app_context():
        db.engine.dispose()


def test_no_checkpointer_without_a_sqlite_file_or_when_turned_off(tmp_path):
    assert walcheckpoint.start(_app("sqlite://")) is None  # in memory: no WAL
    assert walcheckpoint.start(_app(f"sqlite:///{tmp_path / 'off.sqlite3'}",
                                    SQLITE_CHECKPOINT_SECONDS=0)) is None
    assert walcheckpoint.start(_app("postgresql+psycopg://u:p@127.0.0.1:1/none")) is None


def test_the_dedicated_scheduler_checkpoints_in_the_background(tmp_path, monkeypatch):
    """`flask scheduler` is a server process too: its sweeps' commits leave the WAL to a
    checkpointer thread, as a web worker's do."""
    from monitor import scheduler

    path = str(tmp_path / "scheduled.sqlite3")
    app = _app(f"sqlite:///{path}", SQLITE_CHECKPOINT_SECONDS=3600, SQLITE_WAL_AUTOCHECKPOINT=7000)
    seen = {}

    class Scheduler:
        def __init__(self, **kwargs):
            pass

        def add_job(self, *args, **kwargs):
            pass

        def start(self):  # what the sweep's connections would take while the scheduler runs
            seen["pages"] = walcheckpoint.autocheckpoint_pages(path)

    monkeypatch.setattr(scheduler, "BlockingScheduler", Scheduler)
    scheduler.run_dedicated_scheduler(app)
    assert seen["pages"] == 7000
    assert walcheckpoint.autocheckpoint_pages(path) is None  # stopped with the scheduler
