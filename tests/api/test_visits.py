"""Visits: create, replay, validation, filters, denied visits kept, links to detentions."""
import uuid

from tests.helpers import hours_ago, iso


def visit_body(facility_json, **changes):
    body = {"facility_id": facility_json["id"], "started_at": iso(hours_ago(3)),
            "ended_at": iso(hours_ago(2)), "access": "partial", "register_checked": True,
            "detainees_interviewed": 4, "summary": "Cells overcrowded"}
    body.update(changes)
    return body


def test_create_replay_conflict(client, auth, facility, detention):
    f = facility()
    d = detention(f)
    headers = auth("monitor", ["MX"])
    body = visit_body(f, id=str(uuid.uuid4()), detention_ids=[d["id"]])
    first = client.post("/api/v1/visits", json=body, headers=headers)
    assert first.status_code == 201
    visit = first.get_json()
    assert visit["detention_ids"] == [d["id"]] and visit["summary"] == "Cells overcrowded"
    assert client.post("/api/v1/visits", json=body, headers=headers).status_code == 200
    assert client.post("/api/v1/visits", json=dict(body, access="full"), headers=headers).status_code == 409


def test_end_before_start_is_422(client, auth, facility):
    response = client.post("/api/v1/visits", json=visit_body(
        facility(), started_at=iso(hours_ago(1)), ended_at=iso(hours_ago(2))), headers=auth("admin", ()))
    assert response.status_code == 422 and "ended_at" in response.get_json()["errors"]


def test_bad_access_facility_and_detention_are_422(client, auth, facility):
    f, headers = facility(), auth("admin", ())
    cases = [({"access": "sneaked"}, "access"), ({"facility_id": str(uuid.uuid4())}, "facility_id"),
             ({"detention_ids": [str(uuid.uuid4())]}, "detention_ids"),
             ({"started_at": "2026-01-01T10:00:00"}, "started_at")]
    for change, field in cases:
        response = client.post("/api/v1/visits", json=visit_body(f, **change), headers=headers)
        assert response.status_code == 422 and field in response.get_json()["errors"], change


def test_denied_visits_are_kept_and_filterable(client, auth, facility):
    f, g = facility(), facility()
    headers = auth("monitor", ["MX"])
    client.post("/api/v1/visits", json=visit_body(f, access="denied", detainees_interviewed=0), headers=headers)
    client.post("/api/v1/visits", json=visit_body(g, started_at=iso(hours_ago(30)),
                                                  ended_at=iso(hours_ago(29))), headers=headers)
    denied = client.get("/api/v1/visits?access=denied", headers=headers).get_json()["items"]
    assert [v["facility_id"] for v in denied] == [f["id"]]
    by_facility = client.get(f"/api/v1/visits?facility_id={g['id']}", headers=headers).get_json()["items"]
    assert len(by_facility) == 1
    since = iso(hours_ago(10)).replace("+00:00", "Z")
    recent = client.get(f"/api/v1/visits?from={since}", headers=headers).get_json()["items"]
    assert [v["facility_id"] for v in recent] == [f["id"]]
    naive = client.get("/api/v1/visits?from=2026-01-01T00:00:00", headers=headers)
    assert naive.status_code == 422


def test_visits_are_for_monitors_and_admins_in_scope(client, auth, facility):
    f = facility()
    client.post("/api/v1/visits", json=visit_body(f), headers=auth("admin", ()))
    assert client.get("/api/v1/visits", headers=auth("monitor", ["PH"])).get_json()["items"] == []
    for role in ("partner", "researcher"):
        assert client.get("/api/v1/visits", headers=auth(role, ["MX"])).status_code == 403
        assert client.post("/api/v1/visits", json=visit_body(f), headers=auth(role, ["MX"])).status_code == 403


def test_body_booleans_and_integers_are_not_coerced(client, auth, facility):
    f, headers = facility(), auth("admin", ())
    for change in ({"register_checked": "no"}, {"register_checked": 0},
                   {"detainees_interviewed": "3"}, {"detainees_interviewed": 3.5},
                   {"detainees_interviewed": True}):
        response = client.post("/api/v1/visits", json=visit_body(f, **change), headers=headers)
        assert response.status_code == 422 and set(change) <= set(response.get_json()["errors"]), change
