"""The real application under gunicorn on 127.0.0.1, for tests that drive a browser.

The listening socket is bound here (port 0 the first time: the kernel picks a free port, so
no other process can take it between choosing and listening) and handed to gunicorn as
`fd://N`; our copy is closed once gunicorn answers, so after `stop()` the port refuses
connections (a phone sees "server down", not a hang), and `start()` binds the same port again.
"""
from __future__ import annotations

import base64
import errno
import json as jsonlib
import os
import signal
import socket
import subprocess
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.processes import wait_until

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PASSWORD = "correct horse battery staple"
# Generous on purpose: a limit only matters when something is really broken.
LIMIT_SECONDS = 120.0


def wait_for(condition: Callable[[], Any], what: str, limit: float = LIMIT_SECONDS,
             interval: float = 0.05) -> Any:
    """Poll `condition` until it returns something truthy (tests.processes.wait_until)."""
    return wait_until(condition, limit=limit, interval=interval, what=what)


@dataclass(frozen=True)
class Account:
    """A user made for one test: log in with `email` and `password`."""

    email: str
    password: str
    role: str
    countries: tuple[str, ...]
    id: str | None = None


class LiveApp:
    """One gunicorn serving `wsgi:app` on a fresh, migrated SQLite database."""

    def __init__(self, workdir: Path, env: dict[str, str] | None = None) -> None:
        """Prepare (not start) a server whose database and logs live in `workdir`."""
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self.log_path = self.workdir / "gunicorn.log"
        self.env = self._environment(env or {})
        self._admin: tuple[str, str] | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:41234 (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def _environment(self, overrides: dict[str, str]) -> dict[str, str]:
        """The child's environment: its own database and secrets, a fast scheduler, cheap hashing."""
        key = base64.urlsafe_b64encode(os.urandom(32)).decode()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_DATABASE", "PYTEST"))}
        env.update({
            "DATABASE_URL": "sqlite:///" + str(self.workdir / "live.sqlite3"),
            "SECRET_KEY": "live-" + uuid.uuid4().hex, "JWT_SECRET_KEY": "live-jwt-" + uuid.uuid4().hex * 2,
            "DATA_KEY": key, "MONITOR_ENV": "development",
            "SCHEDULER_ENABLED": "1", "SWEEP_INTERVAL_SECONDS": "2", "EVALUATION_INTERVAL_SECONDS": "1",
            "SWEEP_LEASE_SECONDS": "5", "WEBHOOK_INTERVAL_SECONDS": "2",
            # Every test logs in from 127.0.0.1: the per-address limit would lock the whole run.
            "LOGIN_MAX_FAILURES_PER_ADDRESS": "100000",
            "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024",
            "WEB_CONCURRENCY": "1", "WEB_THREADS": "4", "ACCESS_LOG": str(self.workdir / "access.log"),
        })
        env.update(overrides)
        return env

    def flask(self, *args: str, stdin: str | None = None) -> str:
        """Run `flask --app wsgi ARGS` against this server's database; its stdout."""
        done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                              input=stdin, capture_output=True, text=True, timeout=LIMIT_SECONDS)
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def migrate(self) -> None:
        """`flask db upgrade` on the fresh database."""
        self.flask("db", "upgrade")

    def _listener(self) -> socket.socket:
        """A listening socket on our port (a new kernel-given one the first time)."""
        def bind() -> socket.socket | None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", self.port or 0))
            except OSError as exc:
                sock.close()
                if exc.errno == errno.EADDRINUSE:
                    return None  # the old server's socket is not closed yet: retry
                raise
            sock.listen(128)
            sock.set_inheritable(True)
            return sock
        sock = wait_for(bind, f"port {self.port} to be free")
        self.port = sock.getsockname()[1]
        return sock

    def start(self) -> LiveApp:
        """Start gunicorn (same port and database as before, if restarted) and wait for /healthz."""
        if self.process is not None:
            return self
        listener = self._listener()
        with open(self.log_path, "a", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                 "-b", f"fd://{listener.fileno()}", "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=(listener.fileno(),), start_new_session=True)
        try:
            wait_for(self._healthy, "gunicorn to answer /healthz")
        except AssertionError as exc:
            self.stop()
            raise AssertionError("gunicorn did not start; log:\n" + self.log_path.read_text()[-3000:]) from exc
        finally:
            listener.close()  # gunicorn holds its own copy now
        return self

    def _healthy(self) -> bool:
        """True once /healthz answers 200; fails fast if gunicorn died."""
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError("gunicorn exited; log:\n" + self.log_path.read_text()[-3000:])
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def stop(self) -> None:
        """Stop gunicorn (its PID only) and wait until the port refuses connections."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: gunicorn and its workers
                process.wait(30)

    def request(self, method: str, path: str, token: str | None = None, json: Any = None,
                headers: dict[str, str] | None = None, data: bytes | None = None, raw: bool = False
                ) -> tuple[int, Any, dict[str, str]]:
        """One HTTP request; (status, parsed JSON body, or the bytes as sent if `raw` or encoded,
        headers). Never raises on 4xx/5xx."""
        sent = dict(headers or {})
        if json is not None:
            data = jsonlib.dumps(json).encode()
            sent.setdefault("Content-Type", "application/json")
        if token:
            sent["Authorization"] = "Bearer " + token
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                status, body, got = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            status, body, got = exc.code, exc.read(), dict(exc.headers)
        kind = got.get("Content-Type", "")
        if body and not raw and "json" in kind and got.get("Content-Encoding") is None:
            body = jsonlib.loads(body)
        return status, body, got

    def api(self, method: str, path: str, token: str | None = None, json: Any = None) -> tuple[int, Any]:
        """(status, JSON) of an API call; `path` is under /api/v1 unless it starts with it or /healthz."""
        if not path.startswith(("/api/", "/healthz", "/app")):
            path = "/api/v1" + path
        status, body, _ = self.request(method, path, token, json)
        return status, body

    def token(self, email: str, password: str = PASSWORD) -> str:
        """An access token for `email`."""
        return self.tokens(email, password)["access_token"]

    def tokens(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        """The whole login answer (access and refresh tokens)."""
        status, body = self.api("POST", "/auth/login", json={"email": email, "password": password})
        assert status == 200, (status, body)
        return body

    def create_user(self, role: str, countries: tuple[str, ...] | list[str] = ("MX",),
                    email: str | None = None, password: str = PASSWORD) -> Account:
        """A user made through `flask users create --password-stdin` on this database."""
        email = email or f"{role}-{uuid.uuid4().hex[:10]}@example.org"
        self.flask("users", "create", "--email", email, "--role", role,
                   "--countries", ",".join(countries), "--password-stdin", stdin=password + "\n")
        return Account(email, password, role, tuple(countries))

    def new_user(self, role: str = "monitor", countries: tuple[str, ...] | list[str] = ("MX",),
                 password: str = PASSWORD) -> Account:
        """A fresh user made through the API by the run's admin (quicker than the CLI)."""
        if self._admin is None:
            admin = self.create_user("admin", ())
            self._admin = (admin.email, admin.password)
        email = f"{role}-{uuid.uuid4().hex[:10]}@example.org"
        status, body = self.api("POST", "/users", self.token(*self._admin), json={
            "email": email, "password": password, "role": role, "countries": list(countries)})
        assert status == 201, (status, body)
        return Account(email, password, role, tuple(countries), body.get("id"))
