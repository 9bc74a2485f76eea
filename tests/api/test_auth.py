"""Login, refresh, logout, throttling, deactivation."""

PASSWORD = "correct horse battery"


def login(client, email, password=PASSWORD, addr="10.0.0.1"):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def test_login_returns_bearer_tokens(client, make_user):
    user = make_user("monitor")
    response = login(client, user.email.upper())
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    me = client.get("/api/v1/users/me", headers={"Authorization": "Bearer " + body["access_token"]})
    assert me.status_code == 200 and me.get_json()["email"] == user.email
    assert "password" not in me.get_json() and "password_hash" not in me.get_json()


def test_unknown_email_and_wrong_password_answer_alike(client, make_user):
    user = make_user("monitor")
    wrong = login(client, user.email, "wrong password!!")
    unknown = login(client, "nobody@example.org", "wrong password!!")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.mimetype == "application/problem+json"
    assert wrong.get_json()["detail"] == unknown.get_json()["detail"]


def test_repeated_failures_for_an_account_are_rate_limited(client, make_user):
    user = make_user("monitor")
    for attempt in range(5):
        assert login(client, user.email, "wrong password!!", f"10.0.1.{attempt}").status_code == 401
    locked = login(client, user.email, PASSWORD, "10.0.2.1")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert locked.mimetype == "application/problem+json"


def test_repeated_failures_from_an_address_are_rate_limited(client, make_user):
    for attempt in range(20):
        login(client, f"user{attempt}@example.org", "wrong password!!", "10.9.9.9")
    user = make_user("monitor")
    assert login(client, user.email, PASSWORD, "10.9.9.9").status_code == 429
    assert login(client, user.email, PASSWORD, "10.9.9.8").status_code == 200


def test_successful_login_resets_the_account_counter(client, make_user):
    user = make_user("monitor")
    for _ in range(4):
        login(client, user.email, "wrong password!!")
    assert login(client, user.email).status_code == 200
    for _ in range(4):
        assert login(client, user.email, "wrong password!!").status_code == 401
    assert login(client, user.email).status_code == 200


def test_logout_revokes_the_token_at_once(client, make_user, headers_for):
    headers = headers_for(make_user("monitor"))
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    again = client.get("/api/v1/users/me", headers=headers)
    assert again.status_code == 401 and again.mimetype == "application/problem+json"


def test_refresh_issues_new_tokens_and_revokes_the_old_refresh(client, make_user):
    user = make_user("monitor")
    tokens = login(client, user.email).get_json()
    old = {"Authorization": "Bearer " + tokens["refresh_token"]}
    response = client.post("/api/v1/auth/refresh", headers=old)
    assert response.status_code == 200
    fresh = response.get_json()["access_token"]
    assert client.get("/api/v1/users/me", headers={"Authorization": "Bearer " + fresh}).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers=old).status_code == 401


def test_access_token_cannot_refresh(client, make_user, headers_for):
    assert client.post("/api/v1/auth/refresh", headers=headers_for(make_user())).status_code == 401


def test_deactivated_user_is_refused_at_once(client, make_user, headers_for, auth):
    user = make_user("monitor")
    headers = headers_for(user)
    assert client.get("/api/v1/users/me", headers=headers).status_code == 200
    patch = client.patch(f"/api/v1/users/{user.id}", json={"active": False}, headers=auth("admin", ()))
    assert patch.status_code == 200 and patch.get_json()["active"] is False
    assert client.get("/api/v1/users/me", headers=headers).status_code == 401
    assert login(client, user.email).status_code == 401


def test_missing_and_garbage_tokens_are_401_problems(client):
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/users/me", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["status"] == 401


def test_user_creation_enforces_password_length_and_role(client, auth):
    admin = auth("admin", ())
    short = client.post("/api/v1/users", json={"email": "a@example.org", "password": "short",
                                               "role": "monitor"}, headers=admin)
    assert short.status_code == 422 and "password" in short.get_json()["errors"]
    bad_role = client.post("/api/v1/users", json={"email": "a@example.org", "password": "x" * 12,
                                                  "role": "king"}, headers=admin)
    assert bad_role.status_code == 422 and "role" in bad_role.get_json()["errors"]
    ok = client.post("/api/v1/users", json={"email": "A@Example.org", "password": "x" * 12,
                                            "role": "monitor", "countries": ["mx", "PH"]}, headers=admin)
    assert ok.status_code == 201
    assert ok.get_json()["countries"] == ["MX", "PH"] and ok.get_json()["email"] == "a@example.org"
    dup = client.post("/api/v1/users", json={"email": "a@example.org", "password": "x" * 12,
                                             "role": "monitor"}, headers=admin)
    assert dup.status_code == 409
    assert login(client, "a@example.org", "x" * 12).status_code == 200


def test_unknown_country_in_user_is_422(client, auth):
    response = client.post("/api/v1/users", json={"email": "b@example.org", "password": "x" * 12,
                                                  "role": "monitor", "countries": ["XX"]},
                           headers=auth("admin", ()))
    assert response.status_code == 422 and "countries.0" in response.get_json()["errors"]


def test_admin_manages_organizations(client, auth):
    admin = auth("admin", ())
    created = client.post("/api/v1/organizations", json={"name": "Partner NGO"}, headers=admin)
    assert created.status_code == 201
    assert client.post("/api/v1/organizations", json={"name": "Partner NGO"}, headers=admin).status_code == 409
    listed = client.get("/api/v1/organizations", headers=admin).get_json()
    assert [o["name"] for o in listed["items"]] == ["Partner NGO"]


def test_user_active_must_be_a_json_boolean(client, make_user, auth):
    admin, user = auth("admin", ()), make_user("monitor")
    for value in ("no", "false", 0):
        patch = client.patch(f"/api/v1/users/{user.id}", json={"active": value}, headers=admin)
        assert patch.status_code == 422 and "active" in patch.get_json()["errors"], value
    create = client.post("/api/v1/users", json={"email": "c@example.org", "password": "x" * 12,
                                                "role": "monitor", "active": "yes"}, headers=admin)
    assert create.status_code == 422 and "active" in create.get_json()["errors"]


def test_logout_with_a_refresh_token_revokes_it(client, make_user):
    user = make_user("monitor")
    tokens = login(client, user.email).get_json()
    refresh = {"Authorization": "Bearer " + tokens["refresh_token"]}
    assert client.post("/api/v1/auth/logout", headers=refresh).status_code == 204
    again = client.post("/api/v1/auth/refresh", headers=refresh)
    assert again.status_code == 401 and again.mimetype == "application/problem+json"
    access = {"Authorization": "Bearer " + tokens["access_token"]}
    assert client.get("/api/v1/users/me", headers=access).status_code == 200


def test_logout_refresh_remains_an_alias(client, make_user, headers_for):
    user = make_user("monitor")
    for refresh in (True, False):
        headers = headers_for(user, refresh=refresh)
        assert client.post("/api/v1/auth/logout-refresh", headers=headers).status_code == 204
        assert client.get("/api/v1/users/me", headers=headers_for(user)).status_code == 200
