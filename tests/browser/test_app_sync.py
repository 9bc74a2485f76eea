"""The field app's outbox against a real server: a lost answer, an invalid item corrected,
a conflict kept as new, sessions that expire and are refused, and an app update."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.browser import app_steps as steps
from tests.browser.live_server import wait_for

ZONE = "America/Mexico_City"
STATIC = Path(__file__).resolve().parents[2] / "monitor" / "web" / "static"


def _local(hours_ago: float) -> str:
    return (datetime.now(ZoneInfo(ZONE)) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def _named(server, token, name):
    return [d for d in steps.server_detentions(server, token) if d["person"]["name"] == name]


def _event_types(server, token, detention_id):
    status, body = server.api("GET", f"/detentions/{detention_id}", token)
    assert status == 200, body
    return sorted(e["type"] for e in body["events"])


def test_lost_sync_answer_is_sent_again_and_nothing_is_stored_twice(context_in, live_app, new_account):
    # Without the service worker, so that routing sees the page's requests (the worker never
    # handles API requests anyway).
    context = context_in("en-US", service_workers="block")
    page = context.new_page()
    token, facility = steps.signed_in_monitor(page, live_app, new_account)
    page.goto(live_app.url + "/app/#/new/detention")  # the forms' catalogue, read once online
    page.get_by_role("heading", name="New detention").wait_for()
    context.set_offline(True)
    detention_id = steps.new_detention(page, "Lost Answer", _local(3), facility=facility)
    steps.new_event(page, detention_id, "rights_notified", _local(2))
    answers = []

    def lose(route):
        if not answers:
            answers.append(route.fetch().json())  # the server applies the batch...
        route.abort("connectionreset")            # ...and the phone never hears back
    # Every sync fails until the test has seen the app notice (a reconnect or its timer may
    # retry at once, and that retry must not be the one that gets through).
    context.route("**/api/v1/sync", lose)
    context.set_offline(False)
    steps.sync_now(page)
    # Route handlers run while Playwright is called: poll through the page.
    wait_for(lambda: page.evaluate("true") and answers, "the first sync to reach the server")
    assert [r["status"] for r in answers[0]["results"]] == ["created", "created"]
    steps.until(page, "(document.getElementById('sync-status')?.textContent || '').includes('retry')",
                "the app to see the failure")
    assert steps.outbox_size(page) == 2  # unconfirmed items stay

    second = []

    def listen(route):
        response = route.fetch()
        second.append(response.json())
        route.fulfill(response=response)
    context.route("**/api/v1/sync", listen, times=1)  # the newest route is tried first
    context.unroute("**/api/v1/sync", lose)
    steps.sync_now(page)
    steps.wait_synced(page)
    assert [r["status"] for r in second[0]["results"]] == ["unchanged", "unchanged"]
    assert [d["id"] for d in _named(live_app, token, "Lost Answer")] == [detention_id]
    assert _event_types(live_app, token, detention_id) == ["arrest", "rights_notified"]


def test_invalid_item_is_shown_beside_its_field_corrected_and_sent_again(page, context, live_app, new_account):
    token, facility = steps.signed_in_monitor(page, live_app, new_account)
    context.set_offline(True)
    detention_id = steps.new_detention(page, "Fix Me", _local(2), facility=facility)
    steps.new_event(page, detention_id, "rights_notified", _local(3))  # before the arrest
    context.set_offline(False)
    steps.sync_now(page)
    steps.until(page, "!!document.getElementById('sync-status')?.textContent.startsWith('Synced')", "a sync")
    page.goto(live_app.url + "/app/#/outbox")
    invalid = page.locator(".card[data-state='invalid']")
    invalid.wait_for()
    assert page.locator(".card").count() == 1  # the detention went through
    invalid.get_by_role("link", name="Correct").click()
    error = page.locator(".field[data-field='occurred_at'] .field-error")
    error.wait_for()
    assert "Before the arrest" in error.inner_text()
    field = page.get_by_label("When it happened")
    assert field.get_attribute("aria-invalid") == "true"
    field.fill(_local(1))
    page.get_by_role("button", name="Save and send again").click()
    steps.wait_synced(page)
    assert _event_types(live_app, token, detention_id) == ["arrest", "rights_notified"]


def test_conflict_keeps_the_local_version_and_can_keep_it_as_new(page, context, live_app, new_account):
    token, facility = steps.signed_in_monitor(page, live_app, new_account)
    context.set_offline(True)
    detention_id = steps.new_detention(page, "Mine Local", _local(3), facility=facility)
    steps.new_event(page, detention_id, "lawyer_requested", _local(2))
    # Meanwhile someone else's record took the same id on the server.
    status, _ = live_app.api("GET", "/facilities?limit=500", token)
    facility_id = next(f["id"] for f in _ ["items"] if f"{f['name']} (MX)" == facility)
    status, body = live_app.api("POST", "/detentions", token, json={
        "id": detention_id, "person": {"name": "Theirs Server"}, "facility_id": facility_id,
        "arrested_at": datetime.now(ZoneInfo(ZONE)).replace(microsecond=0).isoformat(),
        "arresting_authority": "Other"})
    assert status == 201, body
    context.set_offline(False)
    steps.sync_now(page)
    page.goto(live_app.url + "/app/#/outbox")
    conflict = page.locator(".card[data-state='conflict']")
    conflict.wait_for()
    assert "Mine Local" in conflict.inner_text()
    # The event waits: it must never be attached to the other record.
    assert _event_types(live_app, token, detention_id) == ["arrest"]
    conflict.get_by_role("button", name="Keep mine as a new record").click()
    steps.wait_synced(page)
    mine = _named(live_app, token, "Mine Local")
    assert len(mine) == 1 and mine[0]["id"] != detention_id
    assert _event_types(live_app, token, mine[0]["id"]) == ["arrest", "lawyer_requested"]
    assert [d["id"] for d in _named(live_app, token, "Theirs Server")] == [detention_id]
    assert _event_types(live_app, token, detention_id) == ["arrest"]


def _refreshes(server):
    return [line for line in (server.workdir / "access.log").read_text().splitlines()
            if "POST /api/v1/auth/refresh" in line]


def test_expired_then_refused_refresh_token_keeps_the_outbox(page, context, live_app_factory):
    server = live_app_factory(ACCESS_TOKEN_SECONDS="2")
    account = server.new_user("monitor", ("MX",))
    token = server.token(account.email)
    facility = steps.server_facility(server, token)
    steps.sign_in(page, server.url, account)
    steps.wait_synced(page)
    # Wait until a token issued now has expired: the app's, issued before it, has too.
    probe = server.token(account.email)
    wait_for(lambda: server.api("GET", "/users/me", probe)[0] == 401, "access tokens to expire")
    context.set_offline(True)
    first = steps.new_detention(page, "After Expiry", _local(3), facility=facility)
    context.set_offline(False)
    steps.sync_now(page)
    steps.wait_synced(page)
    assert any('" 200 ' in line for line in _refreshes(server))  # the app refreshed its token
    assert [d["id"] for d in _named(server, server.token(account.email), "After Expiry")] == [first]

    context.set_offline(True)
    second = steps.new_detention(page, "While Refused", _local(2), facility=facility)
    steps.new_event(page, second, "rights_notified", _local(1))
    admin = server.token(*server._admin)
    assert server.api("PATCH", f"/users/{account.id}", admin, json={"active": False})[0] == 200
    context.set_offline(False)  # back online: the app syncs by itself and is refused
    page.get_by_role("heading", name="Sign in again").wait_for()
    assert "revoked" in page.locator("main").inner_text()
    assert steps.outbox_size(page) == 2
    assert "Sync stopped" in page.locator("#sync-status").inner_text()

    assert server.api("PATCH", f"/users/{account.id}", admin, json={"active": True})[0] == 200
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    steps.wait_synced(page)
    token = server.token(account.email)
    assert [d["id"] for d in _named(server, token, "While Refused")] == [second]
    assert _event_types(server, token, second) == ["arrest", "rights_notified"]


def test_app_update_with_a_full_outbox_loses_nothing(page, live_app_factory, tmp_path):
    files = tmp_path / "app"
    shutil.copytree(STATIC, files)
    server = live_app_factory(WEB_APP_DIR=str(files))
    account = server.new_user("monitor", ("MX",))
    token = server.token(account.email)
    facility = steps.server_facility(server, token)
    steps.sign_in(page, server.url, account)
    steps.wait_synced(page)
    steps.wait_worker(page)
    if page.get_by_role("heading", name="Unlock").is_visible():
        steps.unlock(page)
    server.stop()  # the server is away while the monitor works
    detention_id = steps.new_detention(page, "Through Update", _local(3), facility=facility)
    steps.new_event(page, detention_id, "rights_notified", _local(2))
    assert steps.outbox_size(page) == 2
    old_caches = page.evaluate("caches.keys()")

    worker = files / "sw.js"  # a new release of the app is deployed
    worker.write_text(worker.read_text().replace('const VERSION = "', 'const VERSION = "next-'))
    server.start()
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    steps.until(page, "caches.keys().then((k) => k.some((n) => n.includes('next-')) && k.length === 1)",
                "the new version to replace the old cache")
    assert page.evaluate("caches.keys()") != old_caches
    page.get_by_text("The app was updated").wait_for()
    page.reload()
    steps.until(page, steps.READY, "the updated app to start")
    steps.unlock(page)
    page.get_by_role("heading", name="Through Update").wait_for()
    steps.wait_synced(page)
    assert [d["id"] for d in _named(server, token, "Through Update")] == [detention_id]
    assert _event_types(server, token, detention_id) == ["arrest", "rights_notified"]


def test_event_kept_as_new_after_a_conflict_shows_once_in_the_timeline(page, context, live_app, new_account):
    token, facility = steps.signed_in_monitor(page, live_app, new_account)
    detention_id = steps.new_detention(page, "Event Conflict", _local(3), facility=facility)
    steps.wait_synced(page)
    context.set_offline(True)
    steps.new_event(page, detention_id, "lawyer_requested", _local(2))
    event_id = page.evaluate("""() => new Promise((resolve) => { const q = indexedDB.open('monitor-app');
        q.onsuccess = () => { const r = q.result.transaction('outbox').objectStore('outbox').getAllKeys();
          r.onsuccess = () => resolve(r.result[0]); }; })""")
    # Someone else's event on another detention took the same id.
    facility_id = next(f["id"] for f in live_app.api("GET", "/facilities?limit=500", token)[1]["items"]
                       if f"{f['name']} (MX)" == facility)
    status, other = live_app.api("POST", "/detentions", token, json={
        "person": {"name": "Other Person"}, "facility_id": facility_id, "arresting_authority": "Other",
        "arrested_at": (datetime.now(ZoneInfo(ZONE)) - timedelta(hours=4)).replace(microsecond=0).isoformat()})
    assert status == 201, other
    status, body = live_app.api("POST", f"/detentions/{other['id']}/events", token, json={
        "id": event_id, "type": "rights_notified",
        "occurred_at": (datetime.now(ZoneInfo(ZONE)) - timedelta(hours=1)).replace(microsecond=0).isoformat()})
    assert status == 201, body
    context.set_offline(False)
    steps.sync_now(page)
    page.goto(live_app.url + "/app/#/outbox")
    conflict = page.locator(".card[data-state='conflict']")
    conflict.wait_for()
    context.set_offline(True)  # decided offline: the device's own timeline must stay right
    conflict.get_by_role("button", name="Keep mine as a new record").click()
    page.locator(".card[data-state='pending']").wait_for()
    page.goto(live_app.url + f"/app/#/d/{detention_id}")
    page.get_by_role("heading", name="Event Conflict").wait_for()
    assert page.locator(".timeline li[data-type='lawyer_requested']").count() == 1
    context.set_offline(False)
    steps.sync_now(page)
    steps.wait_synced(page)
    assert _event_types(live_app, token, detention_id) == ["arrest", "lawyer_requested"]
    assert _event_types(live_app, token, other["id"]) == ["arrest", "rights_notified"]
