"""Field sync as one batch: per-item results in mixed batches, references inside the batch,
1000 items stored exactly once, nothing stored when the batch fails unexpectedly."""
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from monitor.extensions import db
from monitor.models import AuditEntry, CustodyEvent, Detention, Person, Visit
from monitor.models.visits import visit_detentions
from monitor.services import audit
from tests.helpers import hours_ago, iso


def new_id():
    return str(uuid.uuid4())


def count(table):
    return db.session.scalar(select(func.count()).select_from(table))


def detention_item(facility_json, hours=10, **extra):
    return {"id": new_id(), "person": {"name": "Batch Person", "age": 30},
            "facility_id": facility_json["id"], "arrested_at": iso(hours_ago(hours)),
            "arresting_authority": "police", **extra}


def event_item(detention_id, kind="rights_notified", hours=9, **extra):
    return {"id": new_id(), "detention_id": detention_id, "type": kind,
            "occurred_at": iso(hours_ago(hours)), **extra}


def sync(client, headers, **batch):
    response = client.post("/api/v1/sync", json=batch, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def test_mixed_batch_valid_invalid_replay_and_conflict_in_one_request(client, auth, facility):
    headers, f = auth("monitor", ["MX"]), facility()
    stored = detention_item(f)
    stored_event = event_item(stored["id"])
    assert {r["status"] for r in sync(client, headers, detentions=[stored], events=[stored_event])} == {"created"}

    fresh, refused = detention_item(f), detention_item(f, hours=-2)  # arrested in the future
    twice = event_item(fresh["id"], "family_notified", hours=8)
    batch = {
        "detentions": [stored, dict(stored, arresting_authority="someone else"), fresh, refused,
                       fresh, dict(fresh, grounds="other")],
        "events": [stored_event, dict(stored_event, type="family_notified"),
                   event_item(fresh["id"]), event_item(refused["id"]), twice, twice,
                   dict(twice, occurred_at=iso(hours_ago(7)))],
        "visits": [{"id": new_id(), "facility_id": f["id"], "started_at": iso(hours_ago(1)),
                    "access": "full", "detention_ids": [fresh["id"], stored["id"]]},
                   {"id": new_id(), "facility_id": f["id"], "started_at": iso(hours_ago(1)),
                    "access": "partial", "detention_ids": [refused["id"]]}]}
    results = sync(client, headers, **batch)
    assert [(r["kind"], r["status"]) for r in results] == [
        ("detention", "unchanged"), ("detention", "conflict"), ("detention", "created"),
        ("detention", "invalid"), ("detention", "unchanged"), ("detention", "conflict"),
        ("event", "unchanged"), ("event", "conflict"), ("event", "created"), ("event", "invalid"),
        ("event", "created"), ("event", "unchanged"), ("event", "conflict"),
        ("visit", "created"), ("visit", "invalid")]
    assert [r["id"] for r in results[:6]] == [d["id"] for d in batch["detentions"]]
    assert results[1]["errors"] == {"id": ["A detention with this id exists with different content."]}
    assert results[3]["errors"] == {"arrested_at": ["More than 5 minutes in the future."]}
    assert results[7]["errors"] == {"id": ["A custody event with this id exists with different content."]}
    assert results[9]["errors"] == {"detention_id": ["Unknown detention."]}
    assert results[14]["errors"] == {"detention_ids": [f"Unknown detention: {refused['id']}."]}
    # stored: the first batch (arrest + 1 event) and the fresh detention (arrest + 2 events)
    assert count(Detention) == 2 and count(Person) == 2 and count(CustodyEvent) == 2 + 3
    assert count(Visit) == 1 and count(visit_detentions) == 2
    assert db.session.get(Detention, uuid.UUID(refused["id"])) is None

    again = sync(client, headers, **batch)
    assert [r["status"] for r in again] == [
        "unchanged", "conflict", "unchanged", "invalid", "unchanged", "conflict",
        "unchanged", "conflict", "unchanged", "invalid", "unchanged", "unchanged", "conflict",
        "unchanged", "invalid"]
    assert count(CustodyEvent) == 5 and count(Visit) == 1
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "sync.batch")
                                 .order_by(AuditEntry.seq)).all()
    assert len(entries) == 2  # the replay created nothing
    created = entries[1].detail["created"]
    assert created["detentions"] == [fresh["id"]] and created["visits"] == [batch["visits"][0]["id"]]
    assert sorted(created["events"]) == sorted([batch["events"][2]["id"], twice["id"]])
    assert entries[1].detail["items"] == 15


def test_events_of_a_detention_refused_in_the_same_batch_are_invalid(client, auth, facility):
    headers, f = auth("monitor", ["MX"]), facility()
    refused = dict(detention_item(f), facility_id=new_id())  # no such facility
    results = sync(client, headers, detentions=[refused],
                   events=[event_item(refused["id"]), event_item(refused["id"], "release", hours=1)])
    assert [r["status"] for r in results] == ["invalid"] * 3
    assert results[0]["errors"] == {"facility_id": ["Unknown facility."]}
    assert all(r["errors"] == {"detention_id": ["Unknown detention."]} for r in results[1:])
    assert count(Detention) == 0 and count(CustodyEvent) == 0
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "sync.batch")) == 0


