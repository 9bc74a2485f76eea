"""Field sync: items apply alone, replays change nothing, order does not matter."""
import uuid

from sqlalchemy import func, select

from monitor.extensions import db
from monitor.models import AuditEntry, CustodyEvent, Detention, Visit
from monitor.services import runtime
from tests.helpers import hours_ago, iso, run_together


def new_id():
    return str(uuid.uuid4())


def batch_for(facility_json, detentions=2, events_each=3):
    dets, evs = [], []
    for _ in range(detentions):
        did = new_id()
        dets.append({"id": did, "person": {"name": "Sync Person", "age": 30},
                     "facility_id": facility_json["id"], "arrested_at": iso(hours_ago(10)),
                     "arresting_authority": "police"})
        for k in range(events_each):
            evs.append({"id": new_id(), "detention_id": did, "type": "rights_notified",
                        "occurred_at": iso(hours_ago(9 - k))})
    visits = [{"id": new_id(), "facility_id": facility_json["id"], "started_at": iso(hours_ago(2)),
               "access": "full", "detention_ids": [dets[0]["id"]]}]
    return {"detentions": dets, "events": evs, "visits": visits}


def statuses(response):
    assert response.status_code == 200, response.get_json()
    return [(r["kind"], r["status"]) for r in response.get_json()["results"]]


def test_batch_creates_everything_and_replay_changes_nothing(client, auth, facility):
    headers = auth("monitor", ["MX"])
    batch = batch_for(facility())
    batch["events"].reverse()  # events before their detentions' order: must not matter
    first = statuses(client.post("/api/v1/sync", json=batch, headers=headers))
    assert set(first) == {("detention", "created"), ("event", "created"), ("visit", "created")}
    assert len(first) == 2 + 6 + 1
    again = statuses(client.post("/api/v1/sync", json=batch, headers=headers))
    assert {s for _, s in again} == {"unchanged"}
    assert db.session.scalar(select(func.count()).select_from(CustodyEvent)) == 2 + 6
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "sync.batch")).all()
    assert len(entries) == 1  # the replay created nothing, so it wrote nothing
    created = entries[0].detail["created"]
    assert sorted(created["events"]) == sorted(e["id"] for e in batch["events"])
    assert len(created["detentions"]) == 2 and len(created["visits"]) == 1


def test_mixed_batch_each_item_alone(client, auth, facility):
    headers, f = auth("monitor", ["MX"]), facility()
    good = batch_for(f, detentions=1, events_each=1)
    client.post("/api/v1/sync", json=good, headers=headers)
    conflicting = dict(good["detentions"][0], arresting_authority="someone else")
    duplicate = good["events"][0]
    invalid_event = {"id": new_id(), "detention_id": good["detentions"][0]["id"], "type": "interrogation",
                     "occurred_at": iso(hours_ago(1)), "details": {}}
    naive = {"id": new_id(), "detention_id": good["detentions"][0]["id"], "type": "rights_notified",
             "occurred_at": "2026-01-01T10:00:00"}
    orphan = {"id": new_id(), "detention_id": new_id(), "type": "rights_notified",
              "occurred_at": iso(hours_ago(1))}
    fresh = {"id": new_id(), "detention_id": good["detentions"][0]["id"], "type": "family_notified",
             "occurred_at": iso(hours_ago(1))}
    no_id = {"detention_id": good["detentions"][0]["id"], "type": "rights_notified",
             "occurred_at": iso(hours_ago(1))}
    bad_visit = {"id": new_id(), "facility_id": f["id"], "started_at": iso(hours_ago(1)),
                 "ended_at": iso(hours_ago(2)), "access": "full"}
    response = client.post("/api/v1/sync", headers=headers, json={
        "detentions": [conflicting, "not an object"],
        "events": [duplicate, invalid_event, naive, orphan, fresh, no_id],
        "visits": [bad_visit]})
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == [
        "conflict", "invalid", "unchanged", "invalid", "invalid", "invalid", "created", "invalid", "invalid"]
    assert "details.lawyer_present" in results[3]["errors"]
    assert "occurred_at" in results[4]["errors"]
    assert "detention_id" in results[5]["errors"]
    assert "id" in results[7]["errors"]
    assert "ended_at" in results[8]["errors"]
    stored = db.session.get(Detention, uuid.UUID(conflicting["id"]))
    sealed = runtime.cipher().open(stored.private_enc, f"detention:{stored.id}")
    assert sealed["arresting_authority"] == "police"


