"""The field app: a static, offline-first PWA served at /app/ (no build step, no third party).

Everything under `static/` is served as is. The service worker is served from /app/sw.js so
that its scope is the whole app; the shell's file list lives in `static/js/shell.js` and
the worker reads it from there (one list, used by the worker and by the tests).
"""
from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, send_from_directory

STATIC = Path(__file__).resolve().parent / "static"
MIMETYPES = {".webmanifest": "application/manifest+json", ".js": "text/javascript",
             ".json": "application/json"}

bp = Blueprint("web", __name__)


def _send(name: str) -> Response:
    """One file of the app with its media type; a missing file is a plain 404."""
    response = send_from_directory(current_app.config.get("WEB_APP_DIR") or STATIC, name)
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


@bp.route("/app/sw.js")
def service_worker() -> Response:
    """The service worker, scoped to the whole app."""
    response = _send("sw.js")
    response.headers["Service-Worker-Allowed"] = "/app/"
    return response


@bp.route("/app/<path:name>")
def asset(name: str) -> Response:
    """Scripts, styles, locales, icons and the manifest."""
    return _send(name)
