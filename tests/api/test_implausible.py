"""What cannot be true is refused with a clear 422 on its field."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from monitor.services.custody.detentions import age_at
from tests.helpers import hours_ago, iso

FAR_FUTURE = "9998-06-01T10:00:00Z"


def post_event(client, headers, detention_json, type_, details, when=None):
    return client.post(f"/api/v1/detentions/{detention_json['id']}/events", headers=headers, json={
        "type": type_, "occurred_at": iso(when or hours_ago(1)), "source": "monitor_observation",
        "details": details})


def errors_of(response):
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]


@pytest.mark.parametrize("ended", [FAR_FUTURE, lambda: iso(datetime.now(timezone.utc) + timedelta(hours=2))])
def test_an_interrogation_ending_in_the_future_is_refused(client, auth, detention, ended):
    headers = auth("admin", ())
    details = {"lawyer_present": True, "ended_at": ended if isinstance(ended, str) else ended()}
    errors = errors_of(post_event(client, headers, detention(), "interrogation", details))
    assert "details.ended_at" in errors


def test_an_interrogation_that_has_ended_is_accepted(client, auth, detention):
    details = {"lawyer_present": True, "ended_at": iso(hours_ago(0.5))}
    response = post_event(client, auth("admin", ()), detention(), "interrogation", details)
    assert response.status_code == 201, response.get_json()


def test_a_visit_ending_in_the_future_is_refused(client, auth, facility):
    body = {"facility_id": facility()["id"], "started_at": iso(hours_ago(1)), "ended_at": FAR_FUTURE,
            "access": "full"}
    assert "ended_at" in errors_of(client.post("/api/v1/visits", json=body, headers=auth("admin", ())))
    body["ended_at"] = iso(hours_ago(0.2))
    assert client.post("/api/v1/visits", json=body, headers=auth("admin", ())).status_code == 201


def _detention_body(facility_json, arrested, **person):
    return {"person": {"name": "P", "sex": "female", **person}, "facility_id": facility_json["id"],
            "arrested_at": iso(arrested), "arresting_authority": "Policía"}


def test_a_birth_date_contradicting_the_age_is_refused(client, auth, facility):
    arrested, birth = hours_ago(3), date(2009, 7, 1)
    f = facility()  # America/Mexico_City
    computed = age_at(birth, arrested, "America/Mexico_City")
    body = _detention_body(f, arrested, birth_date=birth.isoformat(), age=computed + 20)
    errors = errors_of(client.post("/api/v1/detentions", json=body, headers=auth("admin", ())))
    assert "person.age" in errors
    agreeing = _detention_body(f, arrested, birth_date=birth.isoformat(), age=computed)
    response = client.post("/api/v1/detentions", json=agreeing, headers=auth("admin", ()))
    assert response.status_code == 201, response.get_json()


def test_an_arrest_decades_ago_is_refused(client, auth, facility):
    f = facility()
    old = datetime.now(timezone.utc) - timedelta(days=365 * 30)
    assert "arrested_at" in errors_of(client.post(
        "/api/v1/detentions", json=_detention_body(f, old), headers=auth("admin", ())))
    recent = datetime.now(timezone.utc) - timedelta(days=365 * 2)
    assert client.post("/api/v1/detentions", json=_detention_body(f, recent),
                       headers=auth("admin", ())).status_code == 201


def test_a_transfer_to_the_facility_the_person_is_in_is_refused(client, auth, facility, detention):
    headers = auth("admin", ())
    here, there = facility(), facility()
    d = detention(here, arrested=hours_ago(5))
    same = post_event(client, headers, d, "transfer", {"to_facility_id": here["id"]}, hours_ago(4))
    assert "details.to_facility_id" in errors_of(same)
    moved = post_event(client, headers, d, "transfer", {"to_facility_id": there["id"]}, hours_ago(3))
    assert moved.status_code == 201, moved.get_json()
    again = post_event(client, headers, d, "transfer", {"to_facility_id": there["id"]}, hours_ago(2))
    assert "details.to_facility_id" in errors_of(again)
    # judged at the event's time: before the move the person was still `here`
    back_then = post_event(client, headers, d, "transfer", {"to_facility_id": there["id"]}, hours_ago(3.5))
    assert back_then.status_code == 201, back_then.get_json()


@pytest.mark.parametrize("path", ["/api/v1/visits", "/api/v1/sync"])
def test_a_visit_started_decades_ago_is_refused(client, auth, facility, path):
    headers = auth("monitor", ["MX"])
    visit = {"id": str(uuid.uuid4()), "facility_id": facility()["id"], "started_at": "1900-01-01T00:00:00Z",
             "access": "full"}
    if path.endswith("sync"):
        r = client.post(path, json={"visits": [visit]}, headers=headers)
        result = r.get_json()["results"][0]
        assert result["status"] == "invalid" and "started_at" in result["errors"], result
    else:
        r = client.post(path, json=visit, headers=headers)
        assert r.status_code == 422 and "started_at" in errors_of(r)
