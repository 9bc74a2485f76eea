"""Generated data sets, made once per backend and size and reused (they take minutes).

A data set is `seed.bulk.generate(n, due, now)` under fixed keys (bench/out/data/keys.json:
the sealed identities and the pseudonyms depend on them), kept as
- SQLite: bench/out/data/sqlite-<n>-<due>.sqlite3;
- PostgreSQL: database `bench_<n>_<due>` in a cluster kept in bench/out/pg (port
  BENCH_PG_PORT, default 55406), started and stopped around each benchmark.
`fresh=True` hands a benchmark a copy it may change (the sweep); otherwise the data set
itself, to which benchmarks add only users, an organisation and audit entries.
"""
import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import harness

sys.path.insert(0, str(harness.ROOT))

DATA = harness.ROOT / "bench" / "out" / "data"
PG_DIR = harness.ROOT / "bench" / "out" / "pg"
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "55406"))


def keys():
    """SECRET_KEY, JWT_SECRET_KEY and DATA_KEY shared by every data set."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / "keys.json"
    if not path.exists():
        path.write_text(json.dumps({
            "SECRET_KEY": secrets.token_urlsafe(32), "JWT_SECRET_KEY": secrets.token_urlsafe(32),
            "DATA_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode()}))
    return json.loads(path.read_text())


def _pg(*args, check=True):
    """Run a PostgreSQL binary as the postgres user (it refuses root)."""
    bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    command = [str(bindir / args[0]), *args[1:]]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, check=check)


@contextmanager
def pg_cluster(reuse=True):
    """The kept cluster, started (created the first time) and stopped afterwards; if it is
    already running (a caller up the stack started it), used as it is."""
    if reuse and (PG_DIR / "data").exists() and \
            _pg("pg_ctl", "-D", str(PG_DIR / "data"), "status", check=False).returncode == 0:
        yield f"postgresql://postgres@127.0.0.1:{PG_PORT}"
        return
    if not list(Path("/usr/lib/postgresql").glob("*/bin")):
        subprocess.run([str(harness.ROOT / ".ci" / "postgres.sh"), "stop", "/nonexistent"], check=False)
    PG_DIR.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(PG_DIR, "postgres")
    if not (PG_DIR / "data").exists():
        _pg("initdb", "-D", str(PG_DIR / "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8")
    _pg("pg_ctl", "-D", str(PG_DIR / "data"), "-l", str(PG_DIR / "log"), "-w", "-o",
        f"-h 127.0.0.1 -p {PG_PORT} -k {PG_DIR} -c fsync=off -c max_connections=200"
        " -c shared_buffers=512MB -c work_mem=32MB", "start")
    try:
        yield f"postgresql://postgres@127.0.0.1:{PG_PORT}"
    finally:
        _pg("pg_ctl", "-D", str(PG_DIR / "data"), "-m", "fast", "-w", "stop", check=False)


def psql(sql, database="postgres"):
    """One statement through psql; returns its unaligned output."""
    return _pg("psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-d", database,
               "-At", "-c", sql).stdout.strip()


def _generate(env, n, due):
    """Migrate the database at env's DATABASE_URL and fill it."""
    harness.flask(env, "db", "upgrade")
    from monitor import create_app
    from seed.bulk import generate
    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
                      "JWT_SECRET_KEY": env["JWT_SECRET_KEY"], "DATA_KEY": env["DATA_KEY"],
                      "SCHEDULER_ENABLED": False})
    with app.app_context():
        generate(n, due, datetime.fromisoformat(env["BENCH_NOW"]), app.extensions["monitor.cipher"])
        from monitor.extensions import db
        db.session.remove()
        db.engine.dispose()


def settle_copy():
    """Write a fresh copy out to disk before it is measured: the kernel otherwise writes its
    gigabytes back during the measurement, on the same two cores and the same disk (a sweep
    over 1,000,000 took 10.9-11.2 s straight after the copy, 6.9-7.1 s after a sync)."""
    os.sync()


@contextmanager
def dataset(backend, n, due, work, fresh=False):
    """Yield the env (keys, DATABASE_URL, BENCH_NOW: the generation's `now`) of a data set."""
    base = harness.app_env(work)
    base.update(keys())
    name = f"{n}_{due}"
    if backend == "sqlite":
        source = DATA / f"sqlite-{name}.sqlite3"
        stamp = DATA / f"sqlite-{name}.now"
        if not source.exists():
            partial = source.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
            _generate(dict(base, DATABASE_URL=f"sqlite:///{partial}", BENCH_NOW=now), n, due)
            import sqlite3
            with sqlite3.connect(partial) as conn:  # one self-contained file (no WAL beside it)
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()  # `with` only commits: left open across the rename, it hid later writes
            partial.rename(source)
            stamp.write_text(now)
        path = source
        if fresh:
            path = work / "bench.sqlite3"
            shutil.copyfile(source, path)
            settle_copy()
        env = dict(base, DATABASE_URL=f"sqlite:///{path}", BENCH_NOW=stamp.read_text().strip())
        harness.flask(env, "db", "upgrade")  # migrations added since it was made
        yield env
        return
    with pg_cluster() as server:
        template = f"bench_{name}"
        now = psql("SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                            f" WHERE datname = '{template}'")
        if not now:  # absent, or half-made by an interrupted run (the comment marks it done)
            psql(f"DROP DATABASE IF EXISTS {template}")
            psql(f"CREATE DATABASE {template}")
            now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
            _generate(dict(base, DATABASE_URL=f"{server}/{template}", BENCH_NOW=now), n, due)
            psql("VACUUM ANALYZE", database=template)
            psql(f"COMMENT ON DATABASE {template} IS '{now}'")
        database = template
        if fresh:  # a file-level copy: seconds, where generating takes minutes
            database = f"run_{name}"
            psql(f"DROP DATABASE IF EXISTS {database}")
            psql(f"CREATE DATABASE {database} TEMPLATE {template}")
            settle_copy()
        env = dict(base, DATABASE_URL=f"{server}/{database}", BENCH_NOW=now)
        harness.flask(env, "db", "upgrade")
        yield env


def ensure_users(env):
    """The benchmark admin and a researcher of 'Bench University' scoped to every generated
    country, unless already there."""
    from seed.cases import JURISDICTIONS
    countries = ",".join(sorted({country for _, country, _, _ in JURISDICTIONS}))
    for args, password in ((["--email", harness.ADMIN_EMAIL, "--role", "admin"], harness.ADMIN_PASSWORD),
                           (["--email", "researcher@example.org", "--role", "researcher",
                             "--organization", "Bench University", "--countries", countries], "researcher-pass-0123")):
        try:
            harness.flask(env, "users", "create", *args, "--password-stdin", stdin=password + "\n")
        except subprocess.CalledProcessError as exc:
            if "exists" not in (exc.stderr + exc.stdout).lower():
                raise RuntimeError(exc.stderr) from None
