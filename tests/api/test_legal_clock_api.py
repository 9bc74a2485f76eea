"""The legal clock over HTTP: the capital_offence fact, bases and tracks in every safeguard."""
import pytest

from tests.api.test_detentions import body_for
from tests.helpers import hours_ago, iso


def ng_detention(client, auth, facility, **changes):
    f = facility(country="NG", tz="Africa/Lagos")
    response = client.post("/api/v1/detentions", json=body_for(f, arrested_at=iso(hours_ago(30)), **changes),
                           headers=auth("admin", ()))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def safeguard(view, rule):
    return next(s for s in view["safeguards"] if s["rule"] == rule)


def test_capital_offence_takes_the_case_out_of_the_24_48h_rule(client, auth, facility):
    view = ng_detention(client, auth, facility, capital_offence=True)
    assert view["capital_offence"] is True
    judicial = safeguard(view, "ng.judicial_24h_48h")
    assert judicial["status"] == "not_applicable" and "s.35(7)(a)" in judicial["explanation"]


def test_capital_offence_unknown_keeps_the_strict_limit(client, auth, facility):
    view = ng_detention(client, auth, facility)
    assert view["capital_offence"] is None
    judicial = safeguard(view, "ng.judicial_24h_48h")
    assert judicial["status"] == "overdue"  # 30 h after arrest, court distance unknown: 24 h
    assert "capital_offence unknown" in judicial["explanation"]


@pytest.mark.parametrize("value", ["true", 1, "capital"])
def test_capital_offence_must_be_a_json_boolean(client, auth, facility, value):
    response = client.post("/api/v1/detentions", json=body_for(facility(country="NG", tz="Africa/Lagos"),
                                                                capital_offence=value),
                           headers=auth("admin", ()))
    assert response.status_code == 422 and "capital_offence" in response.get_json()["errors"]


def test_every_safeguard_and_rule_carries_its_basis(client, auth, facility):
    view = ng_detention(client, auth, facility)
    assert {s["basis"] for s in view["safeguards"]} <= {"law", "standard", "threshold"}
    assert safeguard(view, "intl.investigation_threshold_30d")["basis"] == "threshold"
    assert safeguard(view, "intl.investigation_threshold_30d")["track"] == "accountability"
    sets = client.get("/api/v1/rules", headers=auth("partner", ["NG"])).get_json()["items"]
    intl = next(rs for rs in sets if rs["code"] == "intl")
    threshold = next(r for r in intl["rules"] if r["id"] == "intl.investigation_threshold_30d")
    assert threshold["basis"] == "threshold" and threshold["within_hours"] == 720
    assert all(r["basis"] in ("law", "standard", "threshold") for rs in sets for r in rs["rules"])
