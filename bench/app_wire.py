"""The field app on the wire: bytes, slow-network first screen, a 1000-item outbox synced.

Runs the real app under gunicorn (tests/browser/live_server.py: a fresh SQLite database) and
Debian's Chromium through Playwright, and prints medians of --runs runs:
- bytes: the app shell as a phone downloads it on first load (page and service-worker
  install, counted by gunicorn's access log: body bytes as sent, gzip), the same files
  uncompressed; a 50-item detention list and a 1000-item sync request, gzip vs not;
- time to a usable first screen (an input of the first form visible) on an emulated slow
  network (CDP Network.emulateNetworkConditions: 400 kbit/s, 400 ms round trip) from an
  empty cache, and again once the service worker has the shell; beside a floor measured the
  same way in the same run: a one-file page with one input, served by Python's http.server;
- a 1000-item outbox (created in the browser through the app's own records module) synced:
  wall time and requests made.
    .venv/bin/python bench/app_wire.py [--runs 3]
"""
import argparse
import gzip
import json
import re
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
import harness  # noqa: E402
from sync import batch as sync_batch  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402
from tests.browser.live_server import LiveApp, wait_for  # noqa: E402

SLOW = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
        "uploadThroughput": 400_000 / 8}
USABLE = "main input, main button"
PASSPHRASE = "bench passphrase 0123"
LOG_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[0-9.]+" (?P<status>\d{3}) (?P<bytes>\d+|-)')
FLOOR_PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>floor</title>'
              '</head><body><main><label for="a">A</label><input id="a"></main></body></html>')


def access_lines(app, offset):
    """(method, path, status, body bytes) of each access-log line after `offset`."""
    text = (app.workdir / "access.log").read_text(encoding="utf-8", errors="replace")[offset:]
    return [(m["method"], m["path"], int(m["status"]), int(m["bytes"]) if m["bytes"] != "-" else 0)
            for m in LOG_LINE.finditer(text)]


def log_size(app):
    """How far the access log has been written."""
    path = app.workdir / "access.log"
    return len(path.read_text(encoding="utf-8", errors="replace")) if path.exists() else 0


def new_context(browser, **extra):
    """A phone-sized context with service workers on."""
    return browser.new_context(viewport=PHONE, service_workers="allow", locale="en-US", **extra)


def until(page, expression, what):
    """Poll an expression (awaited if it is a promise) in the page until it is truthy."""
    # (wait_for_function would take a pending promise itself for a truthy answer)
    return wait_for(lambda: page.evaluate(expression), what, interval=0.05)


def sw_active(page):
    """Wait until the service worker is activated (its install fetched and cached the shell)."""
    until(page, "navigator.serviceWorker.ready.then(r => !!r.active && r.active.state === 'activated')",
          "the service worker to activate")


def shell_bytes(browser, app):
    """First load of /app/ in an empty browser: bytes sent by the server, gzip and identity."""
    offset = log_size(app)
    context = new_context(browser)
    page = context.new_page()
    page.goto(app.url + "/app/")
    sw_active(page)
    context.close()
    lines = wait_for(lambda: [line for line in access_lines(app, offset) if line[1].startswith("/app")],
                     "the access log")
    compressed = sum(line[3] for line in lines)
    paths = sorted({line[1] for line in lines if line[2] == 200})
    plain = sum(len(app.request("GET", p, headers={"Accept-Encoding": "identity"}, raw=True)[1])
                for p in paths)
    return {"requests": len(lines), "distinct_files": len(paths), "gzip_bytes": compressed,
            "identity_bytes_of_those_files": plain}


