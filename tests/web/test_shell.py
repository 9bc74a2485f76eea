"""The app's shell as the server hands it out: the files the service worker caches exist and
cover every module the app imports, and the worker's version follows the app's files."""
import re
import shutil
import struct
from pathlib import Path

from monitor.web import STATIC, app_digest

SW = (STATIC / "sw.js").read_text(encoding="utf-8")


def _shell():
    """The SHELL list of sw.js, as paths relative to static/."""
    block = re.search(r"const SHELL = \[(.*?)\];", SW, re.S).group(1)
    return [p for p in re.findall(r'"([^"]+)"', block) if p != "./"]


def test_every_shell_file_exists_and_every_imported_module_is_cached():
    shell = set(_shell())
    assert all((STATIC / p).is_file() for p in shell), [p for p in shell if not (STATIC / p).is_file()]
    modules = {p.relative_to(STATIC).as_posix() for p in (STATIC / "js").rglob("*.js")}
    imported = set()
    for module in modules:
        text = (STATIC / module).read_text(encoding="utf-8")
        for target in re.findall(r'(?:from|import)\s*\(?\s*"(\.{1,2}/[^"]+\.js)"', text):
            imported.add((Path(module).parent / target).as_posix().replace("js/views/../", "js/"))
    assert imported - shell == set(), "modules the app imports but the worker would not cache offline"
    assert {f"locales/{c}.json" for c in ("en", "es", "fr", "ar")} <= shell
    assert {"index.html", "catalogue.json", "manifest.webmanifest", "js/main.js", "css/app.css"} <= shell


def test_index_and_worker_are_served_with_their_scope(client):
    index = client.get("/app/")
    assert index.status_code == 200 and index.mimetype == "text/html"
    assert b'<script type="module" src="js/main.js">' in index.data and b"<script>" not in index.data
    worker = client.get("/app/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/app/"
    assert f'const VERSION = "{app_digest(STATIC)}-' in worker.get_data(as_text=True)
    again = client.get("/app/sw.js", headers={"If-None-Match": worker.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/app").status_code == 308
    assert client.get("/app/manifest.webmanifest").mimetype == "application/manifest+json"
    assert client.get("/app/nothing-here.js").status_code == 404


def test_any_change_to_a_file_is_a_new_worker_version(tmp_path):
    copy = tmp_path / "static"
    shutil.copytree(STATIC, copy)
    before = app_digest(copy)
    (copy / "js" / "dom.js").write_text((copy / "js" / "dom.js").read_text() + "\n// changed\n")
    assert app_digest(copy) != before
    assert app_digest(STATIC) == app_digest(STATIC)  # stable between requests


def test_manifest_icons_are_real_pngs_of_their_size():
    import json
    manifest = json.loads((STATIC / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["start_url"] == "/app/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        data = (STATIC / icon["src"]).read_bytes()
        if icon["type"] == "image/png":
            width, height = struct.unpack(">II", data[16:24])
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and icon["sizes"] == f"{width}x{height}"
