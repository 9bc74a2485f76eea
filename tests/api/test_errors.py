"""Every failure is an RFC 9457 problem; no input shape yields a 500."""
import json

import pytest

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"] and body["detail"]
    return body


def test_malformed_json_is_400(client, auth):
    response = client.post("/api/v1/facilities", data="{not json", content_type="application/json",
                           headers=auth("admin", ()))
    assert_problem(response, 400)


def test_body_that_is_not_json_is_415(client, auth):
    response = client.post("/api/v1/facilities", data="name=x", headers=auth("admin", ()),
                           content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415)


def test_unknown_route_is_404_problem(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_wrong_method_is_405_problem(client):
    response = client.delete("/api/v1/facilities")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_oversized_body_is_413(app, client, auth):
    big = json.dumps({"name": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    response = client.post("/api/v1/facilities", data=big, content_type="application/json",
                           headers=auth("admin", ()))
    assert_problem(response, 413)


def test_unknown_id_is_404_problem(client, auth):
    body = assert_problem(client.get("/api/v1/detentions/6f1c8c56-3f0e-4c53-9d5e-0c8f8f0b8e11",
                                     headers=auth("monitor")), 404)
    assert "errors" not in body


def test_validation_problem_lists_fields(client, auth):
    body = assert_problem(client.post("/api/v1/facilities", json={"kind": "castle"},
                                      headers=auth("admin", ())), 422)
    assert {"name", "kind", "country", "timezone"} <= set(body["errors"])
    assert all(isinstance(m, list) and m for m in body["errors"].values())


@pytest.mark.parametrize("payload", [
    [], "text", 42, None, {"person": []}, {"person": {"name": 5}}, {"facility_id": {"a": 1}},
    {"arrested_at": 12}, {"arrested_at": "9999-12-31T23:59:59-14:00"},
    {"arrested_at": "2026-02-30T10:00:00Z"}, {"id": 7}, {"id": "not-a-uuid"},
    {"person": {"name": "x", "birth_date": "0001-01-01"}}, {"person": {"name": "\x00"}},
])
def test_odd_shapes_never_500(client, auth, payload):
    response = client.post("/api/v1/detentions", data=json.dumps(payload),
                           content_type="application/json", headers=auth("admin", ()))
    assert response.status_code in (400, 422)
    assert response.mimetype == PROBLEM


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=abc", "cursor=%%%",
                                   "cursor=bm90LWpzb24", "status=dead", "facility_id=nope",
                                   "country=ZZ", "flagged=maybe"])
def test_bad_query_arguments_are_422(client, auth, query):
    assert_problem(client.get("/api/v1/detentions?" + query, headers=auth("admin", ())), 422)


def test_bad_uuid_in_path_is_404(client, auth):
    assert_problem(client.get("/api/v1/detentions/123", headers=auth("admin", ())), 404)


def test_healthz_needs_no_auth(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok" and "last_sweep_at" in body
