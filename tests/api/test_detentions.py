"""Detentions: create, replay/conflict, juvenile, scope, identities by role, filters."""
import uuid
from datetime import date

import pytest

from tests.helpers import hours_ago, iso


def body_for(facility_json, **changes):
    body = {"person": {"name": "María Pérez", "sex": "female", "birth_date": "1990-05-01",
                       "groups": ["political"]},
            "facility_id": facility_json["id"], "arrested_at": iso(hours_ago(3)),
            "arresting_authority": "Policía Estatal", "grounds": "protest", "notes": "seen bruised"}
    body.update(changes)
    return body


def test_create_records_the_arrest_event(client, auth, facility):
    f = facility()
    response = client.post("/api/v1/detentions", json=body_for(f), headers=auth("monitor", ["MX"]))
    assert response.status_code == 201
    d = response.get_json()
    assert d["status"] == "in_custody" and d["juvenile"] is False
    assert d["facility"]["id"] == f["id"] and d["person"]["name"] == "María Pérez"
    assert [e["type"] for e in d["events"]] == ["arrest"]
    assert d["events"][0]["occurred_at"] == d["arrested_at"] and d["arrested_at"].endswith("Z")
    assert isinstance(d["safeguards"], list) and d["safeguards"]
    assert isinstance(d["flags"], list)


def test_offset_timestamps_are_stored_as_utc(client, auth, facility):
    response = client.post("/api/v1/detentions", json=body_for(
        facility(), arrested_at="2026-03-01T08:15:00-06:00"), headers=auth("admin", ()))
    assert response.get_json()["arrested_at"] == "2026-03-01T14:15:00Z"


def test_naive_or_garbage_timestamps_are_422(client, auth, facility):
    f = facility()
    for value in ["2026-03-01T08:15:00", "yesterday", "2026-03-01", "2026-13-01T00:00:00Z", ""]:
        response = client.post("/api/v1/detentions", json=body_for(f, arrested_at=value),
                               headers=auth("admin", ()))
        assert response.status_code == 422, value
        assert "arrested_at" in response.get_json()["errors"]


def test_arrest_in_the_future_is_422(client, auth, facility):
    response = client.post("/api/v1/detentions", json=body_for(
        facility(), arrested_at=iso(hours_ago(-1))), headers=auth("admin", ()))
    assert response.status_code == 422


def test_unknown_facility_is_422(client, auth, facility):
    response = client.post("/api/v1/detentions", json=body_for(
        {"id": str(uuid.uuid4())}), headers=auth("admin", ()))
    assert response.status_code == 422 and "facility_id" in response.get_json()["errors"]


def test_juvenile_from_birth_date_else_age(client, auth, facility):
    f, headers = facility(), auth("admin", ())
    today = date.today()
    young = body_for(f)
    young["person"]["birth_date"] = date(today.year - 16, 1, 1).isoformat()
    assert client.post("/api/v1/detentions", json=young, headers=headers).get_json()["juvenile"] is True
    by_age = body_for(f)
    by_age["person"] = {"name": "Kid", "age": 17}
    assert client.post("/api/v1/detentions", json=by_age, headers=headers).get_json()["juvenile"] is True
    adult = body_for(f)
    adult["person"] = {"name": "Adult", "age": 18}
    assert client.post("/api/v1/detentions", json=adult, headers=headers).get_json()["juvenile"] is False


