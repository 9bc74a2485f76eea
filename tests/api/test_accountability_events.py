"""After custody (issue 15): accountability events are accepted before or after release."""
from tests.api.test_events import errors_of, post_event  # noqa: F401  (fixture)

# ruff: noqa: F811  (pytest fixtures arrive as parameters named like the imported fixture)
from tests.helpers import hours_ago, iso

AFTER_CUSTODY = [
    ("complaint_filed", {"by": "family", "to": "prosecutor"}),
    ("investigation_opened", {"body": "Fiscalía Especializada", "independent": True}),
    ("forensic_report", {"examiner": "independent", "consistency": "highly_consistent",
                         "findings": "bruising on both wrists"}),
    ("prosecution_opened", {}),
    ("evidence_ruling", {"confession_admitted": False}),
    ("charge_filed", {}),
    ("case_closed", {"outcome": "conviction"}),
]


def test_accountability_events_are_accepted_after_release(post_event, detention, client, auth):
    d = detention(arrested=hours_ago(10))
    assert post_event(d["id"], type="release", occurred_at=iso(hours_ago(9))).status_code == 201
    for n, (kind, details) in enumerate(AFTER_CUSTODY):
        response = post_event(d["id"], type=kind, details=details,
                              occurred_at=iso(hours_ago(8 - n)))
        assert response.status_code == 201, (kind, response.get_json())
    view = client.get(f"/api/v1/detentions/{d['id']}", headers=auth("admin", ())).get_json()
    assert view["status"] == "released"
    assert [e["type"] for e in view["events"]][-7:] == [k for k, _ in AFTER_CUSTODY]


def test_custody_events_after_release_are_still_refused(post_event, detention):
    d = detention(arrested=hours_ago(10))
    assert post_event(d["id"], type="release", occurred_at=iso(hours_ago(9))).status_code == 201
    for kind, details in [("interrogation", {"lawyer_present": True}), ("rights_notified", {}),
                          ("transfer", {"to_facility_id": d["facility_id"]})]:
        assert "occurred_at" in errors_of(post_event(d["id"], type=kind, details=details,
                                                     occurred_at=iso(hours_ago(2))))


def test_an_allegation_and_a_hearing_are_accepted_after_release(post_event, detention):
    d = detention(arrested=hours_ago(10))
    assert post_event(d["id"], type="release", occurred_at=iso(hours_ago(9))).status_code == 201
    assert post_event(d["id"], type="ill_treatment_alleged", details={"methods": ["beating"]},
                      occurred_at=iso(hours_ago(5))).status_code == 201
    assert post_event(d["id"], type="judicial_appearance", details={"ill_treatment_reported": True},
                      occurred_at=iso(hours_ago(3))).status_code == 201


def test_release_may_precede_a_recorded_complaint_but_not_a_custody_event(post_event, detention):
    d = detention(arrested=hours_ago(10))
    assert post_event(d["id"], type="complaint_filed", details={"by": "lawyer", "to": "court"},
                      occurred_at=iso(hours_ago(2))).status_code == 201
    assert post_event(d["id"], type="release", occurred_at=iso(hours_ago(5))).status_code == 201
    other = detention(arrested=hours_ago(10))
    assert post_event(other["id"], type="rights_notified", occurred_at=iso(hours_ago(2))).status_code == 201
    assert "occurred_at" in errors_of(post_event(other["id"], type="release", occurred_at=iso(hours_ago(5))))


def test_accountability_details_are_validated(post_event, detention):
    d = detention(arrested=hours_ago(10))
    bad = [("complaint_filed", {"by": "neighbour", "to": "court"}, "by"),
           ("forensic_report", {"examiner": "independent", "consistency": "probable"}, "consistency"),
           ("case_closed", {"outcome": "pardon"}, "outcome"),
           ("evidence_ruling", {"confession_admitted": "yes"}, "confession_admitted"),
           ("investigation_opened", {"body": "x"}, "independent"),
           ("judicial_appearance", {"ill_treatment_reported": 1}, "ill_treatment_reported")]
    for kind, details, field in bad:
        errors = errors_of(post_event(d["id"], type=kind, details=details))
        assert f"details.{field}" in errors, (kind, errors)


def test_investigating_body_and_findings_are_hidden_from_partners(post_event, detention, client, auth):
    d = detention(arrested=hours_ago(10))
    assert post_event(d["id"], type="forensic_report", details={
        "examiner": "state_forensic", "consistency": "typical_of", "findings": "fractured rib"},
    ).status_code == 201
    headers = auth("partner", ["MX"])
    response = client.get(f"/api/v1/detentions/{d['id']}", headers=headers)
    assert response.status_code == 200
    report = [e for e in response.get_json()["events"] if e["type"] == "forensic_report"][0]
    assert "findings" not in report["details"]
    assert report["details"]["consistency"] == "typical_of"


def test_sync_accepts_accountability_events_after_release_in_any_order(client, auth, facility):
    import uuid
    headers, f = auth("monitor", ["MX"]), facility()
    did = str(uuid.uuid4())
    batch = {"detentions": [{"id": did, "person": {"name": "X"}, "facility_id": f["id"],
                             "arrested_at": iso(hours_ago(30)), "arresting_authority": "p"}],
             "events": [{"id": str(uuid.uuid4()), "detention_id": did, "type": "complaint_filed",
                         "occurred_at": iso(hours_ago(2)), "details": {"by": "ngo", "to": "nhri"}},
                        {"id": str(uuid.uuid4()), "detention_id": did, "type": "release",
                         "occurred_at": iso(hours_ago(20))},
                        {"id": str(uuid.uuid4()), "detention_id": did, "type": "rights_notified",
                         "occurred_at": iso(hours_ago(1))}]}
    response = client.post("/api/v1/sync", json=batch, headers=headers)
    assert response.status_code == 200
    results = [(r["kind"], r["status"]) for r in response.get_json()["results"]]
    assert results.count(("event", "created")) == 2, results  # the complaint and the release
    assert ("event", "invalid") in results  # a custody event after release still is not


def test_openapi_documents_every_event_details_schema(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    text = str(spec)
    for name in ("complaint_filed", "investigation_opened", "forensic_report", "case_closed",
                 "evidence_ruling", "charge_filed", "prosecution_opened"):
        assert name in text, name
    for field in ("ill_treatment_reported", "confession_admitted", "diagnostic_of", "capital_offence",
                  "basis"):
        assert field in text, field
