"""Background WAL checkpoints for a SQLite database that a server process writes to.

In WAL mode a commit appends its pages to the WAL; a checkpoint later copies them into the
database file and syncs it. By default SQLite runs that checkpoint inside whichever commit
takes the WAL past 1,000 pages, so one request in every few pays for the copy and the fsync of
all the others (with evidence uploads, every 16th 1 MB chunk waited for 16 MB to be copied).
A served process instead raises that automatic limit (SQLITE_WAL_AUTOCHECKPOINT, kept as a
safety net) and checkpoints from a thread of its own every SQLITE_CHECKPOINT_SECONDS, the
pattern SQLite's documentation gives for applications that want commits to stay short.

A PASSIVE checkpoint never waits for readers or writers and never blocks them: what it cannot
copy yet it leaves for the next tick. Commands (`flask ...`) keep SQLite's default behaviour.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any

from monitor.extensions import db

log = logging.getLogger(__name__)

# Database path -> the wal_autocheckpoint new connections to it take in this process.
_AUTOCHECKPOINT: dict[str, int] = {}


def autocheckpoint_pages(path: str | None) -> int | None:
    """The automatic checkpoint limit for new connections to `path`, if a checkpointer runs."""
    return _AUTOCHECKPOINT.get(path) if path else None


class Checkpointer:
    """A daemon thread running a PASSIVE checkpoint of one database file every `interval` s."""

    def __init__(self, path: str, interval: float) -> None:
        self.path, self.interval = path, interval
        self.ticked = threading.Event()  # set after the first checkpoint (for tests)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._conn: sqlite3.Connection | None = None

    def tick(self) -> tuple[int, int, int] | None:
        """One PASSIVE checkpoint: (busy, frames in the WAL, frames copied), or None if SQLite
        refused it (another process's checkpoint was running: the next tick goes on)."""
        try:
            if self._conn is None:
                # its own connection; never creates the file (the app made it, mode 0600)
                self._conn = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True,
                                             isolation_level=None, check_same_thread=False)
                self._conn.execute("PRAGMA busy_timeout=0")
            row = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            return int(row[0]), int(row[1]), int(row[2])
        except sqlite3.Error as error:
            log.debug("WAL checkpoint skipped: %s", error)
            return None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.tick()
            self.ticked.set()
        self._close()

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def start(self) -> None:
        """Start ticking in the background."""
        self.thread.start()

    def stop(self) -> None:
        """Stop the thread (if started) and close its connection."""
        self._stop.set()
        if self.thread.is_alive():
            self.thread.join()
        else:
            self._close()
        _AUTOCHECKPOINT.pop(self.path, None)


def start(app: Any) -> Checkpointer | None:
    """In a server process: raise the automatic limit for this process's new connections and
    checkpoint `app`'s SQLite file in the background. None for PostgreSQL, an in-memory
    database, or SQLITE_CHECKPOINT_SECONDS = 0."""
    interval = float(app.config.get("SQLITE_CHECKPOINT_SECONDS") or 0)
    with app.app_context():
        engine = db.engine
        path = engine.url.database
        if engine.dialect.name != "sqlite" or interval <= 0 or not path or path == ":memory:" \
                or path.startswith("file:"):
            return None
        _AUTOCHECKPOINT[path] = int(app.config.get("SQLITE_WAL_AUTOCHECKPOINT") or 4096)
        engine.dispose()  # connections opened before this take the raised limit when reopened
    checkpointer = Checkpointer(path, interval)
    checkpointer.start()
    return checkpointer
