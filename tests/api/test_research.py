"""Research output: pseudonymised in every format, scoped, audited; small groups suppressed."""
import csv
import io
import json

import pytest
from sqlalchemy import select

from monitor.extensions import db
from monitor.models import AuditEntry, Organization
from tests.helpers import evaluate_pending, hours_ago, iso

SECRETS = ("Zyxwvut", "Qrstuvw", "1990-02-03", "Plmnbv", "Ojqwerty", "Grounds-Xq", "Notes-Kj",
           "Mother-Rel", "Officer-Zz", "Alleger-Yy", "Summary-Vv")


@pytest.fixture
def populated(client, auth, facility, detention):
    """A detention full of identifying text, with events and a visit."""
    admin = auth("admin", ())
    f = facility()
    response = client.post("/api/v1/detentions", headers=admin, json={
        "person": {"name": "Zyxwvut Qrstuvw", "birth_date": "1990-02-03", "sex": "male",
                   "groups": ["political"]},
        "facility_id": f["id"], "arrested_at": iso(hours_ago(30)),
        "arresting_authority": "Policía", "grounds": "Grounds-Xq", "notes": "Notes-Kj"})
    d = response.get_json()
    for body in [{"type": "lawyer_access", "details": {"lawyer_name": "Plmnbv"}, "notes": "Ojqwerty"},
                 {"type": "family_notified", "details": {"relationship": "Mother-Rel"}},
                 {"type": "detention_extended", "details": {"authority": "Officer-Zz", "extended_by_hours": 5}},
                 {"type": "ill_treatment_alleged", "details": {"alleged_by": "Alleger-Yy"}}]:
        body["occurred_at"] = iso(hours_ago(20))
        assert client.post(f"/api/v1/detentions/{d['id']}/events", json=body, headers=admin).status_code == 201
    client.post("/api/v1/visits", headers=admin, json={
        "facility_id": f["id"], "started_at": iso(hours_ago(2)), "access": "full",
        "summary": "Summary-Vv", "detention_ids": [d["id"]]})
    evaluate_pending()
    return d


def researcher(make_user, headers_for, org_name="Uni A", countries=("MX",)):
    org = db.session.scalar(select(Organization).where(Organization.name == org_name))
    if org is None:
        org = Organization(name=org_name)
        db.session.add(org)
        db.session.commit()
    user = make_user("researcher", countries)
    user.organization_id = org.id
    db.session.commit()
    return headers_for(user)


@pytest.mark.parametrize("fmt", ["ndjson", "json", "csv"])
def test_no_identifying_string_in_any_format(client, make_user, headers_for, populated, fmt):
    response = client.get(f"/api/v1/exports/detentions?format={fmt}", headers=researcher(make_user, headers_for))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.strip()
    for secret in SECRETS:
        assert secret not in text, secret
    assert populated["id"] not in text  # not even the record's own id


def test_ndjson_record_shape(client, make_user, headers_for, populated):
    text = client.get("/api/v1/exports/detentions", headers=researcher(make_user, headers_for)).get_data(as_text=True)
    record = json.loads(text.splitlines()[0])
    assert set(record) >= {"person_ref", "sex", "age_at_arrest", "groups", "juvenile", "arrest_month",
                           "events", "safeguards"}
    assert record["arrest_month"] == populated["arrested_at"][:7]
    assert record["age_at_arrest"] >= 35 and record["groups"] == ["political"]
    assert [e["type"] for e in record["events"]][0] == "arrest"
    assert all(set(e) == {"type", "hours_after_arrest"} for e in record["events"])
    assert 9.9 < record["events"][1]["hours_after_arrest"] < 10.1


def test_json_and_csv_are_well_formed(client, make_user, headers_for, populated):
    headers = researcher(make_user, headers_for)
    as_json = client.get("/api/v1/exports/detentions?format=json", headers=headers)
    assert as_json.mimetype == "application/json" and len(json.loads(as_json.get_data())) == 1
    as_csv = client.get("/api/v1/exports/detentions?format=csv", headers=headers)
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    events = [r for r in rows if r["record"] == "event"]
    assert [r["event_type"] for r in events][:2] == ["arrest", "lawyer_access"]
    assert len(events) == 5


def test_pseudonyms_stable_per_organisation_unlinkable_across(client, make_user, headers_for, populated):
    def ref(headers):
        text = client.get("/api/v1/exports/detentions", headers=headers).get_data(as_text=True)
        return json.loads(text.splitlines()[0])["person_ref"]
    a1, a2 = researcher(make_user, headers_for, "Uni A"), researcher(make_user, headers_for, "Uni A")
    b = researcher(make_user, headers_for, "Uni B")
    assert ref(a1) == ref(a1) == ref(a2)
    assert ref(b) != ref(a1)


