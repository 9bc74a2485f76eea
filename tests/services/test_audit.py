"""The audit trail: every write and identity read, hash-chained, tamper-evident."""
from sqlalchemy import select, text, update

from monitor.extensions import db
from monitor.models import AuditEntry
from monitor.services.audit import verify_trail


def actions():
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


def test_writes_and_identity_reads_are_recorded(client, auth, detention):
    monitor = auth("monitor", ["MX"])
    d = detention(headers=monitor)
    client.post(f"/api/v1/detentions/{d['id']}/events", headers=monitor,
                json={"type": "rights_notified", "occurred_at": d["arrested_at"]})
    before = len(actions())
    client.get(f"/api/v1/detentions/{d['id']}", headers=monitor)
    client.get("/api/v1/detentions", headers=monitor)
    client.get(f"/api/v1/detentions/{d['id']}", headers=auth("partner", ["MX"]))  # no identity shown
    recorded = actions()
    assert {"facility.create", "detention.create", "event.create"} <= set(recorded)
    assert recorded[before:] == ["identity.read", "identity.read"]
    read = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "identity.read")).first()
    assert read.detail["detentions"] == [d["id"]] and read.actor_role == "monitor"
    assert read.address == "127.0.0.1"


def test_replays_are_not_recorded_twice(client, auth, facility):
    headers = auth("admin", ())
    body = {"id": "0b9ac3c2-5a55-4a4e-8a0b-6d2f7e6b7c11", "name": "F", "kind": "prison",
            "country": "MX", "timezone": "America/Mexico_City"}
    client.post("/api/v1/facilities", json=body, headers=headers)
    client.post("/api/v1/facilities", json=body, headers=headers)
    assert actions().count("facility.create") == 1


def test_chain_verifies_and_detects_tampering(client, auth, detention, runner):
    for _ in range(3):
        detention()
    checked, broken = verify_trail()
    assert broken is None and checked == len(actions()) >= 6
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(action="nothing.to.see"))
    db.session.commit()
    assert verify_trail()[1] == 3
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "BROKEN at entry 3" in result.output


def test_deleting_an_entry_is_detected(detention):
    detention()
    detention()
    db.session.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    db.session.commit()
    assert verify_trail()[1] == 2


def test_audit_endpoint_is_for_admins(client, auth, detention):
    detention()
    detention()
    admin = auth("admin", ())
    body = client.get("/api/v1/audit?limit=2", headers=admin).get_json()
    assert [e["seq"] for e in body["items"]] == [1, 2] and body["next_cursor"]
    rest = client.get(f"/api/v1/audit?cursor={body['next_cursor']}", headers=admin).get_json()
    assert rest["items"][0]["seq"] == 3
    filtered = client.get("/api/v1/audit?action=detention.create", headers=admin).get_json()["items"]
    assert [e["action"] for e in filtered] == ["detention.create", "detention.create"]
    assert client.get("/api/v1/audit?cursor=abc", headers=admin).status_code == 422
    for role in ("monitor", "partner", "researcher"):
        assert client.get("/api/v1/audit", headers=auth(role, ["MX"])).status_code == 403


def test_trail_read_in_small_batches_verifies_across_their_boundaries(detention):
    for _ in range(3):
        detention()
    whole = verify_trail()
    assert whole[1] is None and verify_trail(batch=2) == whole
    db.session.execute(text("DELETE FROM audit_log WHERE seq = 3"))
    db.session.commit()
    assert verify_trail(batch=2) == (2, 3)


def test_entries_chain_within_a_transaction_and_after_a_rolled_back_savepoint(app):
    """Each entry's number and its predecessor's hash come from one statement: entries
    written in one transaction, and one written after a savepoint that took a number and
    rolled back, still chain from the entry actually stored before them."""
    from datetime import datetime, timezone

    from monitor.database import unit_of_work
    from monitor.services.audit import record

    moment = datetime(2026, 12, 7, 12, tzinfo=timezone.utc)
    with app.app_context():
        with unit_of_work():
            first, second = record(None, "test.one", moment), record(None, "test.two", moment)
            with db.session.begin_nested() as savepoint:
                record(None, "test.discarded", moment)
                savepoint.rollback()
            third = record(None, "test.three", moment)
        assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash)
        assert [e.seq for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))] == [
            first.seq, second.seq, third.seq] == [1, 2, 3]
        assert verify_trail() == (3, None)
