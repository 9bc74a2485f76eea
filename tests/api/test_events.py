"""Custody events: every validation rule in the contract, replays, transfers."""
import uuid
from datetime import datetime

import pytest

from tests.helpers import engine_events, hours_ago, iso


@pytest.fixture
def post_event(client, auth):
    headers = auth("monitor", ["MX"])

    def post(detention_id, **body):
        body.setdefault("occurred_at", iso(hours_ago(1)))
        return client.post(f"/api/v1/detentions/{detention_id}/events", json=body, headers=headers)
    return post


def errors_of(response):
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]


def test_event_is_recorded_with_receiver_and_sender(post_event, detention, make_user):
    d = detention()
    response = post_event(d["id"], type="lawyer_access", details={"lawyer_name": "Lic. X", "private": True},
                          source="lawyer", notes="met for 20 min")
    assert response.status_code == 201
    event = response.get_json()
    assert event["received_at"].endswith("Z") and event["recorded_by"]
    assert event["details"] == {"lawyer_name": "Lic. X", "private": True}
    assert event["source"] == "lawyer" and event["notes"] == "met for 20 min"


def test_unknown_type_is_422(post_event, detention):
    assert "type" in errors_of(post_event(detention()["id"], type="tea_break"))


def test_arrest_cannot_be_posted(post_event, detention):
    assert "type" in errors_of(post_event(detention()["id"], type="arrest"))


@pytest.mark.parametrize("kind,details,field", [
    ("interrogation", {}, "details.lawyer_present"),
    ("confession", {"retracted": True}, "details.lawyer_present"),
    ("detention_extended", {"authority": "judge"}, "details.extended_by_hours"),
    ("transfer", {}, "details.to_facility_id"),
    ("medical_exam", {"examiner": "witch_doctor"}, "details.examiner"),
    ("interrogation", {"lawyer_present": "yes please"}, "details.lawyer_present"),
    ("release", {"unexpected": 1}, "details.unexpected"),
])
def test_missing_or_bad_details_are_422(post_event, detention, kind, details, field):
    assert field in errors_of(post_event(detention()["id"], type=kind, details=details))


@pytest.mark.parametrize("value", ["2026-03-01T08:15:00", "not a time", "2026-03-01", 1700000000])
def test_naive_or_unparsable_occurred_at_is_422(post_event, detention, value):
    assert "occurred_at" in errors_of(post_event(detention()["id"], type="rights_notified",
                                                 occurred_at=value))


def test_before_arrest_is_422(post_event, detention):
    d = detention(arrested=hours_ago(2))
    assert "occurred_at" in errors_of(post_event(d["id"], type="rights_notified",
                                                 occurred_at=iso(hours_ago(3))))


def test_more_than_five_minutes_in_the_future_is_422(post_event, detention):
    d = detention()
    assert "occurred_at" in errors_of(post_event(d["id"], type="rights_notified",
                                                 occurred_at=iso(hours_ago(-0.2))))
    assert post_event(d["id"], type="rights_notified", occurred_at=iso(hours_ago(-0.03))).status_code == 201


def test_after_release_only_earlier_events(post_event, detention, client, auth):
    d, released = detention(arrested=hours_ago(5)), hours_ago(2)
    assert post_event(d["id"], type="release", occurred_at=iso(released)).status_code == 201
    assert "occurred_at" in errors_of(post_event(d["id"], type="rights_notified",
                                                 occurred_at=iso(hours_ago(1))))
    assert post_event(d["id"], type="rights_notified", occurred_at=iso(hours_ago(4))).status_code == 201
    assert "type" in errors_of(post_event(d["id"], type="release", occurred_at=iso(hours_ago(1.5))))
    view = client.get(f"/api/v1/detentions/{d['id']}", headers=auth("admin", ())).get_json()
    assert view["status"] == "released"
    assert datetime.fromisoformat(view["ended_at"]) == released
    assert [e["type"] for e in view["events"]] == ["arrest", "rights_notified", "release"]


