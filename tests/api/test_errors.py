"""Every failure is an RFC 9457 problem; no input shape yields a 500."""
import base64
import io
import json
import uuid

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


def cursor_of(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize("value", [
    ["2026-01-01T00:00:00+00:00", 5], ["0001-01-01T00:00:00+01:00", str(uuid.uuid4())],
    ["9999-12-31T23:59:59-01:00", str(uuid.uuid4())], [5, str(uuid.uuid4())], {"a": 1, "b": 2},
])
def test_odd_list_cursors_are_422(client, auth, value):
    body = assert_problem(client.get("/api/v1/detentions?cursor=" + cursor_of(value),
                                     headers=auth("admin", ())), 422)
    assert "cursor" in body["errors"]


@pytest.mark.parametrize("cursor", ["9223372036854775808", "1" * 30, "-1", "+1", "1_0"])
def test_out_of_range_audit_cursor_is_422(client, auth, cursor):
    body = assert_problem(client.get("/api/v1/audit?cursor=" + cursor, headers=auth("admin", ())), 422)
    assert "cursor" in body["errors"]


@pytest.mark.parametrize("payload", [
    "[" * 100000 + "]" * 100000,
    '{"person":' + '{"a":' * 30000 + "1" + "}" * 30001,
])
def test_deeply_nested_json_is_400(client, auth, payload):
    response = client.post("/api/v1/detentions", data=payload, content_type="application/json",
                           headers=auth("admin", ()))
    assert assert_problem(response, 400)["detail"] == "The body is not valid JSON."


@pytest.mark.parametrize("path", ["/api/v1/detentions", "/api/v1/sync"])
def test_empty_json_body_is_400(client, auth, path):
    response = client.post(path, data="", content_type="application/json", headers=auth("admin", ()))
    assert assert_problem(response, 400)["detail"] == "The body is not valid JSON."


def test_endpoints_without_a_body_accept_an_empty_one(client, make_user, headers_for):
    user = make_user("monitor")
    refresh = client.post("/api/v1/auth/refresh", data="", content_type="application/json",
                          headers=headers_for(user, refresh=True))
    assert refresh.status_code == 200
    logout = client.post("/api/v1/auth/logout", data="", content_type="application/json",
                         headers=headers_for(user))
    assert logout.status_code == 204


def chunked(client, headers, body):
    """POST /sync with a body of unknown length, as gunicorn hands over Transfer-Encoding: chunked."""
    return client.post("/api/v1/sync", input_stream=io.BytesIO(body), content_type="application/json",
                       headers=dict(headers, **{"Transfer-Encoding": "chunked"}),
                       environ_overrides={"wsgi.input_terminated": True})


def test_oversized_chunked_body_is_413(app, client, auth):
    headers = auth("admin", ())
    item = {"id": str(uuid.uuid4()), "note": "x" * 1000}
    big = json.dumps({"detentions": [item] * (app.config["MAX_CONTENT_LENGTH"] // 1000 + 100)})
    # With Transfer-Encoding: chunked the length is unknown (any Content-Length is ignored).
    assert chunked(client, headers, b"{}").request.content_length is None
    too_large = assert_problem(chunked(client, headers, big.encode()), 413)
    over_length = client.post("/api/v1/sync", data=big, content_type="application/json", headers=headers)
    assert too_large == assert_problem(over_length, 413)


def test_chunked_body_within_the_limit_is_read(client, auth):
    response = chunked(client, auth("admin", ()), b'{"detentions": []}')
    assert response.status_code == 200 and response.get_json() == {"results": []}
