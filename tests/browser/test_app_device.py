"""The field app on the device: the passphrase, locking, wiping, logging out with unsynced
items, and the partner's case view acknowledging a flag."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

from tests.browser import app_steps as steps
from tests.browser.live_server import wait_for

ZONE = "America/Mexico_City"


def _facility(server, token, country="MX", zone=ZONE) -> tuple[str, str]:
    name = f"Sede {uuid.uuid4().hex[:6]}"
    status, body = server.api("POST", "/facilities", token, json={
        "name": name, "kind": "police_station", "country": country, "timezone": zone})
    assert status == 201, body
    return body["id"], f"{name} ({country})"


def _local_hour_ago() -> str:
    from zoneinfo import ZoneInfo
    return (datetime.now(ZoneInfo(ZONE)) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def test_wrong_passphrase_reads_nothing_and_the_right_one_opens(page, live_app, new_account):
    account = new_account("monitor", ("MX",))
    _, facility = _facility(live_app, live_app.token(account.email))
    steps.sign_in(page, live_app.url, account)
    steps.wait_synced(page)
    steps.new_detention(page, "Rosa Cerrada", _local_hour_ago(), facility=facility)
    page.goto(live_app.url + "/app/#/settings")
    page.get_by_role("button", name="Lock now").click()
    page.get_by_role("heading", name="Unlock").wait_for()
    assert "Rosa" not in page.content()
    steps.unlock(page, "not the passphrase")
    page.get_by_text("Wrong passphrase. Nothing was read.").wait_for()
    assert page.get_by_role("heading", name="Unlock").is_visible()
    assert "Rosa" not in page.content()
    page.reload()  # a new page knows no key either
    steps.until(page, steps.READY, "the app to start")
    page.get_by_role("heading", name="Unlock").wait_for()
    steps.unlock(page)
    page.get_by_role("heading", name="Settings").wait_for()  # back where the user was
    page.goto(live_app.url + "/app/#/")
    page.get_by_text("Rosa Cerrada").wait_for()


def test_wipe_erases_indexeddb_caches_and_the_service_worker(page, live_app, new_account):
    account = new_account("monitor", ("MX",))
    steps.sign_in(page, live_app.url, account)
    steps.wait_synced(page)
    steps.wait_worker(page)
    if page.get_by_role("heading", name="Unlock").is_visible():
        steps.unlock(page)
    assert page.evaluate("caches.keys()") and steps.outbox_size(page) == 0
    page.goto(live_app.url + "/app/#/wipe")
    page.get_by_role("button", name="Erase everything now").click()
    page.get_by_role("heading", name="Device wiped").wait_for()
    state = page.evaluate("""async () => ({
        databases: (await indexedDB.databases()).map((d) => d.name),
        caches: await caches.keys(),
        workers: (await navigator.serviceWorker.getRegistrations()).length,
        storage: localStorage.length })""")
    assert state == {"databases": [], "caches": [], "workers": 0, "storage": 0}


def test_logout_counts_unsynced_items_and_offers_export_or_discard(page, context, live_app, new_account):
    account = new_account("monitor", ("MX",))
    _, facility = _facility(live_app, live_app.token(account.email))
    steps.sign_in(page, live_app.url, account)
    steps.wait_synced(page)
    page.goto(live_app.url + "/app/#/new/detention")
    page.get_by_role("heading", name="New detention").wait_for()
    context.set_offline(True)
    steps.new_detention(page, "Unsent Person", _local_hour_ago(), facility=facility)
    page.goto(live_app.url + "/app/#/logout")
    page.get_by_text("1 item(s) are not on the server yet").wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export my unsynced records").click()
    exported = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert [item["body"]["person"]["name"] for item in exported["items"]] == ["Unsent Person"]
    page.get_by_role("button", name="Discard them and log out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    assert sorted(steps.raw_indexeddb(page).splitlines()) == ["cache:[]", "meta:[]", "outbox:[]"]


def test_partner_acknowledges_a_flag_from_the_feed(page, live_app, new_account):
    country = "KE"
    monitor = new_account("monitor", (country,))
    monitor_token = live_app.token(monitor.email)
    facility_id, _ = _facility(live_app, monitor_token, country, "Africa/Nairobi")
    arrested = (datetime.now(timezone.utc) - timedelta(days=4)).replace(microsecond=0)
    status, detention = live_app.api("POST", "/detentions", monitor_token, json={
        "person": {"name": "Hidden From Partners"}, "facility_id": facility_id,
        "arrested_at": arrested.isoformat(), "arresting_authority": "Police"})
    assert status == 201, detention
    partner = new_account("partner", (country,))
    partner_token = live_app.token(partner.email)

    def flags_of_detention():
        status, body = live_app.api("GET", "/flags?limit=500&status=open", partner_token)
        return [f for f in body["items"] if f["detention_id"] == detention["id"]]
    flags = wait_for(flags_of_detention, "the sweep to raise flags")
    steps.sign_in(page, live_app.url, partner)
    card = page.locator(f".card[data-id='{flags[0]['id']}']")
    card.wait_for()
    page.get_by_label("Country").select_option(country)
    assert card.is_visible()
    card.get_by_role("button", name="Detention summary").click()
    card.locator(".summary dl").wait_for()
    assert "Hidden From Partners" not in page.content()
    card.get_by_label("Note").fill("Raised with the station commander.")
    card.get_by_role("button", name="Acknowledge").click()
    page.get_by_text("Flag acknowledged.").wait_for()
    status, body = live_app.api("GET", "/flags?limit=500", partner_token)
    stored = next(f for f in body["items"] if f["id"] == flags[0]["id"])
    assert stored["status"] == "acknowledged"
    # Refresh reads from the cursor: only what changed since, not the whole feed again.
    page.get_by_role("button", name="Refresh").click()
    page.locator(f".card[data-id='{flags[0]['id']}'][data-status='acknowledged']").wait_for()
    def feed_calls():
        return [line for line in (live_app.workdir / "access.log").read_text().splitlines()
                if "GET /api/v1/flags?limit=500&since=" in line and "HeadlessChrome" in line]
    wait_for(lambda: page.evaluate("true") and feed_calls(), "the app to poll the feed with its cursor")


def test_locks_after_minutes_in_the_background(page, live_app, new_account):
    account = new_account("monitor", ("MX",))
    page.clock.install()  # the test moves the page's clock; nothing waits for real minutes
    steps.sign_in(page, live_app.url, account)
    hide = """(hidden) => { Object.defineProperty(document, 'hidden', {value: hidden, configurable: true});
                            document.dispatchEvent(new Event('visibilitychange')); }"""
    page.evaluate(hide, True)
    page.clock.run_for("01:00")
    page.evaluate(hide, False)
    assert page.get_by_role("heading", name="Detentions").is_visible()  # a minute away: still open
    page.evaluate(hide, True)
    page.clock.run_for("03:01")
    page.evaluate(hide, False)
    page.get_by_role("heading", name="Unlock").wait_for()
    steps.unlock(page)
    page.get_by_role("heading", name="Detentions").wait_for()
