"""Accounts: global admins only, never no admin left, deactivation and password changes
revoke every earlier token for good."""
import uuid

from monitor.extensions import db
from monitor.models import User

PASSWORD = "correct horse battery"


def _tokens(client, email, password=PASSWORD):
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _bearer(token):
    return {"Authorization": "Bearer " + token}


def _patch(client, headers, user_id, body):
    return client.patch(f"/api/v1/users/{user_id}", json=body, headers=headers)


# Item 4: admins are global only.

def test_an_admin_cannot_be_created_or_made_with_countries(client, make_user, headers_for):
    admin = make_user("admin", ())
    headers = headers_for(admin)
    created = client.post("/api/v1/users", headers=headers, json={
        "email": f"{uuid.uuid4().hex}@example.org", "password": "p" * 12, "role": "admin",
        "countries": ["MX"]})
    assert created.status_code == 422 and "countries" in created.get_json()["errors"]
    monitor = make_user("monitor", ("MX",))
    promoted = _patch(client, headers, monitor.id, {"role": "admin"})
    assert promoted.status_code == 422
    assert _patch(client, headers, monitor.id, {"role": "admin", "countries": []}).status_code == 200
    other = make_user("admin", ())
    assert _patch(client, headers, other.id, {"countries": ["PH"]}).status_code == 422


# Item 13: never no active global admin.

def test_the_last_active_admin_cannot_demote_or_deactivate_itself(client, make_user, headers_for):
    admin = make_user("admin", ())
    headers = headers_for(admin)
    for body in ({"role": "monitor"}, {"active": False}, {"role": "partner", "active": False}):
        response = _patch(client, headers, admin.id, body)
        assert response.status_code == 409, body
        assert response.mimetype == "application/problem+json"
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "admin" and db.session.get(User, admin.id).active
    second = make_user("admin", ())
    assert _patch(client, headers, admin.id, {"role": "monitor", "countries": ["MX"]}).status_code == 200
    assert _patch(client, headers_for(second), second.id, {"active": False}).status_code == 409


def test_an_inactive_admin_does_not_count(client, make_user, headers_for):
    admin = make_user("admin", ())
    idle = make_user("admin", ())
    assert _patch(client, headers_for(admin), idle.id, {"active": False}).status_code == 200
    assert _patch(client, headers_for(admin), admin.id, {"role": "monitor"}).status_code == 409


# Item 12: deactivation revokes, for good; password change and reset.

def test_deactivation_revokes_every_token_and_reactivation_revives_none(client, make_user, headers_for):
    admin = headers_for(make_user("admin", ()))
    user = make_user("monitor")
    first, second = _tokens(client, user.email), _tokens(client, user.email)
    assert client.get("/api/v1/users/me", headers=_bearer(first["access_token"])).status_code == 200
    assert _patch(client, admin, user.id, {"active": False}).status_code == 200
    assert _patch(client, admin, user.id, {"active": True}).status_code == 200
    for pair in (first, second):
        assert client.get("/api/v1/users/me", headers=_bearer(pair["access_token"])).status_code == 401
        assert client.post("/api/v1/auth/refresh",
                           headers=_bearer(pair["refresh_token"])).status_code == 401
    fresh = _tokens(client, user.email)
    assert client.get("/api/v1/users/me", headers=_bearer(fresh["access_token"])).status_code == 200


def test_changing_ones_password_ends_every_other_session(client, make_user):
    user = make_user("partner")
    other, mine = _tokens(client, user.email), _tokens(client, user.email)
    response = client.post("/api/v1/users/me/password", headers=_bearer(mine["access_token"]),
                           json={"current_password": PASSWORD, "new_password": "a new long password"})
    assert response.status_code == 200
    new = response.get_json()
    assert new["token_type"] == "Bearer"
    assert client.get("/api/v1/users/me", headers=_bearer(new["access_token"])).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers=_bearer(new["refresh_token"])).status_code == 200
    for pair in (other, mine):
        assert client.get("/api/v1/users/me", headers=_bearer(pair["access_token"])).status_code == 401
        assert client.post("/api/v1/auth/refresh",
                           headers=_bearer(pair["refresh_token"])).status_code == 401
    assert client.post("/api/v1/auth/login",
                       json={"email": user.email, "password": PASSWORD}).status_code == 401
    _tokens(client, user.email, "a new long password")


def test_a_wrong_current_password_is_refused_and_throttled(client, make_user):
    user = make_user("monitor")
    headers = _bearer(_tokens(client, user.email)["access_token"])
    body = {"current_password": "not my password", "new_password": "a new long password"}
    statuses = [client.post("/api/v1/users/me/password", headers=headers, json=body).status_code
                for _ in range(6)]
    assert statuses[0] == 422 and statuses[-1] == 429
    short = client.post("/api/v1/users/me/password", headers=headers,
                        json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code in (422, 429)


def test_an_admin_resets_a_password_and_revokes_the_users_tokens(client, make_user, headers_for):
    admin = headers_for(make_user("admin", ()))
    user = make_user("monitor")
    old = _tokens(client, user.email)
    path = f"/api/v1/users/{user.id}/password"
    assert client.post(path, json={"new_password": "reset by the admin"},
                       headers=headers_for(make_user("monitor"))).status_code == 403
    assert client.post(path, json={"new_password": "reset by the admin"}, headers=admin).status_code == 204
    assert client.get("/api/v1/users/me", headers=_bearer(old["access_token"])).status_code == 401
    _tokens(client, user.email, "reset by the admin")
    missing = client.post(f"/api/v1/users/{uuid.uuid4()}/password",
                          json={"new_password": "reset by the admin"}, headers=admin)
    assert missing.status_code == 404
