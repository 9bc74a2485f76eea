"""Consistent backups: SQLite's online backup API, or pg_dump for PostgreSQL."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from typing import cast

from sqlalchemy.engine import make_url

from monitor.extensions import db


def _owner_only(output: str) -> None:
    """Make `output` (new or not) 0600 before anything is written to it: it holds the records."""
    os.close(os.open(output, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(output, 0o600)


def backup(output: str) -> str:
    """Write a consistent copy of the database to `output` (readable by its owner only);
    returns a one-line description."""
    url = db.engine.url
    _owner_only(output)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(cast(str, url.database))  # a file database: never None here
        target = sqlite3.connect(output)
        try:
            with target:
                source.backup(target)  # page-by-page copy of one consistent snapshot
        finally:
            target.close()
            source.close()
        return f"SQLite online backup of {url.database} written to {output}"
    if url.get_backend_name() == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise RuntimeError("pg_dump not found: install the PostgreSQL client")
        plain = make_url(url).set(drivername="postgresql", password=None)
        # The password goes through the environment: a command line is visible to `ps`.
        env = dict(os.environ, PGPASSWORD=url.password) if url.password else None
        subprocess.run([pg_dump, "--format=custom", "--file", output,
                        "--dbname", plain.render_as_string(hide_password=False)], check=True, env=env)
        return f"pg_dump (custom format) written to {output}; restore with pg_restore"
    raise RuntimeError(f"no backup method for {url.get_backend_name()}")
