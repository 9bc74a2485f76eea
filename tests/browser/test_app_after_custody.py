"""The field app after custody: released detentions are listed (in their own section) and
open, their new-event form offers the accountability events, and each safeguard says what
its figure rests on (law, a standard, or only this tool's alert threshold)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.browser import app_steps as steps
from tests.browser.live_server import wait_for

ZONE = "America/Mexico_City"


def _iso(hours_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _server_detention(live_app, token: str, name: str, events: list[dict]) -> str:
    """A facility and a detention made through the API, with `events` added; its id."""
    status, facility = live_app.api("POST", "/facilities", token, json={
        "name": f"Fiscalía {uuid.uuid4().hex[:6]}", "kind": "police_station", "country": "MX",
        "timezone": ZONE})
    assert status == 201, facility
    status, det = live_app.api("POST", "/detentions", token, json={
        "person": {"name": name, "sex": "female"}, "facility_id": facility["id"],
        "arrested_at": _iso(30), "arresting_authority": "Policía municipal"})
    assert status == 201, det
    for event in events:
        status, body = live_app.api("POST", f"/detentions/{det['id']}/events", token, json=event)
        assert status == 201, body
    return det["id"]


def test_released_detention_is_listed_opens_and_takes_an_after_custody_event(page, live_app, new_account):
    account = new_account("monitor", ("MX",))
    token = live_app.token(account.email)
    held = _server_detention(live_app, token, "Ana Custodia", [])
    released = _server_detention(live_app, token, "Berta Liberada", [
        {"type": "release", "occurred_at": _iso(20), "source": "official"}])
    steps.sign_in(page, live_app.url, account)
    steps.wait_synced(page)

    # In custody first, then the released ones in their own, labelled section.
    custody = page.get_by_role("list", name="Detentions")
    custody.locator(f".card[data-id='{held}']").wait_for()
    after = page.get_by_role("list", name="Released (after custody)")
    card = after.locator(f".card[data-id='{released}']")
    card.wait_for()
    assert page.get_by_role("heading", level=2, name="Released (after custody)").is_visible()
    assert card.locator(".badge.s-released").inner_text() == "released"
    assert custody.locator(f".card[data-id='{released}']").count() == 0

    card.get_by_role("link", name="Berta Liberada").click()
    page.get_by_role("heading", level=1, name="Berta Liberada").wait_for()
    steps.wait_drawn(page, f"#/d/{released}")
    assert page.locator("main .badge.s-released").first.is_visible()

    page.get_by_role("link", name="New event").click()
    steps.wait_drawn(page, f"#/d/{released}/event")
    group = page.locator("#event-type optgroup").first
    assert group.get_attribute("label") == "After custody"
    offered = group.locator("option").evaluate_all("els => els.map((e) => e.value)")
    for type_ in ("complaint_filed", "investigation_opened", "forensic_report", "prosecution_opened",
                  "case_closed", "evidence_ruling", "charge_filed"):
        assert type_ in offered
    assert page.get_by_label("Event type").input_value() == "complaint_filed"  # the likely one first
    when = (datetime.now(UTC) - timedelta(hours=1)).astimezone(ZoneInfo(ZONE))
    steps.new_event(page, released, "complaint_filed", when.strftime("%Y-%m-%dT%H:%M"),
                    {"Filed by": "family", "Filed with": "prosecutor"})
    steps.sync_now(page)
    steps.wait_synced(page)

    def stored():
        status, record = live_app.api("GET", f"/detentions/{released}", token)
        assert status == 200, record
        found = [e for e in record["events"] if e["type"] == "complaint_filed"]
        return found or None
    complaints = wait_for(stored, "the complaint on the server")
    assert len(complaints) == 1
    assert complaints[0]["details"] == {"by": "family", "to": "prosecutor"}
    steps.sync_now(page)  # a second sync sends nothing again
    steps.wait_synced(page)
    assert len(stored()) == 1


def test_each_safeguard_says_what_its_figure_rests_on(page, live_app, new_account):
    account = new_account("monitor", ("MX",))
    token = live_app.token(account.email)
    detention_id = _server_detention(live_app, token, "Carla Denuncia", [
        {"type": "ill_treatment_alleged", "occurred_at": _iso(25), "source": "detainee",
         "details": {"alleged_by": "detainee"}}])
    steps.sign_in(page, live_app.url, account)
    steps.wait_synced(page)
    page.goto(live_app.url + f"/app/#/d/{detention_id}")
    page.get_by_role("heading", level=1, name="Carla Denuncia").wait_for()
    item = page.locator(".safeguard[data-rule='intl.investigation_threshold_30d']")
    item.wait_for()
    assert item.locator(".basis").inner_text() == "Alert threshold (not law)"
    assert item.get_attribute("data-basis") == "threshold"
    standard = page.locator(".safeguard[data-basis='standard']").first
    assert standard.locator(".basis").inner_text() == "Standard"
    law = page.locator(".safeguard[data-basis='law']").first
    assert law.locator(".basis").inner_text() == "Law"

    # In Spanish too (every language names it).
    page.get_by_label("Language").select_option("es")
    steps.until(page, "document.documentElement.lang === 'es'", "Spanish")
    steps.until(page, "(document.querySelector(\"[data-rule='intl.investigation_threshold_30d'] .basis\")"
                      "?.textContent || '').includes('no es ley')", "the Spanish wording")
