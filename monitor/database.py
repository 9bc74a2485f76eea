"""Engine set-up: SQLite pragmas and write transactions that take the lock up front."""
import contextvars
import os
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from monitor import writelock
from monitor.extensions import db

_write_intent = contextvars.ContextVar("write_intent", default=False)
# Set while a request's write unit is open: its commit ends the need for the write lock.
_request_unit = contextvars.ContextVar("request_unit", default=False)


@contextmanager
def write_intent():
    """Within this block, SQLite transactions begin IMMEDIATE (the write lock is taken first)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def is_write_method(method):
    """Does an HTTP method write?"""
    return method in WRITE_METHODS


def mark_write_request():
    """Mark the current request as a writer (called before each POST/PATCH/PUT/DELETE)."""
    _write_intent.set(True)


def begin_write_unit():
    """End the request's read transaction; what follows begins one that writes."""
    db.session.rollback()
    _write_intent.set(True)
    _request_unit.set(True)


@event.listens_for(Session, "after_commit")
def _end_write_unit(_session):
    """After a request's unit of work commits, reading the result back needs no write lock."""
    if _request_unit.get():
        _request_unit.set(False)
        _write_intent.set(False)


def mark_read_request():
    """Mark the current request as a reader."""
    _write_intent.set(False)
    _request_unit.set(False)


def make_private(database):
    """Create the SQLite file 0600 before SQLite does (it would follow the umask, 0644 by
    default), and tighten an existing one and its WAL and SHM files to 0600: they hold the
    records. SQLite gives the WAL and SHM files it creates the database file's mode."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    # Only ever open a file that did not exist: closing any descriptor of a database file
    # drops every POSIX lock this process holds on it, SQLite's own included.
    try:
        os.close(os.open(database, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    for path in (database, database + "-wal", database + "-shm"):
        if os.path.exists(path) and os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)


def configure_engine(engine):
    """Apply per-dialect settings; on SQLite: WAL, foreign keys, busy timeout, explicit BEGIN."""
    if engine.dialect.name != "sqlite":
        return
    make_private(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    path = writelock.lock_path(engine.url.database)
    if path:
        writelock.install(engine, path)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A deferred transaction that later writes can fail at once with SQLITE_BUSY when
        # another writer committed meanwhile; taking the lock first makes writers queue,
        # in the writer queue first (see monitor.writelock), then in SQLite itself.
        if not _write_intent.get():
            conn.exec_driver_sql("BEGIN")
            return
        if path:
            writelock.acquire(conn.connection.info, path)
        conn.exec_driver_sql("BEGIN IMMEDIATE")
