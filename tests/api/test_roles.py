"""The role × endpoint matrix: who may call what (status codes only)."""
import uuid

import pytest

from tests.helpers import hours_ago, iso

ROLES = ("admin", "monitor", "partner", "researcher")


@pytest.fixture
def world(client, auth, facility, detention, make_user):
    """One MX facility and detention, plus a user to patch."""
    f = facility()
    d = detention(f)
    return {"facility": f["id"], "detention": d["id"], "user": str(make_user("monitor").id)}


def _requests(world):
    f, d, u = world["facility"], world["detention"], world["user"]
    fac = {"name": "N", "kind": "prison", "country": "MX", "timezone": "America/Mexico_City"}
    det = {"person": {"name": "P"}, "facility_id": f, "arrested_at": iso(hours_ago(1)),
           "arresting_authority": "x"}
    event = {"type": "rights_notified", "occurred_at": iso(hours_ago(0.5))}
    user = {"email": f"{uuid.uuid4().hex}@example.org", "password": "p" * 12, "role": "partner"}
    # (name, method, path, body, allowed roles, success status)
    return [
        ("create facility", "post", "/api/v1/facilities", fac, {"admin", "monitor"}, 201),
        ("list facilities", "get", "/api/v1/facilities", None, {"admin", "monitor", "partner"}, 200),
        ("get facility", "get", f"/api/v1/facilities/{f}", None, {"admin", "monitor", "partner"}, 200),
        ("create detention", "post", "/api/v1/detentions", det, {"admin", "monitor"}, 201),
        ("list detentions", "get", "/api/v1/detentions", None, {"admin", "monitor", "partner"}, 200),
        ("get detention", "get", f"/api/v1/detentions/{d}", None, {"admin", "monitor", "partner"}, 200),
        ("safeguards", "get", f"/api/v1/detentions/{d}/safeguards", None,
         {"admin", "monitor", "partner"}, 200),
        ("events", "get", f"/api/v1/detentions/{d}/events", None, {"admin", "monitor", "partner"}, 200),
        ("add event", "post", f"/api/v1/detentions/{d}/events", event, {"admin", "monitor"}, 201),
        ("me", "get", "/api/v1/users/me", None, set(ROLES), 200),
        ("create user", "post", "/api/v1/users", user, {"admin"}, 201),
        ("list users", "get", "/api/v1/users", None, {"admin"}, 200),
        ("patch user", "patch", f"/api/v1/users/{u}", {"countries": ["MX"]}, {"admin"}, 200),
        ("get user", "get", f"/api/v1/users/{u}", None, {"admin"}, 200),
        ("create organisation", "post", "/api/v1/organizations", {"name": uuid.uuid4().hex},
         {"admin"}, 201),
        ("list organisations", "get", "/api/v1/organizations", None, {"admin"}, 200),
        ("rules", "get", "/api/v1/rules", None, set(ROLES), 200),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, auth, world, role):
    headers = auth(role, ["MX"])
    failures = []
    for name, method, path, body, allowed, ok in _requests(world):
        if method == "post" and name == "create user":
            body = dict(body, email=f"{uuid.uuid4().hex}@example.org")
        response = getattr(client, method)(path, json=body, headers=headers)
        expected = ok if role in allowed else 403
        if response.status_code != expected:
            failures.append((name, response.status_code, expected))
    assert failures == []


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_needs_a_token(client, world, role):
    for name, method, path, body, _, _ in _requests(world):
        response = getattr(client, method)(path, json=body)
        assert response.status_code == 401, name
