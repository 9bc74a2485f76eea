"""Every screen of the field app in every language: axe-core finds no serious or critical
violation, the strict CSP is never violated, and no request leaves the app's own origin."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import pytest

from monitor.web import STATIC
from tests.browser import app_steps as steps
from tests.browser.conftest import axe_violations, describe_violations
from tests.browser.live_server import wait_for

LOCALES = {"en": "en-US", "es": "es-MX", "fr": "fr-FR", "ar": "ar-EG"}
# Reported from the page itself: a listener on `securitypolicyviolation` in every document
# (an init script runs before the app and is not subject to its CSP).
WATCH_CSP = """document.addEventListener('securitypolicyviolation', (e) =>
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));"""


def catalogue(lang: str) -> dict[str, str]:
    """The app's strings in `lang`, as the app ships them."""
    return json.loads((STATIC / "locales" / f"{lang}.json").read_text(encoding="utf-8"))


def event_types_covering_every_control() -> list[str]:
    """A few event types whose detail fields, together, use every kind of control the forms have."""
    events = json.loads((STATIC / "catalogue.json").read_text(encoding="utf-8"))["events"]
    wanted = {f["type"] for fields in events.values() for f in fields}
    chosen: list[str] = []
    while wanted:
        best = max(events, key=lambda k: len(wanted & {f["type"] for f in events[k]}))
        chosen.append(best)
        wanted -= {f["type"] for f in events[best]}
    return chosen


