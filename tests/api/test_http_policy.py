"""Security headers on every response; CORS off by default, on per configured origin."""
import pytest

from monitor import create_app
from tests.helpers import TEST_DATA_KEY


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/openapi.json", "/api/v1/nothing", "/api/v1/docs"])
def test_security_headers_everywhere(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_api_data_is_not_cached(client, auth):
    assert client.get("/api/v1/users/me", headers=auth()).headers["Cache-Control"] == "no-store"


def test_cors_is_off_by_default(client):
    response = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options("/api/v1/detentions", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_cors_for_a_configured_origin(app, tmp_path):
    allowed = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "s", "JWT_SECRET_KEY": "j" * 40, "DATA_KEY": TEST_DATA_KEY,
        "CORS_ORIGINS": ("https://ngo.example",)})
    c = allowed.test_client()
    preflight = c.options("/api/v1/detentions", headers={
        "Origin": "https://ngo.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://ngo.example"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    other = c.get("/healthz", headers={"Origin": "https://other.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
