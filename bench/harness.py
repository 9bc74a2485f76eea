"""Shared benchmark plumbing: a throwaway app under gunicorn on 127.0.0.1, and timing helpers."""
import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADMIN_EMAIL, ADMIN_PASSWORD = "bench-admin@example.org", "bench-password-0123"


def free_port():
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(workdir, database_url=None, **extra):
    """Environment for a fresh app: its own keys and database, scheduler off unless asked."""
    env = dict(os.environ)
    env.update({
        "SECRET_KEY": secrets.token_urlsafe(32), "JWT_SECRET_KEY": secrets.token_urlsafe(32),
        "DATA_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "DATABASE_URL": database_url or f"sqlite:///{workdir}/bench.sqlite3",
        "SCHEDULER_ENABLED": "0", "ACCESS_LOG": "", "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "8192", "LOGIN_MAX_FAILURES_PER_ADDRESS": "100000",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def flask(env, *args, stdin=None):
    """Run `flask --app wsgi ...` in the project with `env`."""
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                          input=stdin, text=True, capture_output=True)
    if done.returncode != 0:  # keep the child's own words: they say what went wrong
        raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout,
                                            done.stderr[-3000:] or done.stdout[-3000:])
    return done


def prepare(env):
    """Migrate and create the benchmark admin."""
    flask(env, "db", "upgrade")
    flask(env, "users", "create", "--email", ADMIN_EMAIL, "--role", "admin", "--password-stdin",
          stdin=ADMIN_PASSWORD + "\n")


@contextmanager
def gunicorn(env, workers=2, app="wsgi:app", cwd=ROOT, config=True, ready_path="/healthz", log=None,
             serving=None):
    """Serve `app` with gunicorn on a free port (stderr to `log` if given); yields the base URL.

    `serving` (gunicorn arguments) replaces the worker model, e.g. sync workers with keep-alive."""
    port = free_port()
    err = open(log, "wb") if log else subprocess.PIPE
    # Without the project's config (the bare baseline), the same worker model all the same.
    conf = (["-c", str(ROOT / "gunicorn.conf.py")] if config else
            ["-k", "gthread", "--threads", env.get("WEB_THREADS", "1"),
             "--keep-alive", env.get("WEB_KEEPALIVE", "0")])
    if serving:
        conf = serving
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), *conf, "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", app],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + ready_path, timeout=1)
                break
            except urllib.error.HTTPError:
                break  # the server answers
            except OSError as exc:
                if proc.poll() is not None:
                    output = Path(log).read_bytes() if log else proc.stderr.read()
                    raise RuntimeError(output.decode()[-2000:]) from exc
                time.sleep(0.1)
        yield _Served(base, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            err.close()


def process_tree(pid):
    """`pid` and all its descendants (gunicorn's arbiter and its workers)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            todo.extend(int(c) for c in children)
    return found


def cpu_seconds(pids):
    """User + system CPU seconds used so far by these live processes (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


class _Served(str):
    """The base URL of a served app, which also knows the server's process id."""

    def __new__(cls, base, pid):
        served = super().__new__(cls, base)
        served.pid = pid
        return served

    def cpu_seconds(self):
        """CPU seconds the server's processes have used so far."""
        return cpu_seconds(process_tree(self.pid))


def bench_facility(base, token, name="Bench"):
    """A Mexican police station created through the API; returns its record."""
    _, facility = call(base, "POST", "/api/v1/facilities", {
        "name": name, "kind": "police_station", "country": "MX",
        "timezone": "America/Mexico_City"}, token)
    return facility


def call(base, method, path, body=None, token=None, timeout=60):
    """One JSON request; returns (status, parsed body or None)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        return exc.code, json.loads(raw) if raw else None


def login(base):
    """The benchmark admin's access token."""
    status, body = call(base, "POST", "/api/v1/auth/login",
                        {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert status == 200, body
    return body["access_token"]


def median(values):
    """Median, or None for no values."""
    return statistics.median(values) if values else None


@contextmanager
def workdir():
    """A temporary directory for one benchmark run."""
    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as path:
        yield Path(path)


def write_report(name, report):
    """Save the figures under bench/out/ and print them."""
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


def timed(command, env, cwd=ROOT):
    """Run `command` under /usr/bin/time -v: (wall seconds, peak RSS in MB, stdout)."""
    child = subprocess.run(["/usr/bin/time", "-v", *map(str, command)], cwd=cwd, env=env,
                           capture_output=True, text=True)
    if child.returncode != 0:
        raise RuntimeError(child.stderr[-3000:])
    elapsed = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", child.stderr)
    seconds = int(elapsed.group(1) or 0) * 3600 + int(elapsed.group(2)) * 60 + float(elapsed.group(3))
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", child.stderr).group(1))
    return seconds, peak_kb / 1024, child.stdout


def sha256_of(path):
    """Hex SHA-256 of a file, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for piece in iter(lambda: f.read(1 << 20), b""):
            digest.update(piece)
    return digest.hexdigest()


def scalar(url, sql):
    """One value from the database at `url` (sqlite:/// or postgresql://), no framework."""
    if url.startswith("sqlite:///"):
        import sqlite3
        with sqlite3.connect(url[len("sqlite:///"):]) as conn:
            return conn.execute(sql).fetchone()[0]
    import psycopg
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchone()[0]


def profiling_app(url, **config):
    """An in-process app (no server) on a migrated database at `url`, for the profile scripts:
    (app, a monitor's bearer headers, the id of an MX police station)."""
    import uuid

    from flask_jwt_extended import create_access_token
    from flask_migrate import upgrade

    from monitor import create_app
    from monitor.extensions import db
    from monitor.models import Facility, User
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "s" * 32,
                      "JWT_SECRET_KEY": "j" * 48, "SCHEDULER_ENABLED": False,
                      "DATA_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(), **config})
    with app.app_context():
        upgrade()
        user = User(email="profile@example.org", role="monitor", countries=["MX"],
                    password_hash="x", active=True)
        facility = Facility(id=uuid.uuid4(), name="Bench", kind="police_station", country="MX",
                            jurisdiction="mx", timezone="America/Mexico_City", fingerprint="bench")
        db.session.add_all([user, facility])
        db.session.commit()
        headers = {"Authorization": "Bearer " + create_access_token(identity=str(user.id))}
        return app, headers, str(facility.id)


def parser(doc, runs=3):
    """The command line the benchmarks start from: --backend, and --runs unless `runs` is None."""
    made = argparse.ArgumentParser(description=doc)
    made.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    if runs is not None:
        made.add_argument("--runs", type=int, default=runs)
    return made


def dataset_parser(doc):
    """parser() and the generated data set's size: --detentions and --due (bench/datasets.py)."""
    made = parser(doc)
    made.add_argument("--detentions", type=int, default=1_000_000)
    made.add_argument("--due", type=int, default=10_000)
    return made
