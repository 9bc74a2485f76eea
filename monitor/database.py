"""The unit of work, and the engine set-up it relies on.

On SQLite a transaction that will write takes the write lock when it begins (BEGIN IMMEDIATE,
after the writer queue of monitor.writelock); a reader begins a plain deferred transaction.
Which one a transaction is follows the *write intent* of the code that opens it:

- a request: `init_app` marks write methods as writers before the view runs, and ends the
  unit of work (rollback of anything left open) when the request is torn down; an
  authenticated writer checks its token in a read transaction first and then calls
  `begin_write_unit()` (monitor.api.common), so a refused token never waits for the lock;
- anything else (scheduler jobs, the CLI, a read-only use case writing its audit entry):
  `with unit_of_work():` one write transaction, committed at the end of the block and rolled
  back if it raises.
"""
import contextvars
import os
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from monitor import walcheckpoint, writelock
from monitor.extensions import db

_write_intent = contextvars.ContextVar("write_intent", default=False)
# Set while a request's write unit is open: its commit ends the need for the write lock.
_request_unit = contextvars.ContextVar("request_unit", default=False)


@contextmanager
def write_intent():
    """Within this block, SQLite transactions begin IMMEDIATE (the write lock is taken first).
    The primitive under unit_of_work(), for code that manages its own engine or session."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextmanager
def unit_of_work():
    """One write transaction outside a request: the write lock first, commit at the end of the
    block, rollback if it raises (the session is left clean either way)."""
    with write_intent():
        try:
            yield db.session
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def init_app(app):
    """Attach the session to `app`, set the engine up, and give every request its unit of work."""
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config.get("SQLITE_PAGE_SIZE"))
    app.before_request(_begin_request)
    app.teardown_request(_end_request)


def _begin_request():
    """Writers (unless they take the lock themselves after authentication) are marked before
    the view runs; readers begin plain transactions."""
    from flask import current_app, request
    view = current_app.view_functions.get(request.endpoint)
    if is_write_method(request.method) and not getattr(view, "takes_write_lock_after_auth", False):
        mark_write_request()
    else:  # reads, and authenticated writers until their token has been checked
        mark_read_request()


def _end_request(_exc):
    """One unit of work per request, even when a caller (a test) keeps an app context open.

    The write intent is reset too, so a caller sharing the request's thread (the test client)
    does not go on taking SQLite's write lock for its own reads afterwards."""
    db.session.rollback()
    mark_read_request()


WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def is_write_method(method):
    """Does an HTTP method write?"""
    return method in WRITE_METHODS


def mark_write_request():
    """Mark the current request as a writer (called before each POST/PATCH/PUT/DELETE)."""
    _write_intent.set(True)


def begin_write_unit():
    """On SQLite, end the request's read transaction: what follows begins one that takes the
    write lock. On PostgreSQL the same transaction goes on to write (writers are ordered by
    row locks there, taken by the statements that need them): two round trips fewer."""
    if db.engine.dialect.name == "sqlite":
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


def configure_engine(engine, page_size=None):
    """Apply per-dialect settings; on SQLite: WAL, foreign keys, busy timeout, explicit BEGIN,
    and `page_size` for a database that is still empty (SQLite ignores it afterwards)."""
    if engine.dialect.name != "sqlite":
        return
    make_private(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        if page_size:  # before WAL: in WAL mode the size is fixed once the file has a page
            cursor.execute(f"PRAGMA page_size={int(page_size)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        pages = walcheckpoint.autocheckpoint_pages(engine.url.database)
        if pages:  # a checkpointer thread copies the WAL (monitor.walcheckpoint)
            cursor.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")
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
