"""Spanish and Arabic screens: picked from the browser's language, every visible word from the
locale (none left in English), Arabic right to left with a mirrored layout; the switch."""
from __future__ import annotations

import re

import pytest

from tests.browser import app_steps as steps
from tests.browser.test_app_screens import LOCALES, catalogue, go, heading, server_records, sign_in

ENGLISH = catalogue("en")
# Shown in their own language on purpose (the language switch), or not words at all.
UNTRANSLATED_ON_PURPOSE = {"English", "Español", "Français", "العربية"}


def english_left(page, lang: str) -> list[str]:
    """English strings of the app visible on the page, where `lang` has its own wording."""
    words = catalogue(lang)
    text = page.locator("body").inner_text()
    return sorted(v for k, v in ENGLISH.items()
                  if len(v) > 3 and "{" not in v and v not in UNTRANSLATED_ON_PURPOSE
                  and words.get(k) != v  # a missing key falls back to English: caught too
                  and re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text))


def labels(page) -> dict[str, str]:
    """Each input's name and its label's text, as a screen reader announces them."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('main input, main select')]
        .map((el) => [el.name, [...el.labels].map((l) => l.textContent.trim()).join(' ')]))""")


@pytest.mark.parametrize("lang", ["es", "ar"])
def test_screens_in_the_browsers_language(lang, context_in, live_app, new_account):
    words = catalogue(lang)
    _, detention = server_records(live_app)
    account = new_account("monitor", ("MX",))
    page = context_in(LOCALES[lang]).new_page()
    steps.open_app(page, live_app.url)
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.evaluate("document.documentElement.dir") == ("rtl" if lang == "ar" else "ltr")
    assert heading(page) == words["login.title"]
    assert labels(page) == {"email": words["login.email"], "password": words["login.password"],
                            "passphrase": words["login.passphrase"], "passphrase2": words["login.passphrase_again"]}
    assert page.locator("main form button[type=submit]").inner_text().strip() == words["login.submit"]
    assert english_left(page, lang) == []

    sign_in(page, live_app.url, account, words["list.title"])
    nav = page.locator("nav").inner_text()
    for key in ("nav.list", "nav.outbox", "nav.settings"):
        assert words[key] in nav
    assert page.locator("#sync-now").inner_text().strip() == words["sync.now"]
    assert english_left(page, lang) == []

    go(page, live_app.url, f"#/d/{detention['id']}")
    # The list carries no timeline: the record shows it once the server's copy has arrived.
    steps.until(page, "document.querySelectorAll('.safeguard').length > 0"
                " && document.querySelector(\".timeline li[data-type='arrest']\") !== null",
                "the record's safeguards and timeline")
    status, record = live_app.api("GET", f"/detentions/{detention['id']}", live_app.token(account.email))
    assert status == 200
    shown = page.locator("main").inner_text()
    assert words["event.arrest"] in shown
    for safeguard in {s["safeguard"] for s in record["safeguards"] if s["status"] != "not_applicable"}:
        assert words[f"safeguard.{safeguard}"] in shown, safeguard
    assert english_left(page, lang) == []

    go(page, live_app.url, "#/new/detention")
    assert english_left(page, lang) == []
    assert all(text for text in labels(page).values())


def _edge_gaps(page) -> tuple[float, float]:
    """How far the first label's text sits from its form's left and right edges (px)."""
    return tuple(page.evaluate("""() => { const l = document.querySelector('main form label');
        const f = l.closest('form').getBoundingClientRect();
        const range = document.createRange(); range.selectNodeContents(l);
        const r = range.getBoundingClientRect();
        return [r.left - f.left, f.right - r.right]; }"""))


def test_arabic_layout_is_mirrored(context_in, live_app):
    english = context_in("en-US").new_page()
    arabic = context_in("ar-EG").new_page()
    for page in (english, arabic):
        steps.open_app(page, live_app.url)
    left, right = _edge_gaps(english)
    assert left < 1 < right  # labels start at the left edge in English
    left, right = _edge_gaps(arabic)
    assert right < 1 < left  # and at the right edge in Arabic
    assert arabic.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
    brand = "document.querySelector('.brand').getBoundingClientRect().left"
    assert arabic.evaluate(brand) > english.evaluate(brand)  # the header is mirrored too


def test_language_switch_changes_every_label_and_is_remembered(context_in, live_app):
    page = context_in("en-US").new_page()
    steps.open_app(page, live_app.url)
    assert heading(page) == ENGLISH["login.title"]
    french = catalogue("fr")
    page.locator("header select").select_option("fr")
    steps.until(page, "document.documentElement.lang === 'fr'", "the switch to French")
    steps.until(page, f"document.querySelector('main h1')?.textContent === {french['login.title']!r}",
                "the French screen")
    assert labels(page)["email"] == french["login.email"]
    assert english_left(page, "fr") == []
    page.reload()
    steps.until(page, steps.READY, "the app to start again")
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert heading(page) == french["login.title"]
