"""The field app, monitor's path: online, offline and reloaded, what the device stores, and the
on-device deadline estimates against the server's evaluation."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.browser import app_steps as steps
from tests.browser.live_server import wait_for

ZONE = "America/Mexico_City"


def _local(hours_ago: float, zone: str = ZONE) -> str:
    """A wall-clock time `hours_ago` in `zone`, as a datetime-local input takes it."""
    return (datetime.now(ZoneInfo(zone)) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def _events_of(live_app, token, detention_id):
    status, body = live_app.api("GET", f"/detentions/{detention_id}", token)
    assert status == 200, body
    return body


def test_whole_monitor_path_online(page, live_app, new_account):
    account = new_account("monitor", ("MX",))
    steps.sign_in(page, live_app.url, account)
    facility = f"Estación {uuid.uuid4().hex[:6]}"
    steps.new_facility(page, facility)
    detention_id = steps.new_detention(page, "María Online", _local(3), facility=f"{facility} (MX)")
    steps.new_event(page, detention_id, "rights_notified", _local(2.9))
    steps.new_event(page, detention_id, "lawyer_access", _local(2.5),
                    {"Lawyer's name": "Lic. Ramos", "In private": "true"})
    steps.new_event(page, detention_id, "interrogation", _local(2), {"Lawyer present": "true"})
    page.goto(live_app.url + "/app/#/new/visit")
    page.get_by_label("Facility").select_option(label=f"{facility} (MX)")
    page.get_by_label("Started at").fill(_local(1))
    page.get_by_label("Access").select_option("full")
    page.get_by_label("Detainees interviewed").fill("3")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Detentions").wait_for()
    steps.wait_synced(page)

    token = live_app.token(account.email)
    record = _events_of(live_app, token, detention_id)
    assert record["person"]["name"] == "María Online"
    assert sorted(e["type"] for e in record["events"]) == [
        "arrest", "interrogation", "lawyer_access", "rights_notified"]
    lawyer = next(e for e in record["events"] if e["type"] == "lawyer_access")
    assert lawyer["details"]["private"] is True
    status, visits = live_app.api("GET", "/visits?limit=500", token)
    mine = [v for v in visits["items"] if v["recorded_by"] == account.id]
    assert len(mine) == 1 and mine[0]["detainees_interviewed"] == 3 and mine[0]["access"] == "full"

    # The list and the record now show the server's evaluation, with countdowns.
    page.goto(live_app.url + f"/app/#/d/{detention_id}")
    steps.until(page, "document.querySelectorAll('.safeguard').length > 0 && "
                      "!document.querySelector('.safeguard.estimate')", "the server's safeguards")
    steps.until(page, "[...document.querySelectorAll('.timeline li')].length === 4", "the full timeline")
    assert page.locator(".safeguard .citation").first.inner_text().strip()
    assert page.get_by_text("(America/Mexico_City)").first.is_visible()
    page.goto(live_app.url + "/app/#/")
    card = page.locator(f".card[data-id='{detention_id}']")
    card.wait_for()
    assert "María Online" in card.inner_text()
    first = card.locator(".countdown").inner_text()
    countdown = f"document.querySelector(\".card[data-id='{detention_id}'] .countdown\").textContent"
    steps.until(page, f"{countdown} !== {first!r}",
                "the countdown to tick")


def test_offline_created_reloaded_then_synced_exactly_once(page, context, live_app, new_account):
    account = new_account("monitor", ("MX",))
    token = live_app.token(account.email)
    facility_id = str(uuid.uuid4())
    name = f"Comisaría {uuid.uuid4().hex[:6]}"
    status, _ = live_app.api("POST", "/facilities", token, json={
        "id": facility_id, "name": name, "kind": "police_station", "country": "MX", "timezone": ZONE})
    assert status == 201
    steps.sign_in(page, live_app.url, account)
    steps.wait_synced(page)
    steps.wait_worker(page)
    if page.get_by_role("heading", name="Unlock").is_visible():  # the reload that gave the worker control
        steps.unlock(page)

    context.set_offline(True)
    detention_id = steps.new_detention(page, "Pedro Offline", _local(5), facility=f"{name} (MX)")
    steps.new_event(page, detention_id, "medical_exam", _local(4), {"Examiner": "independent"})
    assert steps.outbox_size(page) == 2
    # Estimated deadlines while the server has not seen the record.
    page.goto(live_app.url + f"/app/#/d/{detention_id}")
    page.locator(".safeguard.estimate").first.wait_for()

    page.reload()  # offline: the shell comes from the service worker's cache
    steps.until(page, steps.READY, "the app to start offline")
    steps.unlock(page)
    page.get_by_role("heading", name="Pedro Offline").wait_for()
    assert steps.outbox_size(page) == 2
    page.goto(live_app.url + "/app/#/outbox")
    page.get_by_role("heading", name="Outbox").wait_for()
    assert page.locator(".card[data-state='pending']").count() == 2

    context.set_offline(False)
    steps.sync_now(page)
    steps.wait_synced(page)
    mine = [d for d in steps.server_detentions(live_app, token) if d["person"]["name"] == "Pedro Offline"]
    assert [d["id"] for d in mine] == [detention_id]
    record = _events_of(live_app, token, detention_id)
    assert sorted(e["type"] for e in record["events"]) == ["arrest", "medical_exam"]
    # A second sync sends nothing again and changes nothing.
    steps.sync_now(page)
    steps.wait_synced(page)
    assert len(_events_of(live_app, token, detention_id)["events"]) == 2


def test_no_name_in_raw_indexeddb_nor_in_the_caches(page, context, live_app, new_account):
    account = new_account("monitor", ("MX",))
    steps.sign_in(page, live_app.url, account)
    facility = f"Estación {uuid.uuid4().hex[:6]}"
    steps.new_facility(page, facility)
    secret = f"Xiomara Quetzalli {uuid.uuid4().hex[:6]}"
    steps.new_detention(page, secret, _local(2), facility=f"{facility} (MX)", authority="Guardia Nacional Zeta")
    context.set_offline(True)
    detention_id = steps.new_detention(page, secret + " Dos", _local(1), facility=f"{facility} (MX)")
    steps.new_event(page, detention_id, "lawyer_access", _local(0.5), {"Lawyer's name": "Abogada Yolotzin"})
    context.set_offline(False)
    steps.sync_now(page)
    steps.wait_synced(page)
    page.goto(live_app.url + "/app/#/")
    page.get_by_text(secret, exact=True).wait_for()  # the app itself can read it
    dump = steps.raw_indexeddb(page)
    assert "outbox:" in dump and "cache:" in dump and "session" in dump
    for word in ("Xiomara", "Quetzalli", "Zeta", "Yolotzin", "refresh_token", account.email):
        assert word not in dump, word
    cached = page.evaluate("""async () => { const out = [];
        for (const name of await caches.keys()) { const cache = await caches.open(name);
          for (const req of await cache.keys()) out.push(req.url); } return out; }""")
    assert cached and not [url for url in cached if "/api/" in url]


def _plain_hours_rules(rule_sets):
    """{code: (country, [arrest-triggered plain-hours deadline rules])} as the app estimates."""
    out = {}
    for rule_set in rule_sets:
        rules = [r for r in rule_set["rules"] if r["kind"] == "deadline" and "arrest" in r["trigger"]
                 and isinstance(r.get("within_hours"), (int, float)) and not r.get("limit_by")
                 and not r.get("calendar")]
        if rules:
            out[rule_set["code"]] = (rule_set.get("country"), rules)
    return out


ZONES = {"MX": "America/Mexico_City", "PH": "Asia/Manila", "KE": "Africa/Nairobi", "GB": "Europe/London",
         "NG": "Africa/Lagos", "UZ": "Asia/Tashkent", "KZ": "Asia/Almaty", "MA": "Africa/Casablanca",
         "CM": "Africa/Douala"}


def test_estimates_match_the_server_due_at_in_every_plain_hours_jurisdiction(page, context, live_app, new_account):
    probe = new_account("monitor", ("MX",))
    status, rules = live_app.api("GET", "/rules", live_app.token(probe.email))
    plain = _plain_hours_rules(rules["items"])
    countries = sorted({country for country, _ in plain.values() if country})
    assert len(plain) >= 2, plain.keys()
    account = new_account("monitor", tuple(countries))
    token = live_app.token(account.email)
    facilities = {}
    for code, (country, _) in plain.items():
        if code == "intl":
            continue
        name = f"F-{code}-{uuid.uuid4().hex[:5]}"
        status, body = live_app.api("POST", "/facilities", token, json={
            "name": name, "kind": "police_station", "country": country, "timezone": ZONES.get(country, "UTC"),
            "jurisdiction": code})
        assert status == 201, body
        facilities[code] = (f"{name} ({country})", body["timezone"])
    steps.sign_in(page, live_app.url, account)
    steps.wait_synced(page)
    context.set_offline(True)
    estimates = {}
    for code, (label, zone) in facilities.items():
        detention_id = steps.new_detention(page, f"Estimate {code}", _local(1, zone), facility=label)
        page.locator(".safeguard.estimate").first.wait_for()
        estimates[code] = (detention_id, {
            el.get_attribute("data-rule"): el.get_attribute("data-due")
            for el in page.locator(".safeguard.estimate").all()})
    context.set_offline(False)
    steps.sync_now(page)
    steps.wait_synced(page)
    checked = 0
    for code, (detention_id, shown) in estimates.items():
        expected = {r["id"] for r in plain[code][1] + plain.get("intl", (None, []))[1]
                    if r["applies_to"] in ("all", "adult")}
        assert set(shown) == expected, code
        server = {s["rule"]: s["due_at"] for s in _events_of(live_app, token, detention_id)["safeguards"]}
        for rule, due in shown.items():
            assert datetime.fromisoformat(due.replace("Z", "+00:00")) == \
                datetime.fromisoformat(server[rule].replace("Z", "+00:00")), (code, rule, due, server[rule])
            checked += 1
    assert checked >= len(estimates)


def test_required_fields_are_enforced_before_saving(page, live_app, new_account):
    token, facility = steps.signed_in_monitor(page, live_app, new_account, "Agencia")
    page.goto(live_app.url + "/app/#/new/detention")
    page.get_by_role("heading", name="New detention").wait_for()
    page.get_by_role("button", name="Save").click()
    error = page.locator(".field[data-field='person.name'] .field-error")
    assert error.inner_text() == "Required."
    assert page.get_by_label("Person's name").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.name") == "person.name"
    for field in ("arrested_at", "arresting_authority"):
        assert page.locator(f".field[data-field='{field}'] .field-error").inner_text() == "Required."
    assert steps.outbox_size(page) == 0

    detention_id = steps.new_detention(page, "Required Test", _local(2), facility=facility)
    page.goto(live_app.url + f"/app/#/d/{detention_id}/event")
    page.get_by_label("Event type").select_option("interrogation")
    page.get_by_label("When it happened").fill(_local(1))
    page.get_by_role("button", name="Save").click()
    assert page.locator(".field[data-field='details.lawyer_present'] .field-error").inner_text() == "Required."
    assert steps.outbox_size(page) <= 1  # only the detention, if it has not gone up yet
    page.get_by_label("Lawyer present").select_option("false")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/app/#/d/{detention_id}")
    steps.wait_synced(page)
    status, record = live_app.api("GET", f"/detentions/{detention_id}", token)
    interrogation = [e for e in record["events"] if e["type"] == "interrogation"]
    assert len(interrogation) == 1 and interrogation[0]["details"]["lawyer_present"] is False


def test_a_sync_ending_after_the_user_moved_on_does_not_redraw_the_form_being_typed(
        page, context, live_app, new_account):
    token, facility = steps.signed_in_monitor(page, live_app, new_account, "Agencia")
    detention_id = steps.new_detention(page, "Form Kept", _local(3), facility=facility)
    steps.wait_synced(page)
    held = []

    def hold(route):
        held.append(route)  # the next sync waits until the test lets it go
    context.route("**/api/v1/sync", hold)
    context.set_offline(True)
    steps.new_event(page, detention_id, "rights_notified", _local(2))
    context.set_offline(False)
    # The sync starts on the record screen (whose data it will refresh)...
    page.evaluate("document.getElementById('sync-now').click()")
    wait_for(lambda: page.evaluate("true") and held, "the sync to reach the server")
    # ...and the user opens the new-event form and types while it is still under way.
    page.evaluate(f"location.hash = '#/d/{detention_id}/event'")
    page.get_by_role("heading", name="New event").wait_for()
    page.evaluate("""() => { window.formsDrawn = 0; new MutationObserver((changes) => {
        for (const c of changes) for (const n of c.addedNodes)
          if (n.nodeType === 1 && n.querySelector("select[name='type']")) window.formsDrawn += 1;
      }).observe(document.querySelector('main'), { childList: true, subtree: true }); }""")
    page.get_by_label("Event type").select_option("lawyer_access")
    page.get_by_label("Lawyer's name", exact=True).fill("Lic. Paciencia")
    held[0].continue_()
    context.unroute("**/api/v1/sync", hold)
    steps.until(page, "(document.getElementById('outbox-count')?.textContent || '') === '0'", "the sync to end")
    # Draws take turns: once the outbox screen is up, any redraw queued before it has run.
    page.evaluate("location.hash = '#/outbox'")
    page.get_by_role("heading", name="Outbox").wait_for()
    assert page.evaluate("window.formsDrawn") == 0  # the form the user typed into was never replaced


def test_an_estimate_starts_at_the_arrival_when_the_rule_says_so(page, context, live_app, new_account):
    """PACE's relevant time on the device: arrested 5 h ago, booked in at a GB station 3 h ago,
    the 24 h limit runs from the arrival, as the server's evaluation says after sync."""
    account = new_account("monitor", ("GB",))
    token = live_app.token(account.email)
    name = f"Station {uuid.uuid4().hex[:5]}"
    status, body = live_app.api("POST", "/facilities", token, json={
        "name": name, "kind": "police_station", "country": "GB", "timezone": "Europe/London"})
    assert status == 201, body
    steps.sign_in(page, live_app.url, account)
    steps.wait_synced(page)
    context.set_offline(True)
    detention_id = steps.new_detention(page, "Relevant Time", _local(5, "Europe/London"),
                                       facility=f"{name} (GB)")
    steps.new_event(page, detention_id, "arrival", _local(3, "Europe/London"), {"Facility": f"{name} (GB)"})
    rule = page.locator(".safeguard.estimate[data-rule='gb.custody_24h']")
    rule.wait_for()
    shown = datetime.fromisoformat(rule.get_attribute("data-due").replace("Z", "+00:00"))
    context.set_offline(False)
    steps.sync_now(page)
    steps.wait_synced(page)
    server = {s["rule"]: s["due_at"] for s in _events_of(live_app, token, detention_id)["safeguards"]}
    arrival = next(e["occurred_at"] for e in _events_of(live_app, token, detention_id)["events"]
                   if e["type"] == "arrival")
    assert shown == datetime.fromisoformat(server["gb.custody_24h"].replace("Z", "+00:00"))
    assert shown == datetime.fromisoformat(arrival.replace("Z", "+00:00")) + timedelta(hours=24)
