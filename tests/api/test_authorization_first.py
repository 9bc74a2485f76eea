"""Authorization before validation: a forbidden role gets 403 whatever body or query it sent."""
import re
import uuid

import pytest

from monitor.services.access import EVERYONE, POLICY

WRITES = {"POST", "PATCH", "PUT", "DELETE"}
UNAUTHENTICATED = {"auth.login"}


def _authenticated_endpoints(app):
    """(endpoint, method, path) of every authenticated API route, path ids filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "takes_write_lock_after_auth", False):
            continue
        path = re.sub(r"<[^>]+>", lambda m: str(uuid.uuid4()), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, path))
    return found


def test_every_authenticated_write_endpoint_is_in_the_policy_table(app):
    writes = {(e, m) for e, m, _ in _authenticated_endpoints(app) if m in WRITES}
    assert writes, "no write endpoint found: the walk is broken"
    missing = sorted(e for e, _ in writes if e not in POLICY)
    assert missing == []


@pytest.mark.parametrize("body", ['{"unexpected": [1, 2', '{"unexpected": 1, "email": 5}', "[]"])
def test_forbidden_roles_get_403_before_their_body_is_read(app, client, auth, body):
    failures, checked = [], 0
    headers = {role: auth(role, ["MX"]) for role in EVERYONE}
    for endpoint, method, path in _authenticated_endpoints(app):
        if method not in WRITES:
            continue
        for role in set(EVERYONE) - set(POLICY[endpoint]):
            response = client.open(path, method=method, data=body,
                                   headers={**headers[role], "Content-Type": "application/json"})
            checked += 1
            if response.status_code != 403:
                failures.append((endpoint, role, response.status_code))
    assert checked >= 20
    assert failures == []


def test_forbidden_roles_get_403_before_their_query_is_read(app, client, auth):
    failures, checked = [], 0
    headers = {role: auth(role, ["MX"]) for role in EVERYONE}
    for endpoint, method, path in _authenticated_endpoints(app):
        if method != "GET" or endpoint not in POLICY:
            continue
        for role in set(EVERYONE) - set(POLICY[endpoint]):
            response = client.get(path + "?limit=zero&cursor=%00&since=!&country=1",
                                  headers=headers[role])
            checked += 1
            if response.status_code != 403:
                failures.append((endpoint, role, response.status_code))
    assert checked >= 10
    assert failures == []


def test_researcher_posting_a_malformed_user_gets_403(client, auth):
    response = client.post("/api/v1/users", json={"email": 3}, headers=auth("researcher", ()))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_the_media_type_is_checked_after_authorization(client, auth, make_user, headers_for):
    text = {"Content-Type": "text/plain"}
    anonymous = client.post("/api/v1/users", data="x", headers=text)
    assert anonymous.status_code == 401
    forbidden = client.post("/api/v1/users", data="x", headers={**auth("researcher", ()), **text})
    assert forbidden.status_code == 403
    allowed = client.post("/api/v1/users", data="x", headers={**auth("admin", ()), **text})
    assert allowed.status_code == 415
    login = client.post("/api/v1/auth/login", data="x", headers=text)
    assert login.status_code == 415


@pytest.mark.parametrize("coding, body", [("gzip", b"\x1f\x8b garbage"), ("br", b"anything")])
def test_a_body_coding_is_looked_at_only_after_the_token_and_the_role(client, auth, coding, body):
    headers = {"Content-Type": "application/json", "Content-Encoding": coding}
    anonymous = client.post("/api/v1/users", data=body, headers=headers)
    assert anonymous.status_code == 401
    forbidden = client.post("/api/v1/users", data=body, headers={**headers, **auth("researcher")})
    assert forbidden.status_code == 403
    allowed = client.post("/api/v1/users", data=body, headers={**headers, **auth("admin")})
    assert allowed.status_code == (400 if coding == "gzip" else 415)
    assert "zlib" not in allowed.get_json()["detail"] and "Error -3" not in allowed.get_json()["detail"]