def test_a_thousand_items_are_stored_exactly_once(client, auth, facility):
    headers, f = auth("monitor", ["MX"]), facility()
    detentions, events, visits = [], [], []
    for i in range(100):
        d = detention_item(f, hours=30 + i % 20)
        detentions.append(d)
        for k, kind in enumerate(["rights_notified", "lawyer_requested", "family_notified",
                                  "lawyer_access", "medical_exam", "family_contact",
                                  "interrogation", "judicial_appearance"]):
            details = {"interrogation": {"lawyer_present": k % 2 == 0},
                       "medical_exam": {"examiner": "independent", "injuries_observed": False},
                       "judicial_appearance": {"outcome": "remanded"},
                       "family_contact": {"kind": "call"}}.get(kind, {})
            events.append(event_item(d["id"], kind, hours=29 - k, details=details))
        visits.append({"id": new_id(), "facility_id": f["id"], "started_at": iso(hours_ago(2)),
                       "access": "full", "detention_ids": [d["id"]]})
    batch = {"detentions": detentions, "events": events, "visits": visits}
    results = sync(client, headers, **batch)
    assert len(results) == 1000 and {r["status"] for r in results} == {"created"}
    assert [r["id"] for r in results] == [x["id"] for x in detentions + events + visits]
    totals = (count(Detention), count(Person), count(CustodyEvent), count(Visit), count(visit_detentions))
    assert totals == (100, 100, 900, 100, 100)
    # every new detention was evaluated with its events, as after single events
    assert db.session.scalar(select(func.count()).select_from(Detention)
                             .where(Detention.outcomes.is_not(None))) == 100
    replay = sync(client, headers, **batch)
    assert {r["status"] for r in replay} == {"unchanged"}
    assert (count(Detention), count(Person), count(CustodyEvent), count(Visit),
            count(visit_detentions)) == totals
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "sync.batch")).one()
    assert sorted(entry.detail["created"]["events"]) == sorted(e["id"] for e in events)


def test_an_unexpected_failure_stores_nothing(client, auth, facility, monkeypatch):
    headers, f = auth("monitor", ["MX"]), facility()
    d = detention_item(f)

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(audit, "record", broken)  # the batch's last write, after every insert
    response = client.post("/api/v1/sync", headers=headers, json={
        "detentions": [d], "events": [event_item(d["id"])],
        "visits": [{"id": new_id(), "facility_id": f["id"], "started_at": iso(hours_ago(1)),
                    "access": "full", "detention_ids": [d["id"]]}]})
    assert response.status_code == 500
    db.session.rollback()
    assert (count(Detention), count(Person), count(CustodyEvent), count(Visit)) == (0, 0, 0, 0)


def _comparable(view):
    drop = {"id", "detention_id", "received_at", "person_ref", "created_at", "updated_at",
            "raised_at", "change_seq"}
    if isinstance(view, dict):
        return {k: _comparable(v) for k, v in view.items() if k not in drop}
    if isinstance(view, list):
        return [_comparable(v) for v in view]
    return view


def test_a_synced_detention_reads_back_like_one_posted_alone(client, auth, facility):
    headers, f = auth("admin", ()), facility()
    other = facility()
    arrested = hours_ago(20)
    body = {"person": {"name": "Ana", "sex": "female", "birth_date": "2010-03-04",
                       "groups": ["indigenous"]},
            "facility_id": f["id"], "arrested_at": iso(arrested), "arresting_authority": "PM",
            "grounds": "g", "notes": "n", "organised_crime": False}
    events = [{"type": "interrogation", "occurred_at": iso(arrested + timedelta(hours=1)),
               "details": {"lawyer_present": False}, "notes": "asked"},
              {"type": "transfer", "occurred_at": iso(arrested + timedelta(hours=2)),
               "details": {"to_facility_id": other["id"]}}]
    alone = client.post("/api/v1/detentions", json=body, headers=headers).get_json()
    for e in events:
        assert client.post(f"/api/v1/detentions/{alone['id']}/events", json=e,
                           headers=headers).status_code == 201
    synced = dict(body, id=new_id())
    results = sync(client, headers, detentions=[synced],
                   events=[dict(e, id=new_id(), detention_id=synced["id"]) for e in events])
    assert {r["status"] for r in results} == {"created"}
    from tests.helpers import evaluate_pending
    evaluate_pending()  # the single events leave evaluation to the scheduler; the batch does it
    one = client.get(f"/api/v1/detentions/{alone['id']}", headers=headers).get_json()
    two = client.get(f"/api/v1/detentions/{synced['id']}", headers=headers).get_json()
    assert two["facility"]["id"] == other["id"] and two["juvenile"] is True
    for view in (one, two):  # flags come in the order they were raised
        view["flags"].sort(key=lambda flag: flag["rule"])
    assert _comparable(two) == _comparable(one)