def test_event_after_release_in_same_batch_sent_in_any_order(client, auth, facility):
    headers, f = auth("monitor", ["MX"]), facility()
    did = new_id()
    batch = {"detentions": [{"id": did, "person": {"name": "X"}, "facility_id": f["id"],
                             "arrested_at": iso(hours_ago(5)), "arresting_authority": "p"}],
             "events": [{"id": new_id(), "detention_id": did, "type": "release",
                         "occurred_at": iso(hours_ago(1))},
                        {"id": new_id(), "detention_id": did, "type": "rights_notified",
                         "occurred_at": iso(hours_ago(4))}]}
    assert {s for _, s in statuses(client.post("/api/v1/sync", json=batch, headers=headers))} == {"created"}


def test_more_than_1000_items_is_413(client, auth, facility):
    f = facility()
    items = [{"id": new_id(), "facility_id": f["id"], "started_at": iso(hours_ago(1)), "access": "full"}
             for _ in range(1001)]
    response = client.post("/api/v1/sync", json={"visits": items}, headers=auth("monitor", ["MX"]))
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_scope_and_roles(client, auth, facility):
    ph = facility(country="PH", tz="Asia/Manila")
    batch = batch_for(ph, detentions=1, events_each=1)
    results = client.post("/api/v1/sync", json=batch, headers=auth("monitor", ["MX"])).get_json()["results"]
    assert {r["status"] for r in results} == {"invalid"}
    for role in ("partner", "researcher"):
        assert client.post("/api/v1/sync", json=batch, headers=auth(role, ["PH"])).status_code == 403


def test_replaying_records_of_another_country_reveals_nothing(client, auth, facility):
    ph = facility(country="PH", tz="Asia/Manila")
    batch = batch_for(ph, detentions=1, events_each=1)
    assert set(statuses(client.post("/api/v1/sync", json=batch, headers=auth("monitor", ["PH"])))) == {
        ("detention", "created"), ("event", "created"), ("visit", "created")}
    # an MX monitor resending the very same batch learns nothing of the PH records
    results = client.post("/api/v1/sync", json=batch, headers=auth("monitor", ["MX"])).get_json()["results"]
    assert {r["status"] for r in results} == {"invalid"}
    detention = next(r for r in results if r["kind"] == "detention")
    assert detention["errors"] == {"facility_id": ["Unknown facility."]}


def test_sync_records_sender_and_reevaluates(client, auth, facility, make_user, headers_for):
    user = make_user("monitor", ["MX"])
    batch = batch_for(facility(), detentions=1, events_each=0)
    did = batch["detentions"][0]["id"]
    batch["events"] = [{"id": new_id(), "detention_id": did, "type": "interrogation",
                        "occurred_at": iso(hours_ago(1)), "details": {"lawyer_present": False}}]
    client.post("/api/v1/sync", json=batch, headers=headers_for(user))
    view = client.get(f"/api/v1/detentions/{did}", headers=headers_for(user)).get_json()
    assert view["recorded_by"] == str(user.id) and view["received_at"]
    assert view["events"][1]["recorded_by"] == str(user.id)
    assert "lawyer_at_interrogation" in {f["safeguard"] for f in view["flags"]}


def test_concurrent_replays_create_each_record_once(app, auth, facility):
    headers, f = auth("monitor", ["MX"]), facility()
    batch = batch_for(f, detentions=5, events_each=4)
    db.session.remove()
    outcomes, errors = [], []

    def send():
        try:
            response = app.test_client().post("/api/v1/sync", json=batch, headers=headers)
            outcomes.append((response.status_code, [r["status"] for r in response.get_json()["results"]]))
        except Exception as exc:
            errors.append(exc)

    run_together(send, [()] * 4)
    assert errors == [] and {code for code, _ in outcomes} == {200}
    created = sum(s.count("created") for _, s in outcomes)
    assert created == 5 + 20 + 1
    assert all(set(s) <= {"created", "unchanged"} for _, s in outcomes)
    assert db.session.scalar(select(func.count()).select_from(Detention)) == 5
    assert db.session.scalar(select(func.count()).select_from(CustodyEvent)) == 5 + 20


def test_items_that_are_not_objects_are_invalid_alone(client, auth):
    batch = {"detentions": [7], "events": [1, "two", []], "visits": [True]}
    response = client.post("/api/v1/sync", json=batch, headers=auth("monitor", ["MX"]))
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [(r["kind"], r["status"]) for r in results] == [
        ("detention", "invalid")] + [("event", "invalid")] * 3 + [("visit", "invalid")]
    assert all(r["errors"] == {"_schema": ["Each item must be a JSON object."]} for r in results)
