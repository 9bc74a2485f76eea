"""Browser tests: the real app under gunicorn, driven by Debian's Chromium through Playwright.

Fixtures: `live_app` (session server), `live_app_factory` (a server of one's own, e.g. with
short token lifetimes), `new_account` (a fresh user per test), the phone-sized `page` /
`context` from pytest-playwright, `context_in(locale)`, and `axe_violations(page)`.
A failing test leaves a 412x915 screenshot of each open page; the folder is printed.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.live_server import PASSWORD, Account, LiveApp

CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).resolve().parent
PHONE = {"width": 412, "height": 915}
SERIOUS = ("serious", "critical")
# Chromium's own background traffic (updates, sync, field trials) would reach other hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# One folder per run (made only when something is saved); BROWSER_ARTIFACTS picks another.
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS")
                 or Path(tempfile.gettempdir()) / f"monitor-browser-{os.getpid()}")
_saved: list[Path] = []


def pytest_configure(config: pytest.Config) -> None:
    """Keep pytest-playwright's artefacts out of the working tree (it empties --output)."""
    if getattr(config.option, "output", None) in (None, "test-results"):
        config.option.output = str(ARTIFACTS / "playwright")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser tests, with the reason, only where Debian's Chromium is missing."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install chromium "
                                   "fonts-noto-core fonts-dejavu-core (.ci/run does)")
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The app under gunicorn on a kernel-given port, a migrated SQLite file, scheduler on."""
    server = LiveApp(tmp_path_factory.mktemp("live"))
    server.migrate()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_app_factory(tmp_path: Path) -> Iterator[Callable[..., LiveApp]]:
    """Start a server of this test's own with extra environment (stopped after the test)."""
    started: list[LiveApp] = []

    def make(**env: str) -> LiveApp:
        server = LiveApp(tmp_path / f"live{len(started)}", {k: str(v) for k, v in env.items()})
        server.migrate()
        started.append(server.start())
        return server
    yield make
    for server in started:
        server.stop()


@pytest.fixture
def new_account(live_app: LiveApp) -> Callable[..., Account]:
    """Factory: a fresh user on the session server, so tests never share one."""
    def make(role: str = "monitor", countries: tuple[str, ...] = ("MX",),
             password: str = PASSWORD) -> Account:
        return live_app.new_user(role, countries, password)
    return make


@pytest.fixture(scope="session")
def base_url(live_app: LiveApp) -> str:
    """Relative `page.goto("/app/")` resolves against the live server."""
    return live_app.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium (a downloaded browser cannot be fetched here), runnable as root."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A phone: 412x915, service workers allowed, English unless a test asks otherwise."""
    return {**browser_context_args, "viewport": PHONE, "service_workers": "allow", "locale": "en-US"}


@pytest.fixture
def context_in(browser: Any, browser_context_args: dict[str, Any]) -> Iterator[Callable[..., Any]]:
    """Factory: a new phone-sized browser context in `locale` (e.g. "es-MX", "ar"), closed after the test."""
    made: list[Any] = []

    def make(locale: str, **kwargs: Any) -> Any:
        made.append(browser.new_context(**{**browser_context_args, "locale": locale, **kwargs}))
        return made[-1]
    yield make
    for context in made:
        context.close()


def axe_violations(page: Any, impacts: tuple[str, ...] = SERIOUS) -> list[dict[str, Any]]:
    """axe-core's violations of `impacts` on the page as it is now (axe injected from the package)."""
    from axe_playwright_python.sync_playwright import Axe
    # Runtime.evaluate is not subject to the page's CSP, so the strict policy stays on.
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """A readable list: rule, impact, and the first few offending nodes."""
    lines = []
    for v in violations:
        targets = [", ".join(n.get("target", [])) for n in v.get("nodes", [])[:3]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {targets}")
    return "\n".join(lines)


@pytest.fixture(name="axe_violations")
def axe_violations_fixture() -> Callable[..., list[dict[str, Any]]]:
    """The `axe_violations(page)` helper as a fixture."""
    return axe_violations


def _pages(item: pytest.Item) -> list[Any]:
    """Every open page of every context of this test's browser."""
    browser = getattr(item, "funcargs", {}).get("browser")
    if browser is None:
        return []
    return [page for context in browser.contexts for page in context.pages if not page.is_closed()]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """On a failed test, a 412x915 screenshot of each open page, named in the report."""
    report = yield
    if report.when == "call" and report.failed:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", item.nodeid)[-150:]
        folder = ARTIFACTS / "screenshots"
        shots = []
        for n, page in enumerate(_pages(item)):
            path = folder / f"{slug}-{n}.png"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                if page.viewport_size != PHONE:
                    page.set_viewport_size(PHONE)
                page.screenshot(path=str(path))
            except Exception as exc:  # a crashed page must not hide the test's own failure
                shots.append(f"(no screenshot of {page.url}: {exc})")
                continue
            _saved.append(path)
            shots.append(f"{path}  ({page.url})")
        if shots:
            report.sections.append(("screenshots (412x915)", "\n".join(shots)))
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say where the failure screenshots are."""
    if _saved:
        terminalreporter.write_line(f"browser failure screenshots: {_saved[0].parent}")
