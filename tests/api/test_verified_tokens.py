"""Bearer tokens are verified once per process; expiry, revocation and the key still hold."""
import time
from datetime import timedelta

import jwt as pyjwt
import pytest
from flask_jwt_extended import create_access_token

from monitor import tokens


@pytest.fixture(autouse=True)
def _fresh_cache():
    tokens.forget_verified()
    yield
    tokens.forget_verified()


def me(client, token):
    return client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})


def test_a_token_is_verified_once(client, make_user, monkeypatch):
    token = create_access_token(identity=str(make_user().id))
    assert me(client, token).status_code == 200
    decodes = []
    real = pyjwt.decode
    monkeypatch.setattr(pyjwt, "decode", lambda *a, **k: decodes.append(1) or real(*a, **k))
    assert me(client, token).status_code == 200
    assert decodes == []


def test_a_remembered_token_still_expires(client, make_user, monkeypatch):
    token = create_access_token(identity=str(make_user().id), expires_delta=timedelta(seconds=-30))
    assert me(client, token).status_code == 401  # expired at its first use
    # Seen from a minute earlier it is valid: the answer comes from the remembered claims
    monkeypatch.setattr(tokens, "clock", lambda: time.time() - 60)
    assert me(client, token).status_code == 200
    monkeypatch.setattr(tokens, "clock", time.time)
    response = me(client, token)
    assert response.status_code == 401 and response.get_json()["detail"] == "Token has expired."


def test_a_remembered_token_is_refused_once_revoked(client, make_user):
    user = make_user()
    login = client.post("/api/v1/auth/login", json={"email": user.email, "password": "correct horse battery"})
    token = login.get_json()["access_token"]
    assert me(client, token).status_code == 200
    assert client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    response = me(client, token)
    assert response.status_code == 401 and response.get_json()["detail"] == "Token has been revoked."


def test_a_remembered_token_is_refused_under_another_key(app, client, make_user):
    token = create_access_token(identity=str(make_user().id))
    assert me(client, token).status_code == 200
    key = app.config["JWT_SECRET_KEY"]
    app.config["JWT_SECRET_KEY"] = "another-key-long-enough-for-hs256-0123456789"
    try:
        assert me(client, token).status_code == 401
    finally:
        app.config["JWT_SECRET_KEY"] = key
    assert me(client, token).status_code == 200


def test_a_forged_token_is_never_remembered(client, make_user):
    token = create_access_token(identity=str(make_user().id))
    head, body, signature = token.split(".")
    forged = f"{head}.{body}.{signature[::-1]}"
    for _ in range(2):
        assert me(client, forged).status_code == 401
    assert tokens._verified.cache_info().currsize == 0
