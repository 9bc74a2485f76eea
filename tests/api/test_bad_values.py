"""Values no field can hold (huge integer literals, lone surrogates) are refused, never a 500."""
import json
import uuid

import pytest

from tests.helpers import hours_ago, iso

PROBLEM = "application/problem+json"
HUGE = "1" * 5000  # past Python's 4,300-digit int conversion limit
SURROGATE = '"\\ud800"'  # a lone UTF-16 surrogate, as JSON text


def post_raw(client, path, text, headers=None):
    """POST a JSON body given as text (so it may hold what json.dumps would never write)."""
    return client.post(path, data=text.encode(), content_type="application/json",
                       headers=headers or {})


def assert_refused(response, statuses=(400, 422)):
    assert response.status_code in statuses, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    return response.get_json()


def test_huge_integer_on_login_is_a_problem(client):
    body = assert_refused(post_raw(client, "/api/v1/auth/login",
                                   '{"email": "a@b.org", "password": ' + HUGE + '}'))
    assert "password" in body.get("errors", {}) or body["status"] == 400


@pytest.mark.parametrize("literal", [HUGE, "-" + HUGE, "1e999", "-1e999"])
def test_out_of_range_numbers_anywhere_are_refused(client, auth, literal):
    text = '{"name": "x", "kind": "police_station", "country": "MX", ' \
           '"timezone": "America/Mexico_City", "extra": {"deep": [' + literal + ']}}'
    body = assert_refused(post_raw(client, "/api/v1/facilities", text, auth("admin", ())))
    assert body["status"] in (400, 422)


def test_non_json_constants_are_malformed(client, auth):
    text = '{"name": NaN}'
    assert assert_refused(post_raw(client, "/api/v1/facilities", text, auth("admin", ())),
                          (400,))["status"] == 400


def test_lone_surrogate_on_login_email_is_422(client):
    body = assert_refused(post_raw(client, "/api/v1/auth/login",
                                   '{"email": ' + SURROGATE + ', "password": "x"}'), (422,))
    assert "email" in body["errors"]


def test_lone_surrogate_in_a_key_is_422(client, auth):
    text = '{"\\udfff": 1}'
    assert_refused(post_raw(client, "/api/v1/facilities", text, auth("admin", ())), (422,))


def test_lone_surrogate_in_facility_name_is_422(client, auth):
    text = ('{"name": ' + SURROGATE + ', "kind": "police_station", "country": "MX", '
            '"timezone": "America/Mexico_City"}')
    body = assert_refused(post_raw(client, "/api/v1/facilities", text, auth("admin", ())), (422,))
    assert "name" in body["errors"]


def test_lone_surrogate_in_arresting_authority_is_422(client, auth, facility):
    body = {"person": {"name": "P", "sex": "female"}, "facility_id": facility()["id"],
            "arrested_at": iso(hours_ago(2)), "arresting_authority": "SURR"}
    text = json.dumps(body).replace('"SURR"', SURROGATE)
    errors = assert_refused(post_raw(client, "/api/v1/detentions", text, auth("admin", ())),
                            (422,))["errors"]
    assert "arresting_authority" in errors


def test_lone_surrogate_in_organisation_name_is_422(client, auth):
    text = '{"name": "ok\\ud83d"}'  # a high surrogate with no low one after it
    assert_refused(post_raw(client, "/api/v1/organizations", text, auth("admin", ())), (422,))


def test_a_valid_surrogate_pair_is_accepted(client, auth):
    text = '{"name": "Red \\ud83d\\ude00"}'  # an escaped pair is one real character
    response = post_raw(client, "/api/v1/organizations", text, auth("admin", ()))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["name"] == "Red \U0001F600"


def _batch_with_bad_items(facility_json):
    good = {"id": str(uuid.uuid4()), "person": {"name": "Good", "age": 30},
            "facility_id": facility_json["id"], "arrested_at": iso(hours_ago(3)),
            "arresting_authority": "police"}
    bad = dict(good, id=str(uuid.uuid4()), arresting_authority="SURR")
    huge = dict(good, id=str(uuid.uuid4()), person={"name": "Huge", "age": 1})
    text = json.dumps({"detentions": [good, None, 7, bad, huge], "events": [None], "visits": []})
    return text.replace('"SURR"', SURROGATE).replace('"age": 1}', '"age": ' + HUGE + '}')


def test_one_bad_sync_item_never_fails_the_batch(client, auth, facility):
    response = post_raw(client, "/api/v1/sync", _batch_with_bad_items(facility()),
                        auth("monitor", ["MX"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["created", "invalid", "invalid", "invalid",
                                              "invalid", "invalid"]
    assert "arresting_authority" in results[3]["errors"]
    assert "person.age" in results[4]["errors"]
    assert results[1]["id"] is None and results[5]["kind"] == "event"
