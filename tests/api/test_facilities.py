"""Facilities: validation, idempotent create, scope, pagination."""
import uuid

BASE = {"name": "Estación Centro", "kind": "police_station", "country": "MX",
        "timezone": "America/Mexico_City", "jurisdiction": "mx"}


def test_create_and_read(client, auth):
    headers = auth("monitor", ["MX"])
    created = client.post("/api/v1/facilities", json=BASE, headers=headers)
    assert created.status_code == 201
    body = created.get_json()
    uuid.UUID(body["id"])
    assert {k: body[k] for k in BASE} == BASE
    assert client.get(f"/api/v1/facilities/{body['id']}", headers=headers).get_json() == body


def test_jurisdiction_defaults_to_the_country_set_or_intl(client, auth):
    headers = auth("admin", ())
    mx = dict(BASE)
    mx.pop("jurisdiction")
    assert client.post("/api/v1/facilities", json=mx, headers=headers).get_json()["jurisdiction"] == "mx"
    fr = dict(mx, country="FR", timezone="Europe/Paris")
    assert client.post("/api/v1/facilities", json=fr, headers=headers).get_json()["jurisdiction"] == "intl"


def test_unknown_country_timezone_or_jurisdiction_is_422(client, auth):
    headers = auth("admin", ())
    for field, value in [("country", "XX"), ("timezone", "Mars/Olympus"), ("jurisdiction", "zz"),
                         ("kind", "castle"), ("jurisdiction", "ke")]:
        response = client.post("/api/v1/facilities", json=dict(BASE, **{field: value}), headers=headers)
        assert response.status_code == 422, (field, value)
        assert field in response.get_json()["errors"]


def test_same_id_same_content_is_200_different_is_409(client, auth):
    headers = auth("monitor", ["MX"])
    body = dict(BASE, id=str(uuid.uuid4()))
    assert client.post("/api/v1/facilities", json=body, headers=headers).status_code == 201
    replay = client.post("/api/v1/facilities", json=body, headers=headers)
    assert replay.status_code == 200 and replay.get_json()["id"] == body["id"]
    conflict = client.post("/api/v1/facilities", json=dict(body, name="Other"), headers=headers)
    assert conflict.status_code == 409 and conflict.mimetype == "application/problem+json"
    assert len(client.get("/api/v1/facilities", headers=headers).get_json()["items"]) == 1


def test_out_of_scope_facilities_are_invisible(client, auth):
    admin = auth("admin", ())
    ph = client.post("/api/v1/facilities", json=dict(BASE, country="PH", timezone="Asia/Manila",
                                                      jurisdiction="ph"), headers=admin).get_json()
    monitor = auth("monitor", ["MX"])
    assert client.get(f"/api/v1/facilities/{ph['id']}", headers=monitor).status_code == 404
    assert client.get("/api/v1/facilities", headers=monitor).get_json()["items"] == []
    create = client.post("/api/v1/facilities", json=dict(BASE, country="PH", timezone="Asia/Manila",
                                                          jurisdiction="ph"), headers=monitor)
    assert create.status_code == 422


def test_pagination_with_cursor_and_link_header(client, auth):
    headers = auth("admin", ())
    ids = [client.post("/api/v1/facilities", json=dict(BASE, name=f"F{i}"), headers=headers)
           .get_json()["id"] for i in range(5)]
    first = client.get("/api/v1/facilities?limit=2", headers=headers)
    body = first.get_json()
    assert [f["id"] for f in body["items"]] == ids[:2] and body["next_cursor"]
    assert 'rel="next"' in first.headers["Link"] and "cursor=" in first.headers["Link"]
    # an insert between pages neither repeats nor skips anything
    late = client.post("/api/v1/facilities", json=dict(BASE, name="late"), headers=headers).get_json()
    seen, cursor = [f["id"] for f in body["items"]], body["next_cursor"]
    while cursor:
        page = client.get(f"/api/v1/facilities?limit=2&cursor={cursor}", headers=headers).get_json()
        seen += [f["id"] for f in page["items"]]
        cursor = page["next_cursor"]
    assert seen == ids + [late["id"]]
    last = client.get("/api/v1/facilities?limit=500", headers=headers)
    assert last.get_json()["next_cursor"] is None and "Link" not in last.headers


def test_court_within_40km_must_be_a_json_boolean(client, auth):
    headers = auth("admin", ())
    for value in ("yes", "false", 1):
        response = client.post("/api/v1/facilities", json=dict(BASE, court_within_40km=value),
                               headers=headers)
        assert response.status_code == 422 and "court_within_40km" in response.get_json()["errors"]
