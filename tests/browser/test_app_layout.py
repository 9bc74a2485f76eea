"""The field app on the narrowest phone (320 CSS px): no screen scrolls sideways, and every
visible control is a touch target of at least 44x44 px (a checkbox or radio counts through a
label at least 44 px high)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.browser import app_steps as steps
from tests.browser.conftest import PHONE

NARROW = {"width": 320, "height": 640}
TABLET = {"width": 1024, "height": 768}
# Every visible control smaller than 44x44, described; a checkbox or radio by its label.
SMALL_TARGETS = """() => {
  // Shown: not hidden, not visually hidden, not parked off the side of the page (the skip
  // link until it has focus: checked focused on its own).
  const shown = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.display !== 'none'
      && r.right > 0 && r.left < document.documentElement.clientWidth; };
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
    + `${el.name ? '[name=' + el.name + ']' : ''} "${(el.textContent || el.value || '').trim().slice(0, 30)}"`;
  const out = [];
  for (const el of document.querySelectorAll('a[href], button, select, input:not([type=hidden]), textarea, summary')) {
    if (!shown(el)) continue;
    let box = el.getBoundingClientRect();
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (!label) { out.push(`${name(el)}: no label`); continue; }
      const high = label.getBoundingClientRect().height;
      if (high < 44) out.push(`${name(el)}: label ${Math.round(high)} px high`);
      continue;
    }
    if (box.width < 44 || box.height < 44) out.push(`${name(el)}: ${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  return out; }"""
SIDEWAYS = "(() => { const e = document.scrollingElement; return e.scrollWidth - e.clientWidth; })()"


def _iso(hours_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check(page, screen: str, problems: dict[str, list[str]]) -> None:
    """Note what is wrong with the screen as it is now under `screen`."""
    wide = page.evaluate(SIDEWAYS)
    found = ([f"scrolls sideways by {wide} px"] if wide > 0 else []) + page.evaluate(SMALL_TARGETS)
    if found:
        problems[screen] = found


def test_no_screen_scrolls_sideways_at_320_px_and_every_target_is_44_px(context_in, live_app, new_account):
    account = new_account("monitor", ("MX",))
    token = live_app.token(account.email)
    status, facility = live_app.api("POST", "/facilities", token, json={
        "name": f"Estación de la Zona Metropolitana del Valle {uuid.uuid4().hex[:6]}", "kind": "police_station",
        "country": "MX", "timezone": "America/Mexico_City"})
    assert status == 201, facility
    status, det = live_app.api("POST", "/detentions", token, json={
        "person": {"name": "Maximiliana Guadalupe Hernández-Villaseñor", "sex": "female"},
        "facility_id": facility["id"], "arrested_at": _iso(60), "arresting_authority": "Policía municipal"})
    assert status == 201, det
    status, _ = live_app.api("POST", f"/detentions/{det['id']}/events", token, json={
        "type": "ill_treatment_alleged", "occurred_at": _iso(50), "details": {"alleged_by": "detainee"}})
    assert status == 201
    status, gone = live_app.api("POST", "/detentions", token, json={
        "person": {"name": "Released Person With A Rather Long Name", "sex": "male"},
        "facility_id": facility["id"], "arrested_at": _iso(70), "arresting_authority": "Policía municipal"})
    assert status == 201, gone
    status, _ = live_app.api("POST", f"/detentions/{gone['id']}/events", token, json={
        "type": "release", "occurred_at": _iso(65)})
    assert status == 201
    problems: dict[str, list[str]] = {}
    # 320 px in a left-to-right and a right-to-left language; targets also at the usual 412 px
    # and on a tablet, where labels that wrap (and so grow) at 320 px fit on one line.
    for lang, viewport in (("en-US", NARROW), ("ar-EG", NARROW), ("en-US", PHONE), ("en-US", TABLET)):
        page = context_in(lang, viewport=viewport).new_page()
        where = f"{lang} {viewport['width']}px"
        steps.open_app(page, live_app.url)
        page.fill("input[name=email]", account.email)
        page.fill("input[name=password]", account.password)
        page.fill("input[name=passphrase]", steps.PASSPHRASE)
        page.fill("input[name=passphrase2]", steps.PASSPHRASE)
        page.click("main form button[type=submit]")
        steps.until(page, f"!!document.querySelector('a[href=\"#/d/{det['id']}\"]') && "
                          f"!!document.querySelector('a[href=\"#/d/{gone['id']}\"]')", "the list, both sections")
        _check(page, f"{where} list", problems)
        page.locator("a.skip").focus()
        size = page.locator("a.skip").bounding_box()
        if size["width"] < 44 or size["height"] < 44 or size["x"] < 0:
            problems[f"{where} skip link"] = [f"{size}"]
        page.locator("main h1").focus()
        screens = ((f"#/d/{det['id']}", "record"), (f"#/d/{det['id']}/event", "new event"),
                   ("#/outbox", "outbox"), ("#/settings", "settings"), ("#/new/detention", "new detention"),
                   ("#/new/facility", "new facility"), ("#/new/visit", "new visit"), ("#/logout", "logout"),
                   (f"#/d/{gone['id']}", "released record"), (f"#/d/{gone['id']}/event", "released new event"))
        for route, what in screens:
            page.evaluate(f"location.hash = {route!r}")
            steps.wait_drawn(page, route)
            if what in ("record", "released record"):
                steps.until(page, "document.querySelectorAll('.safeguard').length > 0", "the safeguards")
            _check(page, f"{where} {what}", problems)
            if what == "new event":
                for type_ in ("interrogation", "medical_exam", "ill_treatment_alleged", "complaint_filed"):
                    page.select_option("#event-type", type_)
                    _check(page, f"{where} new event: {type_}", problems)
        page.close()
    assert problems == {}, "\n".join(f"[{k}] {'; '.join(v)}" for k, v in problems.items())
