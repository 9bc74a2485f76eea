"""Flags over HTTP: in detentions, `flagged=true`, acknowledge, dismiss, rules listing."""
from datetime import datetime, timezone

from monitor.services.evaluation.sweep import sweep
from tests.helpers import hours_ago


def test_flags_show_on_the_detention_and_filter(client, auth, detention):
    admin = auth("admin", ())
    late = detention(arrested=hours_ago(60))
    fresh = detention(arrested=hours_ago(0.1))
    sweep(datetime.now(timezone.utc))
    view = client.get(f"/api/v1/detentions/{late['id']}", headers=admin).get_json()
    assert {f["safeguard"] for f in view["flags"]} >= {"judicial_review"}
    flag = view["flags"][0]
    assert set(flag) >= {"id", "detention_id", "rule", "safeguard", "severity", "country", "facility_id",
                         "status", "resolution", "due_at", "raised_at", "updated_at"}
    flagged = client.get("/api/v1/detentions?flagged=true", headers=admin).get_json()["items"]
    assert [d["id"] for d in flagged] == [late["id"]]
    unflagged = client.get("/api/v1/detentions?flagged=false", headers=admin).get_json()["items"]
    assert [d["id"] for d in unflagged] == [fresh["id"]]
    statuses = {s["safeguard"]: s["status"] for s in view["safeguards"] if s["severity"] == "high"}
    assert statuses["judicial_review"] == "overdue"


def test_acknowledge_and_dismiss_over_http(client, auth, detention):
    d = detention(arrested=hours_ago(60))
    sweep(datetime.now(timezone.utc))
    flag = client.get(f"/api/v1/detentions/{d['id']}", headers=auth("admin", ())).get_json()["flags"][0]
    partner = auth("partner", ["MX"])
    ack = client.post(f"/api/v1/flags/{flag['id']}/acknowledge", json={"note": "on it"}, headers=partner)
    assert ack.status_code == 200 and ack.get_json()["status"] == "acknowledged"
    assert client.post(f"/api/v1/flags/{flag['id']}/dismiss", json={"reason": "x"},
                       headers=partner).status_code == 403
    assert client.post(f"/api/v1/flags/{flag['id']}/dismiss", json={},
                       headers=auth("admin", ())).status_code == 422
    dismissed = client.post(f"/api/v1/flags/{flag['id']}/dismiss", json={"reason": "error"},
                            headers=auth("admin", ()))
    assert dismissed.get_json()["resolution"] == "dismissed"
    assert client.post(f"/api/v1/flags/{flag['id']}/acknowledge", json={},
                       headers=partner).status_code == 409
    assert client.post(f"/api/v1/flags/{flag['id']}/acknowledge", json={},
                       headers=auth("partner", ["KE"])).status_code == 404


def test_safeguards_endpoint_lists_applicable_rules(client, auth, detention):
    d = detention(arrested=hours_ago(3))
    body = client.get(f"/api/v1/detentions/{d['id']}/safeguards", headers=auth("monitor", ["MX"])).get_json()
    items = body["items"]
    assert body["next_cursor"] is None
    rules = {s["rule"] for s in items}
    assert any(r.startswith("mx.") for r in rules) and any(r.startswith("intl.") for r in rules)
    for s in items:
        assert s["status"] in ("met", "met_late", "pending", "overdue", "violated", "not_applicable")
        assert s["citation"] and s["safeguard"]
    judicial = [s for s in items if s["safeguard"] == "judicial_review" and s["rule"].startswith("mx.")]
    assert judicial[0]["status"] == "pending" and judicial[0]["due_at"].endswith("Z")


def test_rules_listing(client, auth):
    body = client.get("/api/v1/rules", headers=auth("researcher", [])).get_json()
    codes = {rs["code"] for rs in body["items"]}
    assert {"intl", "gb", "mx", "ph", "ng", "ke", "uz", "ma", "cm", "kz"} <= codes
    for rule_set in body["items"]:
        for rule in rule_set["rules"]:
            assert rule["id"].startswith(rule_set["code"] + ".")
            assert {"safeguard", "kind", "trigger", "satisfied_by", "within_hours", "applies_to",
                    "severity", "citation", "confidence"} <= set(rule)
            assert rule["kind"] in ("deadline", "condition", "recurring")