def first_screen(browser, url):
    """Seconds to a usable first screen on the slow network: empty cache, then from the worker."""
    context = new_context(browser)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW)
    start = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=120_000)
    page.wait_for_selector(USABLE, state="visible", timeout=120_000)
    cold = time.perf_counter() - start
    cached = None
    if url.endswith("/app/"):
        sw_active(page)
        start = time.perf_counter()
        page.reload(wait_until="commit", timeout=120_000)
        page.wait_for_selector(USABLE, state="visible", timeout=120_000)
        cached = time.perf_counter() - start
        assert page.evaluate("!!navigator.serviceWorker.controller"), "reload not served by the worker"
    context.close()
    return cold, cached


class _QuietHandler(SimpleHTTPRequestHandler):
    """http.server without a line per request."""

    def log_message(self, *args):
        """Say nothing."""


def floor_server(folder):
    """Python's http.server with the one-input page, in a thread; (server, url)."""
    (folder / "index.html").write_text(FLOOR_PAGE, encoding="utf-8")
    handler = partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/index.html"


def detention_list_bytes(app, token, facility_id):
    """A 50-item GET /detentions page, gzip vs identity (50 detentions stored first)."""
    now = datetime.now(timezone.utc)
    dets = [{"id": str(uuid.uuid4()), "person": {"name": f"List Person {i}", "age": 30},
             "facility_id": facility_id, "arrested_at": (now - timedelta(hours=5 + i)).isoformat(),
             "arresting_authority": "Policía"} for i in range(50)]
    status, body = app.api("POST", "/sync", token, {"detentions": dets, "events": [], "visits": []})
    assert status == 200, body
    sizes = {}
    for coding in ("gzip", "identity"):
        status, raw, headers = app.request("GET", "/api/v1/detentions?limit=50", token,
                                           headers={"Accept-Encoding": coding}, raw=True)
        assert status == 200 and headers.get("Content-Encoding", "identity") == coding, headers
        sizes[coding] = len(raw)
    items = len(json.loads(gzip.decompress(app.request(
        "GET", "/api/v1/detentions?limit=50", token, headers={"Accept-Encoding": "gzip"}, raw=True)[1]))["items"])
    return {"items": items, "gzip_bytes": sizes["gzip"], "identity_bytes": sizes["identity"]}


def sync_request_bytes(app, token, facility_id, runs):
    """A 1000-item POST /sync: request and response sizes and server time, gzip vs identity."""
    out = {"gzip": [], "identity": []}
    sizes = {}
    for _ in range(runs):
        for coding in ("gzip", "identity"):
            raw = json.dumps(sync_batch(facility_id, datetime.now(timezone.utc))).encode()
            body = gzip.compress(raw, 6) if coding == "gzip" else raw
            start = time.perf_counter()
            status, answer, headers = app.request(
                "POST", "/api/v1/sync", token, data=body, raw=True, headers={
                    "Content-Type": "application/json", "Content-Encoding": coding,
                    "Accept-Encoding": coding})
            out[coding].append(time.perf_counter() - start)
            assert status == 200, answer[:300]
            sizes[coding] = {"request_bytes": len(body), "response_bytes": len(answer)}
    return {coding: {**sizes[coding], "median_seconds": round(harness.median(out[coding]), 3)}
            for coding in out}


