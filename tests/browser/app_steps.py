"""Steps of the field app as a monitor or partner takes them, shared by the app's browser tests."""
from __future__ import annotations

import json
from typing import Any

PASSPHRASE = "a long device passphrase"
READY = "document.documentElement.dataset.ready === 'true'"


def server_facility(server: Any, token: str, prefix: str = "Centro", zone: str = "America/Mexico_City") -> str:
    """A police station in MX made through the API; its label in the app's select."""
    import uuid
    name = f"{prefix} {uuid.uuid4().hex[:6]}"
    status, body = server.api("POST", "/facilities", token, json={
        "name": name, "kind": "police_station", "country": "MX", "timezone": zone})
    assert status == 201, body
    return f"{name} (MX)"


def signed_in_monitor(page: Any, server: Any, new_account: Any, prefix: str = "Centro") -> tuple[str, str]:
    """A new MX monitor signed in and synced: its token and the label of a facility it can pick."""
    account = new_account("monitor", ("MX",))
    token = server.token(account.email)
    facility = server_facility(server, token, prefix)
    sign_in(page, server.url, account)
    wait_synced(page)
    return token, facility


def wait_drawn(page: Any, hash_: str) -> None:
    """Wait until the app has drawn the screen of `hash_` (the root's data-drawn)."""
    until(page, f"document.documentElement.dataset.drawn === {hash_!r}", f"the screen {hash_}")


def until(page: Any, script: str, what: str) -> Any:
    """Poll a script in the page until it is truthy (wait_for_function would need 'unsafe-eval',
    which the app's CSP rightly refuses)."""
    from tests.browser.live_server import wait_for
    return wait_for(lambda: page.evaluate(script), what)


def open_app(page: Any, base: str) -> None:
    """Load /app/ and wait until the first screen is drawn."""
    page.goto(base + "/app/")
    until(page, READY, "the app to start")


def sign_in(page: Any, base: str, account: Any, passphrase: str = PASSPHRASE) -> None:
    """First use: email, password and the device passphrase; waits for the home screen."""
    open_app(page, base)
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_label("Device passphrase", exact=True).fill(passphrase)
    page.get_by_label("Device passphrase again").fill(passphrase)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1, name="Detentions" if account.role != "partner" else "Open flags").wait_for()


def unlock(page: Any, passphrase: str = PASSPHRASE) -> None:
    """Type the passphrase on the lock screen."""
    page.get_by_label("Device passphrase").fill(passphrase)
    page.get_by_role("button", name="Unlock").click()


def wait_worker(page: Any) -> None:
    """Wait until the service worker controls the page (a reload after the first visit)."""
    page.evaluate("navigator.serviceWorker.ready")
    if not page.evaluate("Boolean(navigator.serviceWorker.controller)"):
        page.reload()
        until(page, READY, "the app to start")
    until(page, "Boolean(navigator.serviceWorker.controller)", "the service worker to take control")


def new_facility(page: Any, name: str, country: str = "MX", zone: str = "America/Mexico_City",
                 jurisdiction: str | None = None) -> None:
    """The new-facility form."""
    page.goto(page.url.split("#")[0] + "#/new/facility")
    page.get_by_role("heading", name="New facility").wait_for()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Kind").select_option("police_station")
    page.get_by_label("Country (ISO code)").fill(country)
    page.get_by_label("Time zone").fill(zone)
    if jurisdiction:
        page.get_by_label("Rule set").select_option(jurisdiction)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="New detention").wait_for()


def new_detention(page: Any, name: str, arrested_local: str, facility: str | None = None,
                  authority: str = "Policía municipal") -> str:
    """The new-detention form; returns the new record's client id."""
    if "#/new/detention" not in page.url:
        page.goto(page.url.split("#")[0] + "#/new/detention")
    page.get_by_role("heading", name="New detention").wait_for()
    page.get_by_label("Person's name").fill(name)
    if facility:
        page.get_by_label("Facility").select_option(label=facility)
    page.get_by_label("Arrested at").fill(arrested_local)
    page.get_by_label("Arresting authority").fill(authority)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/app/#/d/*")
    detention_id = page.url.rsplit("/", 1)[-1]
    wait_drawn(page, f"#/d/{detention_id}")
    return detention_id


def new_event(page: Any, detention_id: str, type_: str, occurred_local: str,
              fields: dict[str, str] | None = None) -> None:
    """The new-event form of `type_`; `fields` maps labels to values (select or fill)."""
    page.goto(page.url.split("#")[0] + f"#/d/{detention_id}/event")
    wait_drawn(page, f"#/d/{detention_id}/event")  # not the last form, still shown until then
    page.get_by_label("Event type").select_option(type_)
    page.get_by_label("When it happened").fill(occurred_local)
    for label, value in (fields or {}).items():
        control = page.get_by_label(label, exact=True)
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/app/#/d/{detention_id}")
    wait_drawn(page, f"#/d/{detention_id}")


def outbox_size(page: Any) -> int:
    """How many items wait in the outbox (counted in IndexedDB: ids are in clear)."""
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const req = indexedDB.open('monitor-app');
        req.onsuccess = () => { const db = req.result;
          const c = db.transaction('outbox').objectStore('outbox').count();
          c.onsuccess = () => { db.close(); resolve(c.result); }; c.onerror = () => reject(c.error); };
        req.onerror = () => reject(req.error); })""")


def sync_now(page: Any) -> None:
    """Press the header's Sync now."""
    page.locator("#sync-now").click()


def wait_synced(page: Any) -> None:
    """Until the outbox is empty and the status says synced."""
    from tests.browser.live_server import wait_for
    wait_for(lambda: outbox_size(page) == 0, "the outbox to empty")
    until(page, "(document.getElementById('sync-status')?.textContent || '').startsWith('Synced')",
          "the status to say synced")


def server_detentions(live_app: Any, token: str) -> list[dict[str, Any]]:
    """Every detention the account sees on the server."""
    status, body = live_app.api("GET", "/detentions?limit=500", token)
    assert status == 200, body
    return body["items"]


def raw_indexeddb(page: Any) -> str:
    """Everything in the app's IndexedDB as text: JSON, with binary data read as Latin-1."""
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const req = indexedDB.open('monitor-app');
        req.onsuccess = async () => {
          const db = req.result; const out = [];
          const text = (v) => JSON.stringify(v, (k, x) => {
            if (x instanceof ArrayBuffer) x = new Uint8Array(x);
            if (ArrayBuffer.isView(x))
                return String.fromCharCode(...new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
            return x; });
          for (const name of db.objectStoreNames) {
            const rows = await new Promise((ok, bad) => {
              const r = db.transaction(name).objectStore(name).getAll();
              r.onsuccess = () => ok(r.result); r.onerror = () => bad(r.error); });
            out.push(name + ':' + text(rows));
          }
          db.close(); resolve(out.join('\\n')); };
        req.onerror = () => reject(req.error); })""")


def dumps(value: Any) -> str:
    """JSON for messages."""
    return json.dumps(value, indent=1, sort_keys=True)