def test_release_before_recorded_events_is_422(post_event, detention):
    d = detention(arrested=hours_ago(5))
    assert post_event(d["id"], type="rights_notified", occurred_at=iso(hours_ago(1))).status_code == 201
    assert "occurred_at" in errors_of(post_event(d["id"], type="release", occurred_at=iso(hours_ago(2))))


def test_death_in_custody_ends_custody(post_event, detention, client, auth):
    d = detention()
    assert post_event(d["id"], type="death_in_custody").status_code == 201
    view = client.get(f"/api/v1/detentions/{d['id']}", headers=auth("admin", ())).get_json()
    assert view["status"] == "died"


def test_transfer_moves_the_detention(post_event, detention, facility, client, auth):
    d, prison = detention(), facility(name="Reclusorio")
    assert prison["id"] != d["facility"]["id"]
    assert post_event(d["id"], type="transfer", details={"to_facility_id": prison["id"]}).status_code == 201
    view = client.get(f"/api/v1/detentions/{d['id']}", headers=auth("admin", ())).get_json()
    assert view["facility"]["id"] == prison["id"] and view["facility_id"] == d["facility"]["id"]
    listed = client.get(f"/api/v1/detentions?facility_id={prison['id']}", headers=auth("admin", ()))
    assert [x["id"] for x in listed.get_json()["items"]] == [d["id"]]


def test_transfer_to_another_jurisdiction_changes_the_law_applied(post_event, detention, facility, client, auth):
    d = detention()
    nairobi = facility(country="KE", tz="Africa/Nairobi")
    headers = auth("admin", ())
    response = client.post(f"/api/v1/detentions/{d['id']}/events", headers=headers, json={
        "type": "transfer", "occurred_at": iso(hours_ago(1)), "details": {"to_facility_id": nairobi["id"]}})
    assert response.status_code == 201
    view = client.get(f"/api/v1/detentions/{d['id']}", headers=headers).get_json()
    rules = {s["rule"].split(".")[0] for s in view["safeguards"]}
    assert view["country"] == "KE" and rules == {"ke", "intl"}
    assert client.get(f"/api/v1/detentions/{d['id']}", headers=auth("monitor", ["MX"])).status_code == 404


def test_transfer_to_unknown_facility_is_422(post_event, detention):
    errors = errors_of(post_event(detention()["id"], type="transfer",
                                  details={"to_facility_id": str(uuid.uuid4())}))
    assert "details.to_facility_id" in errors


def test_interrogation_end_before_start_is_422(post_event, detention):
    errors = errors_of(post_event(detention()["id"], type="interrogation", occurred_at=iso(hours_ago(1)),
                                  details={"lawyer_present": True, "ended_at": iso(hours_ago(2))}))
    assert "details.ended_at" in errors


def test_replay_200_conflict_409(post_event, detention):
    d = detention()
    body = {"id": str(uuid.uuid4()), "type": "family_notified", "occurred_at": iso(hours_ago(1)),
            "details": {"relationship": "mother"}}
    assert post_event(d["id"], **body).status_code == 201
    assert post_event(d["id"], **body).status_code == 200
    assert post_event(d["id"], **dict(body, details={"relationship": "father"})).status_code == 409
    other = detention()
    assert post_event(other["id"], **body).status_code == 409


def test_event_on_unknown_or_hidden_detention_is_404(client, auth, facility, detention):
    ph = detention(facility(country="PH", tz="Asia/Manila"))
    headers = auth("monitor", ["MX"])
    for detention_id in (ph["id"], str(uuid.uuid4())):
        response = client.post(f"/api/v1/detentions/{detention_id}/events", headers=headers,
                               json={"type": "rights_notified", "occurred_at": iso(hours_ago(1))})
        assert response.status_code == 404


def test_partner_and_researcher_cannot_post_events(client, auth, detention):
    d = detention()
    for role in ("partner", "researcher"):
        response = client.post(f"/api/v1/detentions/{d['id']}/events", headers=auth(role, ["MX"]),
                               json={"type": "rights_notified", "occurred_at": iso(hours_ago(1))})
        assert response.status_code == 403