def outbox_sync(browser, app, facility_id, items):
    """Set up the app (sign in, passphrase), queue `items` records through its records module,
    and time the sync of the whole outbox; (seconds, sync requests, all API requests, seconds
    until the last sync answer arrived)."""
    account = app.new_user("monitor", ("MX",))
    context = new_context(browser)
    page = context.new_page()
    page.goto(app.url + "/app/")
    page.fill("input[name=email]", account.email)
    page.fill("input[name=password]", account.password)
    page.fill("input[name=passphrase]", PASSPHRASE)
    page.fill("input[name=passphrase2]", PASSPHRASE)
    page.click("main form button[type=submit]")
    until(page, "import('/app/js/api.js').then(m => !!m.currentUser())", "the sign-in")
    page.evaluate("import('/app/js/sync.js').then(m => m.syncNow())")  # the first sync after login
    page.evaluate("""async ({facilityId, n}) => {
        const records = await import('/app/js/records.js');
        const now = Date.now();
        for (let i = 0; i < n; i++) {
            await records.createRecord('detention', {person: {name: `Outbox Person ${i}`, age: 30},
                facility_id: facilityId, arrested_at: new Date(now - (5 + i % 40) * 3600e3).toISOString(),
                arresting_authority: 'Policía'});
        }
    }""", {"facilityId": facility_id, "n": items})
    assert page.evaluate("import('/app/js/store.js').then(m => m.outboxCount())") == items
    requests, answered = [], []
    page.on("request", lambda r: requests.append(r.url) if "/api/v1/" in r.url else None)
    # When the server's answer to the (last) sync request arrived: the rest is the app's own work.
    page.on("response", lambda r: answered.append(time.perf_counter()) if r.url.endswith("/api/v1/sync") else None)
    start = time.perf_counter()
    page.evaluate("import('/app/js/sync.js').then(m => m.syncNow())")
    until(page, "import('/app/js/store.js').then(m => m.outboxCount()).then(n => n === 0)", "the outbox to empty")
    seconds = time.perf_counter() - start
    context.close()
    return (seconds, sum(1 for u in requests if u.endswith("/api/v1/sync")), len(requests),
            answered[-1] - start if answered else None)


def main():
    """Run everything and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--outbox", type=int, default=1000)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    report = {"runs": args.runs, "network": SLOW}
    with tempfile.TemporaryDirectory(prefix="bench-app-") as work:
        app = LiveApp(Path(work) / "live", {"SCHEDULER_ENABLED": "0"})
        app.migrate()
        app.start()
        floor, floor_url = floor_server(Path(work))
        try:
            admin = app.create_user("admin", ())
            admin_token = app.token(admin.email)
            status, facility = app.api("POST", "/facilities", admin_token, {
                "name": "Bench station", "kind": "police_station", "country": "MX",
                "timezone": "America/Mexico_City"})
            assert status == 201, facility
            monitor = app.new_user("monitor", ("MX",))
            token = app.token(monitor.email)
            report["detention_list_50"] = detention_list_bytes(app, token, facility["id"])
            report["sync_request_1000"] = sync_request_bytes(app, token, facility["id"], args.runs)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                shells = [shell_bytes(browser, app) for _ in range(args.runs)]
                report["shell_first_load"] = {**shells[-1], "goal_gzip_bytes": 150 * 1024}
                cold, cached, floors = [], [], []
                for _ in range(args.runs):
                    c, w = first_screen(browser, app.url + "/app/")
                    cold.append(c)
                    cached.append(w)
                    floors.append(first_screen(browser, floor_url)[0])
                report["first_screen_slow_network"] = {
                    "empty_cache_seconds": [round(x, 3) for x in cold],
                    "empty_cache_median": round(harness.median(cold), 3), "goal_empty_cache": 6.0,
                    "from_worker_seconds": [round(x, 3) for x in cached],
                    "from_worker_median": round(harness.median(cached), 3), "goal_from_worker": 1.0,
                    "floor_one_file_page_median": round(harness.median(floors), 3),
                    "ratio_to_floor": round(harness.median(cold) / harness.median(floors), 2)}
                outbox = [outbox_sync(browser, app, facility["id"], args.outbox) for _ in range(args.runs)]
                report["outbox_sync"] = {
                    "items": args.outbox, "seconds": [round(o[0], 3) for o in outbox],
                    "median_seconds": round(harness.median([o[0] for o in outbox]), 3),
                    "sync_requests": [o[1] for o in outbox], "api_requests": [o[2] for o in outbox],
                    "sync_answered_after_seconds": [round(o[3], 3) if o[3] else None for o in outbox]}
                browser.close()
        finally:
            floor.shutdown()
            app.stop()
    harness.write_report("app_wire", report)


if __name__ == "__main__":
    main()