class Watch:
    """Everything a context asks the network for, and every CSP violation or console error."""

    def __init__(self, context: Any, origin: str) -> None:
        """Start watching `context` (before any page is opened)."""
        self.origin = origin
        self.requests: list[str] = []
        self.problems: list[str] = []
        context.add_init_script(WATCH_CSP)
        context.on("request", lambda r: self.requests.append(r.url))
        context.on("page", self.page)

    def page(self, page: Any) -> None:
        """Listen to a page's console and uncaught errors."""
        page.on("console", lambda m: self.problems.append(m.text) if (
            "CSP violation" in m.text or "Content Security Policy" in m.text) else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

    def foreign(self) -> list[str]:
        """Requests to any origin but the app's own (data: and blob: URLs are local)."""
        own = urlsplit(self.origin)
        return [u for u in self.requests if urlsplit(u).scheme not in ("data", "blob")
                and (urlsplit(u).scheme, urlsplit(u).netloc) != (own.scheme, own.netloc)]


def pump_until(page: Any, condition: Any, what: str) -> None:
    """Poll a Python condition on what event listeners collected; Playwright delivers events
    only while it has control, so each poll gives it some (a plain sleep would starve them)."""
    wait_for(lambda: condition() or page.wait_for_timeout(50), what)


def go(page: Any, base: str, route: str) -> None:
    """Open a screen by its route and wait until it has drawn its own heading.

    A new heading alone is not enough: a redraw of the screen being left (fresh data from a
    sync) that was already under way when the route changed draws a new heading of its own
    first. The app names the screen it has drawn last (the root's data-drawn)."""
    page.evaluate("document.querySelector('main h1')?.setAttribute('data-seen', '')")
    page.goto(f"{base}/app/{route}")
    steps.wait_drawn(page, route)
    steps.until(page, "!!document.querySelector('main h1:not([data-seen])')", f"the screen {route}")


def heading(page: Any) -> str:
    """The current screen's heading."""
    return page.locator("main h1").inner_text().strip()


def sign_in(page: Any, base: str, account: Any, home_title: str) -> None:
    """First use in any language: the form's fields by name, then the home screen's heading."""
    steps.open_app(page, base)
    page.fill("input[name=email]", account.email)
    page.fill("input[name=password]", account.password)
    page.fill("input[name=passphrase]", steps.PASSPHRASE)
    page.fill("input[name=passphrase2]", steps.PASSPHRASE)
    page.click("main form button[type=submit]")
    steps.until(page, f"document.querySelector('main h1')?.textContent === {json.dumps(home_title)}",
                "the home screen")


class Audit:
    """axe on each screen visited, collected so one run reports every screen that fails."""

    def __init__(self, page: Any) -> None:
        """Audit screens of `page`."""
        self.page, self.failures, self.screens = page, {}, []

    def check(self, name: str) -> None:
        """Run axe on the screen as it is now."""
        self.screens.append(name)
        found = axe_violations(self.page)
        if found:
            self.failures[name] = describe_violations(found)


def server_records(live_app: Any, country: str = "MX") -> tuple[dict, dict]:
    """A facility and a detention arrested long ago (so flags are raised), made by an admin."""
    admin = live_app.new_user("admin", ())
    token = live_app.token(admin.email)
    status, facility = live_app.api("POST", "/facilities", token, {
        "name": f"Estación {uuid.uuid4().hex[:6]}", "kind": "police_station", "country": country,
        "timezone": "America/Mexico_City"})
    assert status == 201, facility
    arrested = (datetime.now(timezone.utc) - timedelta(hours=80)).isoformat()
    status, detention = live_app.api("POST", "/detentions", token, {
        "person": {"name": "Screen Person", "sex": "female", "age": 34}, "facility_id": facility["id"],
        "arrested_at": arrested, "arresting_authority": "Policía municipal", "grounds": "test"})
    assert status == 201, detention
    return facility, detention


def _queue_invalid_detention(page: Any, facility_id: str) -> str:
    """An outbox item the server will refuse (arrested two days from now); its id."""
    future = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()
    return page.evaluate("""async ({facilityId, at}) => {
        const records = await import('/app/js/records.js');
        const item = await records.createRecord('detention', {person: {name: 'Later Person'},
            facility_id: facilityId, arrested_at: at, arresting_authority: 'Policía'});
        return item.id; }""", {"facilityId": facility_id, "at": future})


def _outbox_state(page: Any, item_id: str) -> str | None:
    """The outbox item's state (pending, invalid, conflict) or None once it has left."""
    return page.evaluate("""async (id) => {
        const store = await import('/app/js/store.js');
        return ((await store.outboxAll()).find((i) => i.id === id) || {}).state || null; }""", item_id)


@pytest.mark.parametrize("lang", list(LOCALES))
def test_every_monitor_screen_passes_axe_with_strict_csp_and_no_foreign_request(
        lang, context_in, live_app, new_account):
    words = catalogue(lang)
    facility, detention = server_records(live_app)
    account = new_account("monitor", ("MX",))
    context = context_in(LOCALES[lang])
    watch = Watch(context, live_app.url)
    page = context.new_page()
    audit = Audit(page)
    base = live_app.url

    steps.open_app(page, base)
    assert heading(page) == words["login.title"]
    audit.check("setup")
    sign_in(page, base, account, words["list.title"])
    wait_for(lambda: steps.outbox_size(page) == 0, "the first sync")
    steps.until(page, f"!!document.querySelector('a[href=\"#/d/{detention['id']}\"]')", "the list to show the record")
    audit.check("list")

    go(page, base, f"#/d/{detention['id']}")
    steps.until(page, "document.querySelectorAll('.safeguard').length > 0", "the record's safeguards")
    audit.check("record")
    go(page, base, f"#/d/{detention['id']}/event")
    assert heading(page) == words["nav.new_event"]
    audit.check("event:default")
    for kind in event_types_covering_every_control():
        page.select_option("#event-type", kind)
        audit.check(f"event:{kind}")
    for route, title in (("#/new/facility", "nav.new_facility"), ("#/new/detention", "nav.new_detention"),
                         ("#/new/visit", "nav.new_visit"), ("#/settings", "nav.settings")):
        go(page, base, route)
        assert heading(page) == words[title], route
        audit.check(route)

    # The outbox with an item the server refused, and its correction form with the errors.
    item = _queue_invalid_detention(page, facility["id"])
    page.locator("#sync-now").click()
    wait_for(lambda: _outbox_state(page, item) == "invalid", "the server to refuse the item")
    go(page, base, "#/outbox")
    assert heading(page) == words["outbox.title"]
    page.locator(".card[data-state='invalid']").wait_for()
    audit.check("outbox")
    go(page, base, f"#/outbox/{item}")
    page.locator("[aria-invalid='true']").first.wait_for()
    audit.check("outbox:fix")
    go(page, base, "#/logout")
    assert heading(page) == words["logout.title"]
    audit.check("logout")
    go(page, base, "#/wipe")
    assert heading(page) == words["wipe.title"]
    audit.check("wipe")

    page.goto(f"{base}/app/#/")
    page.reload()  # the key lives only in memory: a reload asks for the passphrase
    steps.until(page, f"document.querySelector('main h1')?.textContent === {json.dumps(words['unlock.title'])}",
                "the lock screen")
    audit.check("unlock")
    page.fill("input[name=passphrase]", "not the passphrase")
    page.click("main form button[type=submit]")
    page.locator("[aria-invalid='true']").wait_for()
    audit.check("unlock:wrong")

    assert audit.failures == {}, "\n".join(f"[{lang} {k}] {v}" for k, v in audit.failures.items())
    assert watch.problems == []
    assert watch.foreign() == []
    assert len(audit.screens) >= 15 and watch.requests


@pytest.mark.parametrize("lang", list(LOCALES))
def test_partner_screen_passes_axe_with_strict_csp_and_no_foreign_request(
        lang, context_in, live_app, new_account):
    words = catalogue(lang)
    _, detention = server_records(live_app, "PH")
    account = new_account("partner", ("PH",))
    token = live_app.token(account.email)
    wait_for(lambda: any(f["detention_id"] == detention["id"]
                         for f in live_app.api("GET", "/flags?limit=500", token)[1]["items"]),
             "the scheduler to raise the detention's flags")
    context = context_in(LOCALES[lang])
    watch = Watch(context, live_app.url)
    page = context.new_page()
    audit = Audit(page)
    sign_in(page, live_app.url, account, words["flags.title"])
    page.locator(".card").first.wait_for()
    audit.check("flags")
    go(page, live_app.url, "#/settings")
    audit.check("settings")
    assert audit.failures == {}, "\n".join(f"[{lang} {k}] {v}" for k, v in audit.failures.items())
    assert watch.problems == []
    assert watch.foreign() == []


def test_the_watchers_catch_what_they_watch_for(context_in, live_app):
    # Guards the guards: on the app's own page, under its CSP, each check sees its fault.
    context = context_in("en-US")
    watch = Watch(context, live_app.url)
    page = context.new_page()
    steps.open_app(page, live_app.url)
    assert axe_violations(page) == []
    page.evaluate("""() => {
        const img = document.createElement('img'); img.src = 'icons/icon-192.png';
        document.querySelector('main').append(img);
        const s = document.createElement('script'); s.textContent = 'window.inlineRan = true';
        document.body.append(s);
        fetch('http://elsewhere.invalid/x').catch(() => {}); }""")
    assert [v["id"] for v in axe_violations(page)] == ["image-alt"]
    pump_until(page, lambda: any("script-src" in p for p in watch.problems), "the CSP violation report")
    assert page.evaluate("window.inlineRan === undefined")  # the policy blocked it
    # The policy stops the fetch before any request (connect-src); a navigation it does not.
    pump_until(page, lambda: any("connect-src" in p for p in watch.problems), "the blocked fetch's report")
    assert watch.foreign() == []
    page.evaluate("location.href = 'http://elsewhere.invalid/page'")
    pump_until(page, lambda: "http://elsewhere.invalid/page" in watch.foreign(), "the foreign request")
