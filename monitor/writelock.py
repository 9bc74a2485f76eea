"""A queue for SQLite writers: an advisory file lock taken before `BEGIN IMMEDIATE`.

SQLite lets one writer in at a time and makes the others retry with sleeps that grow to
100 ms, so under load a waiting writer keeps sleeping long after the lock came free (the
long tail of write latency). Writers here first take an exclusive `flock` on a file beside
the database, polled, and hold it until their connection goes back to the pool (after
commit or rollback): a waiting writer starts within about 0.1 ms of the previous one
finishing (within a millisecond once it has waited 50 ms). The lock belongs to an open
file, so the kernel drops it if the process dies. After WAIT_SECONDS without it a writer goes
on to SQLite's own busy handling.
"""
import fcntl
import os
import time

from sqlalchemy import event

WAIT_SECONDS = 30
# A writer waits on the order of a millisecond (one other writer's short unit of work), so it
# retries every 0.1 ms at first: polling at 1 ms left both workers idle half the time. After
# FAST_POLL_SECONDS of waiting (a long unit of work, such as a sweep batch) it retries every
# millisecond.
FAST_POLL, FAST_POLL_SECONDS, POLL_SECONDS = 0.0001, 0.05, 0.001


def lock_path(database):
    """The lock file of a SQLite database file (None for an in-memory database)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database + ".writelock"


def acquire(record_info, path, wait=WAIT_SECONDS):
    """Take this connection's writer lock (True), or give up after `wait` seconds (False)."""
    if record_info.get("writer"):
        return True
    handle = record_info.get("lock_file")
    if handle is None:
        handle = record_info["lock_file"] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    start = time.monotonic()
    deadline, slow_from = start + wait, start + FAST_POLL_SECONDS
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            record_info["writer"] = True
            return True
        except BlockingIOError:
            moment = time.monotonic()
            if moment >= deadline:
                return False
            time.sleep(FAST_POLL if moment < slow_from else POLL_SECONDS)


def release(record_info):
    """Let the next writer in (the transaction has ended)."""
    if record_info.pop("writer", False):
        fcntl.flock(record_info["lock_file"], fcntl.LOCK_UN)


def close(record_info):
    """Release and close the lock file of a connection being closed."""
    release(record_info)
    handle = record_info.pop("lock_file", None)
    if handle is not None:
        os.close(handle)


def install(engine, path):
    """Release each connection's writer lock when it returns to the pool or closes."""
    event.listen(engine, "checkin", lambda _dbapi, record: release(record.info))
    event.listen(engine, "close", lambda _dbapi, record: close(record.info))
    event.listen(engine, "invalidate", lambda _dbapi, record, _exc: close(record.info))