def test_replay_is_200_and_different_content_is_409(client, auth, facility):
    f, headers = facility(), auth("monitor", ["MX"])
    body = body_for(f, id=str(uuid.uuid4()))
    first = client.post("/api/v1/detentions", json=body, headers=headers)
    again = client.post("/api/v1/detentions", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    changed = dict(body, notes="different")
    assert client.post("/api/v1/detentions", json=changed, headers=headers).status_code == 409
    listed = client.get("/api/v1/detentions", headers=headers).get_json()["items"]
    assert len(listed) == 1
    full = client.get(f"/api/v1/detentions/{body['id']}", headers=headers).get_json()
    assert full["notes"] == "seen bruised" and len(full["events"]) == 1


def test_scope_hides_other_countries(client, auth, facility, detention):
    ph = facility(country="PH", tz="Asia/Manila")
    d = detention(ph)
    mx_monitor, mx_partner = auth("monitor", ["MX"]), auth("partner", ["MX"])
    for headers in (mx_monitor, mx_partner):
        assert client.get(f"/api/v1/detentions/{d['id']}", headers=headers).status_code == 404
        assert client.get("/api/v1/detentions", headers=headers).get_json()["items"] == []
    assert client.get(f"/api/v1/detentions/{d['id']}", headers=auth("partner", ["PH"])).status_code == 200


def test_an_id_taken_in_another_country_is_not_revealed(client, auth, facility, detention):
    d = detention(facility(country="PH", tz="Asia/Manila"))
    mx_monitor, mx = auth("monitor", ["MX"]), facility()
    body = {"id": d["id"], "person": {"name": "Someone"}, "facility_id": d["facility"]["id"],
            "arrested_at": d["arrested_at"], "arresting_authority": "police"}
    # naming the PH facility: the same 422 any new record naming it gets
    response = client.post("/api/v1/detentions", json=body, headers=mx_monitor)
    assert response.status_code == 422 and "facility_id" in response.get_json()["errors"]
    # naming one of their own: a bare conflict that says nothing of the stored record
    response = client.post("/api/v1/detentions", json=dict(body, facility_id=mx["id"]), headers=mx_monitor)
    assert response.status_code == 409
    assert response.get_json()["detail"] == "The record conflicts with stored data."


def test_partner_sees_no_identity_or_free_text(client, auth, detention):
    d = detention(name="Secret Name")
    view = client.get(f"/api/v1/detentions/{d['id']}", headers=auth("partner", ["MX"])).get_json()
    assert "name" not in view["person"] and "birth_date" not in view["person"]
    assert "notes" not in view and "grounds" not in view
    assert "Secret Name" not in str(view)


def test_researcher_cannot_read_detentions(client, auth, detention):
    d = detention()
    researcher = auth("researcher", ["MX"])
    assert client.get(f"/api/v1/detentions/{d['id']}", headers=researcher).status_code == 403
    assert client.get("/api/v1/detentions", headers=researcher).status_code == 403


def test_list_filters(client, auth, facility, detention):
    headers = auth("admin", ())
    mx, ke = facility(), facility(country="KE", tz="Africa/Nairobi")
    a, b = detention(mx), detention(ke)
    client.post(f"/api/v1/detentions/{b['id']}/events", headers=headers,
                json={"type": "release", "occurred_at": iso(hours_ago(1))})
    def ids(query):
        return {d["id"] for d in client.get("/api/v1/detentions?" + query, headers=headers)
                .get_json()["items"]}
    assert ids("country=KE") == {b["id"]}
    assert ids("status=released") == {b["id"]}
    assert ids("status=in_custody") == {a["id"]}
    assert ids(f"facility_id={mx['id']}") == {a["id"]}
    listed = client.get("/api/v1/detentions", headers=headers).get_json()["items"]
    assert all("events" not in d and "safeguards" in d for d in listed)


@pytest.mark.parametrize("field,value", [
    ("age", "17"), ("age", 17.5), ("age", 17.0), ("age", True),
    ("groups", ["Minority"]), ("groups", ["=HYPERLINK(\"http://x\")"]), ("groups", ["12 Main St"]),
    ("groups", ["political\n"]), ("groups", ["a" * 41]), ("groups", [""]), ("groups", ["_x"]),
    ("groups", ["ana_lopez_tel_5255512345"]), ("groups", ["group_2"]), ("groups", [7]),
])
def test_person_fields_keep_their_json_type_and_shape(client, auth, facility, field, value):
    body = body_for(facility())
    body["person"] = dict(body["person"], **{field: value})
    response = client.post("/api/v1/detentions", json=body, headers=auth("admin", ()))
    assert response.status_code == 422
    assert any(key.startswith(f"person.{field}") for key in response.get_json()["errors"])


@pytest.mark.parametrize("value", ["true", "yes", 1, 0])
def test_organised_crime_must_be_a_json_boolean(client, auth, facility, value):
    response = client.post("/api/v1/detentions", json=body_for(facility(), organised_crime=value),
                           headers=auth("admin", ()))
    assert response.status_code == 422 and "organised_crime" in response.get_json()["errors"]


def test_groups_of_the_closed_list_and_integer_age_are_accepted(client, auth, facility):
    body = body_for(facility())
    body["person"] = dict(body["person"], age=17, birth_date=None,
                          groups=["foreign_national", "lgbti", "journalist", "lgbti"])
    response = client.post("/api/v1/detentions", json=body, headers=auth("admin", ()))
    assert response.status_code == 201
    assert response.get_json()["person"]["groups"] == ["foreign_national", "journalist", "lgbti"]


def test_query_string_booleans_and_integers_stay_lenient(client, auth, detention):
    made, headers = detention(), auth("admin", ())
    found = []
    for flagged in ("true", "false", "1", "0"):
        response = client.get(f"/api/v1/detentions?flagged={flagged}&limit=50", headers=headers)
        assert response.status_code == 200
        found += [d["id"] for d in response.get_json()["items"]]
    assert found == [made["id"]] * 2


def test_a_created_record_says_where_it_lives(client, auth, detention):
    headers = auth("admin", ())
    d = detention()
    body = {"person": {"name": "Someone"}, "facility_id": d["facility"]["id"],
            "arrested_at": d["arrested_at"], "arresting_authority": "police"}
    created = client.post("/api/v1/detentions", json=body, headers=headers)
    assert created.status_code == 201
    location = created.headers["Location"]
    assert location.endswith(f"/api/v1/detentions/{created.get_json()['id']}")
    assert client.get(location, headers=headers).status_code == 200
    f = client.post("/api/v1/facilities", headers=headers, json={
        "name": "F", "kind": "prison", "country": "MX", "timezone": "America/Mexico_City"})
    assert f.headers["Location"].endswith(f"/api/v1/facilities/{f.get_json()['id']}")
