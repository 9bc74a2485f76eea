"""The field app: a static, offline-first PWA served at /app/ (no build step, no third party).

Everything under `static/` is served as is, but for the service worker: its VERSION is
prefixed with a digest of every file of the app, so any change to any file is a new worker
for the phones (a forgotten version bump cannot leave them on old files forever).
"""
import hashlib
from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, request, send_from_directory

STATIC = Path(__file__).resolve().parent / "static"
MIMETYPES = {".webmanifest": "application/manifest+json", ".js": "text/javascript",
             ".json": "application/json"}

bp = Blueprint("web", __name__)


def _send(name: str) -> Response:
    """One file of the app with its media type; a missing file is a plain 404."""
    response = send_from_directory(_files(), name)
    suffix = Path(name).suffix
    if suffix in MIMETYPES:
        response.mimetype = MIMETYPES[suffix]
    return response


@bp.route("/app")
def app_root() -> Response:
    """The app lives under /app/ (relative URLs need the slash)."""
    return redirect("/app/", code=308)


@bp.route("/app/")
def index() -> Response:
    """The app shell."""
    return _send("index.html")


def _files() -> Path:
    """The folder the app is served from."""
    return Path(current_app.config.get("WEB_APP_DIR") or STATIC)


def app_digest(root: Path) -> str:
    """A short digest of every file's path and bytes under `root` (but the worker's own)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "sw.js"):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


@bp.route("/app/sw.js")
def service_worker() -> Response:
    """The service worker, scoped to the whole app, its version tied to the app's files."""
    root = _files()
    source = (root / "sw.js").read_text(encoding="utf-8")
    source = source.replace('const VERSION = "', f'const VERSION = "{app_digest(root)}-', 1)
    response = current_app.response_class(source, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/app/"
    response.set_etag(hashlib.sha256(source.encode()).hexdigest()[:20])
    return response.make_conditional(request)


@bp.route("/app/<path:name>")
def asset(name: str) -> Response:
    """Scripts, styles, locales, icons and the manifest."""
    return _send(name)
