"""Behind a trusted proxy: the client's address for the login limit, HSTS over https, and
links that never echo the Host header."""
import pytest

from monitor import create_app
from tests.helpers import TEST_DATA_KEY

PASSWORD = "correct horse battery"


@pytest.fixture
def app_with(app):
    """Factory: the application on the same database with extra settings."""
    def make(**settings):
        return create_app({
            "TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test-secret", "JWT_SECRET_KEY": app.config["JWT_SECRET_KEY"],
            "DATA_KEY": TEST_DATA_KEY, "SCHEDULER_ENABLED": False,
            "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 256, **settings})
    return make


def login(client, email, forwarded_for, password="wrong password!!"):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password},
                       headers={"X-Forwarded-For": forwarded_for},
                       environ_base={"REMOTE_ADDR": "10.9.9.9"})  # the proxy's address


def test_behind_a_trusted_proxy_the_address_limit_counts_the_real_client(app_with, make_user):
    client = app_with(PROXY_FIX_X_FOR=1, LOGIN_MAX_FAILURES_PER_ADDRESS=3).test_client()
    user = make_user("monitor")
    for n in range(3):  # an attacker at 203.0.113.5 tries other accounts
        assert login(client, f"nobody{n}@example.org", "203.0.113.5").status_code == 401
    assert login(client, "x@example.org", "203.0.113.5").status_code == 429
    # a forged first hop does not help: the proxy appends the address it saw, which is used
    assert login(client, "x@example.org", "198.51.100.1, 203.0.113.5").status_code == 429
    assert login(client, user.email, "198.51.100.7", PASSWORD).status_code == 200


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(app_with):
    client = app_with(LOGIN_MAX_FAILURES_PER_ADDRESS=3).test_client()
    for n in range(3):
        assert login(client, f"nobody{n}@example.org", f"203.0.113.{n}").status_code == 401
    assert login(client, "x@example.org", "192.0.2.77").status_code == 429


def test_hsts_is_sent_behind_a_tls_proxy_only_when_it_is_trusted(app_with):
    forwarded = {"X-Forwarded-Proto": "https"}
    trusted = app_with(PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1).test_client()
    assert "max-age=" in trusted.get("/healthz", headers=forwarded).headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in trusted.get("/healthz").headers
    untrusted = app_with().test_client()
    assert "Strict-Transport-Security" not in untrusted.get("/healthz", headers=forwarded).headers


def _next_link(client, headers):
    for n in range(3):
        client.post("/api/v1/organizations", json={"name": f"Org {n}"}, headers=headers)
    response = client.get("/api/v1/organizations?limit=1", headers={**headers, "Host": "evil.example"})
    assert response.status_code == 200
    return response.headers["Link"]


def test_links_never_echo_a_forged_host(client, auth):
    link = _next_link(client, auth("admin", ()))
    assert "evil.example" not in link
    assert link.startswith("</api/v1/organizations?") and link.endswith('>; rel="next"')


def test_links_are_absolute_under_public_url(app_with, auth):
    client = app_with(PUBLIC_URL="https://monitor.example.org").test_client()
    link = _next_link(client, auth("admin", ()))
    assert link.startswith("<https://monitor.example.org/api/v1/organizations?limit=1&cursor=")
