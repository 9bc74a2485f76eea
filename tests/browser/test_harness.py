"""The harness itself: the live server, its users and restarts, the browser, axe."""
import socket

import pytest

from tests.browser.conftest import axe_violations


def test_live_app_serves_the_api_and_logs_in_fresh_users(live_app, new_account):
    status, health = live_app.api("GET", "/healthz")
    assert status == 200 and health["database"] == "ok"
    account = new_account("monitor", ("MX", "PH"))
    token = live_app.token(account.email, account.password)
    status, me = live_app.api("GET", "/users/me", token)
    assert status == 200 and me["email"] == account.email and sorted(me["countries"]) == ["MX", "PH"]
    assert new_account().email != account.email


def test_cli_made_user_can_log_in(live_app):
    account = live_app.create_user("partner", ("PH",))
    status, me = live_app.api("GET", "/users/me", live_app.token(account.email, account.password))
    assert status == 200 and me["role"] == "partner"


def test_stop_refuses_connections_and_start_serves_the_same_data(live_app_factory):
    server = live_app_factory()
    account = server.create_user("monitor", ("MX",))
    url = server.url
    server.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=5).close()
    server.start()
    assert server.url == url
    assert server.token(account.email, account.password)  # same database after the restart


def test_factory_passes_settings_to_its_own_server(live_app_factory, live_app):
    server = live_app_factory(ACCESS_TOKEN_SECONDS="1")
    assert server.port != live_app.port
    account = server.new_user()
    token = server.token(account.email)
    import jwt  # the token's lifetime shows the setting reached the server
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 1


def test_page_is_a_phone_and_reaches_the_live_app(page, live_app):
    page.goto("/healthz")
    assert page.viewport_size == {"width": 412, "height": 915}
    assert '"database"' in page.content()
    assert page.evaluate("navigator.language") == "en-US"
    assert page.evaluate("window.isSecureContext") is True


def test_context_in_sets_the_browser_language(context_in, live_app):
    page = context_in("ar").new_page()
    page.goto(live_app.url + "/healthz")
    assert page.evaluate("navigator.language") == "ar"
    assert page.viewport_size == {"width": 412, "height": 915}


def test_axe_reports_serious_violations_and_passes_a_clean_page(page):
    page.set_content('<html lang="en"><head><title>t</title></head><body><main>'
                     '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                     '<label for="a">Name</label><input id="a"></main></body></html>')
    assert [v["id"] for v in axe_violations(page)] == ["image-alt"]
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><h1>Fine</h1>'
                     '<label for="a">Name</label><input id="a"></main></body></html>')
    assert axe_violations(page) == []


def test_a_failing_browser_test_leaves_a_phone_sized_screenshot_named_in_the_output(tmp_path):
    import os
    import subprocess
    import sys

    from PIL import Image

    from tests.browser.live_server import ROOT
    # A conftest importing ours: its fixtures then override pytest-playwright's, as here.
    (tmp_path / "conftest.py").write_text("from tests.browser.conftest import *  # noqa: F401,F403\n")
    (tmp_path / "test_fails.py").write_text(
        "def test_fails(page):\n"
        "    page.set_content('<h1>broken screen</h1>')\n"
        "    assert False, 'on purpose'\n")
    artifacts = tmp_path / "artifacts"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--rootdir", str(tmp_path), "-c", "/dev/null",
         str(tmp_path / "test_fails.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "BROWSER_ARTIFACTS": str(artifacts), "PYTHONPATH": str(ROOT)})
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    shots = list((artifacts / "screenshots").glob("*.png"))
    assert len(shots) == 1
    assert "screenshots (412x915)" in run.stdout and str(shots[0]) in run.stdout
    assert f"browser failure screenshots: {artifacts / 'screenshots'}" in run.stdout
    assert Image.open(shots[0]).size == (412, 915)