def test_filters_scope_and_roles(client, auth, make_user, headers_for, facility, detention):
    mx, ke = facility(), facility(country="KE", tz="Africa/Nairobi")
    detention(mx, arrested=hours_ago(100))
    detention(mx, arrested=hours_ago(2))
    detention(ke, arrested=hours_ago(2))
    def count(headers, query=""):
        response = client.get("/api/v1/exports/detentions?" + query, headers=headers)
        assert response.status_code == 200, response.get_json()
        return len(response.get_data(as_text=True).splitlines())
    mx_researcher = researcher(make_user, headers_for)
    assert count(mx_researcher) == 2
    assert count(auth("admin", ())) == 3
    assert count(auth("admin", ()), "country=KE") == 1
    assert count(mx_researcher, "from=" + iso(hours_ago(10)).replace("+00:00", "Z")) == 1
    assert count(mx_researcher, "to=" + hours_ago(50).date().isoformat()) == 1
    for query in ("format=xml", "from=2026-01-01T00:00:00", "country=XX", "to=yesterday"):
        assert client.get("/api/v1/exports/detentions?" + query, headers=mx_researcher).status_code == 422
    for role in ("monitor", "partner"):
        assert client.get("/api/v1/exports/detentions", headers=auth(role, ["MX"])).status_code == 403
        assert client.get("/api/v1/stats/compliance", headers=auth(role, ["MX"])).status_code == 403


def test_each_export_is_audited(client, make_user, headers_for, populated):
    response = client.get("/api/v1/exports/detentions?format=csv&country=MX",
                          headers=researcher(make_user, headers_for))
    assert response.get_data(as_text=True).startswith("person_ref,")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export.detentions")).one()
    assert entry.detail["rows"] == 1 and entry.detail["format"] == "csv" and entry.detail["country"] == "MX"
    assert entry.detail["completed"] is True and entry.actor_role == "researcher"


def test_statistics_suppress_small_groups(client, auth, facility, detention):
    mx, ke = facility(), facility(country="KE", tz="Africa/Nairobi")
    ph = facility(country="PH", tz="Asia/Manila")
    for _ in range(6):
        detention(mx, arrested=hours_ago(60))
    for _ in range(5):
        detention(ph, arrested=hours_ago(60))
    detention(ke, arrested=hours_ago(60))
    body = client.get("/api/v1/stats/compliance?group_by=country",
                      headers=auth("researcher", ["MX", "KE", "PH"])).get_json()
    groups = {g["group"]: g for g in body["items"]}
    assert groups["KE"]["suppressed"] is True and groups["KE"]["detentions"] is None
    assert all(v["met"] is None for v in groups["KE"]["safeguards"].values())
    # KE alone hidden could be read off as the month's total minus MX and PH: the smallest
    # shown group (PH, 5) is hidden with it
    assert groups["PH"]["suppressed"] is True and groups["PH"]["detentions"] is None
    mx_group = groups["MX"]
    assert mx_group["suppressed"] is False and mx_group["detentions"] == 6
    judicial = mx_group["safeguards"]["judicial_review"]
    assert judicial["overdue"] == 6 and judicial["met"] == 0 and judicial["median_hours"] is None
    by_safeguard = client.get("/api/v1/stats/compliance?group_by=safeguard",
                              headers=auth("admin", ())).get_json()["items"]
    assert {g["group"] for g in by_safeguard} >= {"judicial_review", "lawyer_access"}
    for group_by in ("facility", "month"):
        assert client.get(f"/api/v1/stats/compliance?group_by={group_by}",
                          headers=auth("admin", ())).status_code == 200
    assert client.get("/api/v1/stats/compliance?group_by=person", headers=auth("admin", ())).status_code == 422


def test_median_hours_to_a_safeguard(client, auth, facility, detention):
    f, admin = facility(), auth("admin", ())
    for hours in (2, 4, 6, 8, 10):
        d = detention(f, arrested=hours_ago(30))
        client.post(f"/api/v1/detentions/{d['id']}/events", headers=admin, json={
            "type": "judicial_appearance", "occurred_at": iso(hours_ago(30 - hours)),
            "details": {"outcome": "remanded"}})
    evaluate_pending()
    body = client.get("/api/v1/stats/compliance?group_by=safeguard", headers=admin).get_json()
    judicial = {g["group"]: g for g in body["items"]}["judicial_review"]["safeguards"]["judicial_review"]
    assert judicial["met"] == 5 and 5.9 < judicial["median_hours"] < 6.1


def test_export_command_writes_a_file(runner, tmp_path, populated):
    db.session.add(Organization(name="Uni CLI"))
    db.session.commit()
    out = tmp_path / "export.ndjson"
    result = runner.invoke(args=["export", "--organization", "Uni CLI", "--output", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert len(lines) == 1 and "Zyxwvut" not in out.read_text()
    assert json.loads(lines[0])["person_ref"]
