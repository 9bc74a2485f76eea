"""Screenshots of the field app's main screens at phone size (412x915), for the README.

Run explicitly (not part of the test suite):
    .venv/bin/python tests/browser/screenshots.py [--out docs/screenshots] [--langs en,es]
Starts the real app under gunicorn on a throwaway database with made-up records, drives
Debian's Chromium through the same steps as the browser tests, and writes
<lang>-<screen>.png, reduced to a small palette so they stay light in the repository.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from tests.browser import app_steps as steps  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402
from tests.browser.live_server import LiveApp, wait_for  # noqa: E402
from tests.browser.test_app_screens import LOCALES, catalogue, go, sign_in  # noqa: E402

COLOURS = 96  # a palette this size keeps text and badges crisp at a fraction of the bytes


def records(app: LiveApp, country: str, names: list[str]) -> list[dict]:
    """A facility and a few detentions arrested hours to days ago, made by an admin."""
    admin = app.new_user("admin", ())
    token = app.token(admin.email)
    status, facility = app.api("POST", "/facilities", token, {
        "name": "Estación Centro", "kind": "police_station", "country": country,
        "timezone": "America/Mexico_City" if country == "MX" else "Asia/Manila"})
    assert status == 201, facility
    made = []
    for n, name in enumerate(names):
        arrested = datetime.now(timezone.utc) - timedelta(hours=[3, 30, 80][n % 3])
        status, body = app.api("POST", "/detentions", token, {
            "person": {"name": name, "sex": "female" if n % 2 else "male", "age": 24 + n * 7},
            "facility_id": facility["id"], "arrested_at": arrested.isoformat(),
            "arresting_authority": "Policía municipal", "grounds": "flagrancia"})
        assert status == 201, body
        made.append(body)
        status, event = app.api("POST", f"/detentions/{body['id']}/events", token, {
            "id": str(uuid.uuid4()), "type": "rights_notified",
            "occurred_at": (arrested + timedelta(minutes=40)).isoformat()})
        assert status == 201, event
    return made


def shoot(page, path: Path) -> None:
    """A 412x915 screenshot, palette-reduced."""
    page.screenshot(path=str(path))
    Image.open(path).convert("RGB").quantize(COLOURS, method=Image.Quantize.MEDIANCUT).save(
        path, optimize=True)
    print(f"{path}  {path.stat().st_size // 1024} KB")


def monitor_screens(browser, app: LiveApp, lang: str, out: Path) -> None:
    """Sign-in, list, record, new event and outbox of a monitor."""
    words = catalogue(lang)
    dets = records(app, "MX", ["María Pérez", "José Hernández", "Ana López"])
    account = app.new_user("monitor", ("MX",))
    context = browser.new_context(viewport=PHONE, service_workers="allow", locale=LOCALES[lang])
    page = context.new_page()
    steps.open_app(page, app.url)
    shoot(page, out / f"{lang}-sign-in.png")
    sign_in(page, app.url, account, words["list.title"])
    wait_for(lambda: steps.outbox_size(page) == 0, "the first sync")
    steps.until(page, f"document.querySelectorAll('main a[href^=\"#/d/\"]').length >= {len(dets)}", "the list")
    shoot(page, out / f"{lang}-detentions.png")
    go(page, app.url, f"#/d/{dets[2]['id']}")
    steps.until(page, "document.querySelectorAll('.safeguard').length > 0", "the safeguards")
    shoot(page, out / f"{lang}-record.png")
    go(page, app.url, f"#/d/{dets[2]['id']}/event")
    page.select_option("#event-type", "medical_exam")
    shoot(page, out / f"{lang}-new-event.png")
    context.set_offline(True)
    go(page, app.url, "#/new/detention")
    shoot(page, out / f"{lang}-new-detention.png")
    go(page, app.url, "#/outbox")
    shoot(page, out / f"{lang}-outbox.png")
    context.close()


def partner_screen(browser, app: LiveApp, lang: str, out: Path) -> None:
    """The partner's open flags."""
    words = catalogue(lang)
    dets = records(app, "PH", ["Juan Dela Cruz"])
    account = app.new_user("partner", ("PH",))
    token = app.token(account.email)
    wait_for(lambda: any(f["detention_id"] == dets[0]["id"]
                         for f in app.api("GET", "/flags?limit=500", token)[1]["items"]), "the flags")
    context = browser.new_context(viewport=PHONE, service_workers="allow", locale=LOCALES[lang])
    page = context.new_page()
    sign_in(page, app.url, account, words["flags.title"])
    page.locator(".card").first.wait_for()
    shoot(page, out / f"{lang}-partner-flags.png")
    context.close()


def main() -> None:
    """Make every screenshot."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--langs", default="en,es")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory(prefix="screenshots-") as work:
        app = LiveApp(Path(work) / "live")
        app.migrate()
        app.start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                for lang in args.langs.split(","):
                    monitor_screens(browser, app, lang, out)
                    partner_screen(browser, app, lang, out)
                browser.close()
        finally:
            app.stop()


if __name__ == "__main__":
    main()
