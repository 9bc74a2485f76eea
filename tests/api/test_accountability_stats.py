"""GET /stats/accountability: impunity per country, year or facility; suppressed, scoped,
researchers and admins only, audited. The research export carries the accountability events
and the new safeguards' outcomes."""
import json

import pytest
from sqlalchemy import select

from monitor.extensions import db
from monitor.models import AuditEntry
from monitor.services.evaluation import sweep
from tests.factories import T0, add, hours, make_detention, make_facility

URL = "/api/v1/stats/accountability"


@pytest.fixture
def record(actor):
    """Six MX detentions with allegations and what followed; two KE, one with an allegation;
    five NG, each alleged, investigated, tried and convicted. KE is hidden, and NG (the next
    smallest) with it, so KE cannot be recovered from a total; NG's counts then cover KE's in
    every hidden sum, and MX's stay shown."""
    admin = actor("admin", ())
    mx, ke = make_facility(admin), make_facility(admin, "KE", "Africa/Nairobi")
    for n in range(6):
        d = make_detention(admin, mx)
        add(admin, d, "release", T0 + hours(20))
        if n == 0:  # told the judge, after release: an allegation too
            add(admin, d, "judicial_appearance", T0 + hours(30), ill_treatment_reported=True)
        else:
            add(admin, d, "ill_treatment_alleged", T0 + hours(10))
        add(admin, d, "complaint_filed", T0 + hours(40), by="lawyer", to="prosecutor")
        if n < 5:  # five investigated: four within 30 days, one after 40
            add(admin, d, "investigation_opened", T0 + hours(30 + 24 * (40 if n == 4 else n + 1)),
                independent=True)
        add(admin, d, "evidence_ruling", T0 + hours(24 * 50), confession_admitted=n < 5)
        add(admin, d, "prosecution_opened", T0 + hours(24 * 60))
        add(admin, d, "case_closed", T0 + hours(24 * 90), outcome="acquittal")
    for n in range(2):
        d = make_detention(admin, ke)
        if n == 0:
            add(admin, d, "ill_treatment_alleged", T0 + hours(5))
    ng = make_facility(admin, "NG", "Africa/Lagos")
    for _ in range(5):
        d = make_detention(admin, ng)
        add(admin, d, "ill_treatment_alleged", T0 + hours(5))
        add(admin, d, "complaint_filed", T0 + hours(6), by="detainee", to="court")
        add(admin, d, "investigation_opened", T0 + hours(5 + 72), independent=False)
        add(admin, d, "evidence_ruling", T0 + hours(24 * 20), confession_admitted=True)
        add(admin, d, "prosecution_opened", T0 + hours(24 * 30))
        add(admin, d, "case_closed", T0 + hours(24 * 60), outcome="conviction")
    return {"mx": mx, "ke": ke, "ng": ng}


def test_counts_per_country_with_small_groups_suppressed(client, auth, record):
    body = client.get(URL, headers=auth("admin", ())).get_json()
    assert body["group_by"] == "country" and body["min_cell"] == 5 and body["threshold_days"] == 30
    groups = {item["group"]: item for item in body["items"]}
    assert groups["KE"]["suppressed"] and groups["KE"]["detentions"] is None
    assert set(groups["KE"]["counts"].values()) == {None}
    assert groups["NG"]["suppressed"]  # KE's two could be recovered from a total otherwise
    mx = groups["MX"]
    assert not mx["suppressed"] and mx["detentions"] == 6
    assert mx["counts"] == {"allegation": 6, "complaint": 6, "investigation": 5,
                            "investigation_within_threshold": None,  # 4: under 5, hidden
                            "prosecution": 6, "conviction": 0,
                            "confession_admitted_after_allegation": 5}
    assert mx["suppressed_cells"] == ["investigation_within_threshold"]
    # delays: 1 day (hearing at 30 h, investigation at 54 h), then from the allegation at 10 h:
    # 68 h, 92 h, 116 h and 980 h. The median of the five is the third: 92 h.
    assert mx["median_days_to_investigation"] == round((24 * 3 + 20) / 24, 2)


def test_year_and_facility_groupings(client, auth, record):
    admin = auth("admin", ())
    by_year = client.get(URL + "?group_by=year", headers=admin).get_json()["items"]
    assert [(i["group"], i["detentions"]) for i in by_year] == [("2026", 13)]
    assert by_year[0]["counts"]["allegation"] == 12 and by_year[0]["counts"]["conviction"] == 5
    by_facility = {i["group"]: i for i in client.get(URL + "?group_by=facility", headers=admin).get_json()["items"]}
    assert by_facility[str(record["mx"].id)]["detentions"] == 6
    assert by_facility[str(record["ke"].id)]["suppressed"] and by_facility[str(record["ng"].id)]["suppressed"]


def test_filters_and_scope(client, auth, make_user, headers_for, record):
    only_ke = client.get(URL + "?country=KE", headers=auth("admin", ())).get_json()["items"]
    assert [i["group"] for i in only_ke] == ["KE"]
    later = client.get(URL + "?from=2026-03-03", headers=auth("admin", ())).get_json()["items"]
    assert later == []  # every arrest was on 2 March
    ke_researcher = headers_for(make_user("researcher", ["KE"]))
    assert [i["group"] for i in client.get(URL, headers=ke_researcher).get_json()["items"]] == ["KE"]


def test_researchers_and_admins_only_and_authorization_before_validation(client, auth, record):
    for role in ("monitor", "partner"):
        assert client.get(URL, headers=auth(role, ["MX"])).status_code == 403
        assert client.get(URL + "?group_by=person", headers=auth(role, ["MX"])).status_code == 403
    assert client.get(URL).status_code == 401
    assert client.get(URL + "?group_by=person", headers=auth("admin", ())).status_code == 422
    assert client.get(URL + "?from=yesterday", headers=auth("researcher", ["MX"])).status_code == 422
    assert client.get(URL, headers=auth("researcher", ["MX"])).status_code == 200


def test_each_request_is_audited(client, auth, record):
    client.get(URL + "?group_by=year&country=MX", headers=auth("researcher", ["MX"]))
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "stats.accountability")).one()
    assert entry.detail["group_by"] == "year" and entry.detail["country"] == "MX"


def test_the_export_carries_accountability_events_and_outcomes(client, auth, record):
    sweep.sweep(T0 + hours(24 * 100))
    text = client.get("/api/v1/exports/detentions?country=MX", headers=auth("researcher", ["MX"])).get_data(
        as_text=True)
    records = [json.loads(line) for line in text.splitlines()]
    assert len(records) == 6
    kinds = {e["type"] for r in records for e in r["events"]}
    assert {"ill_treatment_alleged", "judicial_appearance", "complaint_filed", "investigation_opened",
            "evidence_ruling", "prosecution_opened", "case_closed"} <= kinds
    assert all(set(e) == {"type", "hours_after_arrest"} for r in records for e in r["events"])
    closed = [e for r in records for e in r["events"] if e["type"] == "case_closed"]
    assert {e["hours_after_arrest"] for e in closed} == {24.0 * 90}
    safeguards = {s["safeguard"]: s["status"] for r in records for s in r["safeguards"]
                  if s["safeguard"] in ("investigation", "confession_exclusion")}
    assert set(safeguards) == {"investigation", "confession_exclusion"}
    assert "violated" in {s["status"] for r in records for s in r["safeguards"]
                          if s["safeguard"] == "confession_exclusion"}