@pytest.mark.parametrize("kind,details,field", [
    ("interrogation", {"lawyer_present": "false"}, "details.lawyer_present"),
    ("interrogation", {"lawyer_present": 0}, "details.lawyer_present"),
    ("interrogation", {"lawyer_present": True, "interpreter_present": "no"}, "details.interpreter_present"),
    ("lawyer_access", {"private": "yes"}, "details.private"),
    ("confession", {"lawyer_present": 1}, "details.lawyer_present"),
    ("medical_exam", {"injuries_observed": "true"}, "details.injuries_observed"),
    ("detention_extended", {"extended_by_hours": "24"}, "details.extended_by_hours"),
    ("detention_extended", {"extended_by_hours": True}, "details.extended_by_hours"),
])
def test_detail_booleans_and_numbers_are_not_coerced(post_event, detention, kind, details, field):
    assert field in errors_of(post_event(detention()["id"], type=kind, details=details))


def test_json_false_is_stored_as_false(post_event, detention):
    response = post_event(detention()["id"], type="interrogation", details={"lawyer_present": False})
    assert response.status_code == 201 and response.get_json()["details"]["lawyer_present"] is False


def test_an_event_reads_its_detention_once(app, post_event, detention):
    """The detention locked to check the event is the one marked for evaluation: one read of
    the detentions table per event, not a second full load (ingest's cost)."""
    d = detention()
    with engine_events("before_cursor_execute") as executed:
        response = post_event(d["id"], type="rights_notified", source="custody_register", details={})
    assert response.status_code == 201
    statements = [args[2] for args in executed]
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM detentions" in s]
    assert len(reads) == 1, reads


def test_an_event_is_one_transaction_on_postgresql(app, post_event, detention):
    """On PostgreSQL the token check and the write share one transaction (row locks order
    writers there); only SQLite ends the read first, to take its file-wide write lock after
    authorisation. Two transactions cost two more round trips a write."""
    from monitor.extensions import db
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite ends the token check's read transaction before the write lock")
    d = detention()
    with engine_events("begin") as begins:
        response = post_event(d["id"], type="rights_notified", source="custody_register", details={})
    assert response.status_code == 201
    assert len(begins) == 1


def test_an_event_for_a_detention_already_due_leaves_its_due_time(app, post_event, detention):
    """A detention already waiting for the sweep keeps its place: a further event bumps its
    `updated_at` but writes no new due time (the due-time index, two more pages of every
    commit, is left alone). A detention not yet due is made due at once, as before."""
    from sqlalchemy import select

    from monitor.extensions import db
    from monitor.models import Detention

    def due_and_updated(detention_id):
        with app.app_context():
            row = db.session.execute(select(Detention.next_due_at, Detention.updated_at).where(
                Detention.id == uuid.UUID(detention_id))).one()
            db.session.rollback()
            return row

    d = detention()
    assert post_event(d["id"], type="rights_notified", source="custody_register",
                      details={}).status_code == 201
    due, updated = due_and_updated(d["id"])
    assert due is not None and due <= updated
    with engine_events("before_cursor_execute") as executed:
        assert post_event(d["id"], type="family_notified", source="custody_register",
                          details={}).status_code == 201
    again_due, again_updated = due_and_updated(d["id"])
    assert again_due == due and again_updated > updated
    updates = [args[2] for args in executed if args[2].lstrip().upper().startswith("UPDATE DETENTIONS")]
    assert updates and all("next_due_at" not in statement for statement in updates), updates

    with app.app_context():  # evaluated: due later (or never); the next event makes it due now
        from tests.helpers import evaluate_pending
        evaluate_pending()
    evaluated_due, _ = due_and_updated(d["id"])
    assert evaluated_due is None or evaluated_due > again_updated
    assert post_event(d["id"], type="lawyer_access", source="custody_register",
                      details={}).status_code == 201
    assert due_and_updated(d["id"])[0] <= due_and_updated(d["id"])[1]
