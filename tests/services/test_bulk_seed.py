"""The benchmark generator's data is what the API would hold: read back through
GET /detentions/{id}, well-formed, with stored safeguards equal to a fresh evaluation."""
import uuid
from collections import Counter
from datetime import datetime, timezone

from sqlalchemy import func, select, text

from monitor.api import detentions as detentions_api
from monitor.extensions import db
from monitor.models import Detention, Flag
from schemas.events import details_schema
from schemas.fields import format_timestamp
from seed.bulk import generate

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=timezone.utc)


def _stamp(text):
    """A stored ISO time as the API renders it (or None)."""
    return format_timestamp(datetime.fromisoformat(text)) if text else None


def test_generated_detentions_read_back_well_formed_and_freshly_evaluated_alike(app, client, auth, monkeypatch):
    generate(400, 10, NOW, app.extensions["monitor.cipher"], batch=150, progress=False)
    monkeypatch.setattr(detentions_api, "now", lambda: NOW)  # GET evaluates at the generator's `now`
    rows = db.session.execute(select(Detention.id, Detention.country, Detention.outcomes,
                                     Detention.next_due_at)).all()
    countries = Counter(r.country for r in rows)
    assert len(rows) == 400 and len(countries) >= 9  # a mix of jurisdictions
    headers = auth("admin", sorted(countries))
    seen_types, statuses, juveniles, transfers = set(), Counter(), 0, 0
    for detention_id, _, outcomes, next_due in rows:
        response = client.get(f"/api/v1/detentions/{detention_id}", headers=headers)
        assert response.status_code == 200
        body = response.get_json()
        assert uuid.UUID(body["id"]) == detention_id and body["person"]["name"].startswith("Person ")
        events = body["events"]
        assert events[0]["type"] == "arrest" and events[0]["occurred_at"] == body["arrested_at"]
        assert [e["occurred_at"] for e in events] == sorted(e["occurred_at"] for e in events)
        for event in events:  # the same details validation as POST .../events
            assert details_schema(event["type"]).validate(event["details"]) == {}, event
            seen_types.add(event["type"])
        assert (body["ended_at"] is None) == (body["status"] == "in_custody")
        juveniles += body["juvenile"]
        transfers += body["facility"]["id"] != body["facility_id"]
        fresh = [(s["rule"], s["status"], s["due_at"], s["met_at"]) for s in body["safeguards"]]
        if next_due is not None and next_due < NOW:  # a late-recorded arrest, not evaluated yet
            assert outcomes == [] and body["flags"] == []
            continue
        stored = [(o["rule"], o["status"], _stamp(o["due_at"]), _stamp(o["met_at"])) for o in outcomes]
        assert stored == fresh
        statuses.update(o["status"] for o in outcomes)
        breached = {o["rule"] for o in outcomes if o["status"] in ("overdue", "violated")}
        flagged = {f["rule"] for f in body["flags"]}
        # after release only the accountability track (investigation, confession) stays flagged
        accountability = {s["rule"] for s in body["safeguards"] if s["track"] == "accountability"}
        assert flagged == (breached if body["status"] == "in_custody" else breached & accountability)
    assert {"met", "met_late", "pending", "overdue", "violated", "not_applicable"} <= set(statuses)
    assert {"transfer", "release", "judicial_appearance", "ill_treatment_alleged"} <= seen_types
    assert juveniles > 0 and transfers > 0
    due = db.session.scalar(select(func.count()).select_from(Detention).where(Detention.next_due_at < NOW))
    assert due == 10
    seqs = db.session.scalars(select(Flag.change_seq).order_by(Flag.change_seq)).all()
    assert seqs == list(range(1, len(seqs) + 1))  # feed numbers taken as the sweep takes them


def test_late_recorded_arrests_are_written_after_everything_else(app):
    """They were received an hour before `now`: a database holds them as its newest rows."""
    generate(300, 12, NOW, app.extensions["monitor.cipher"], batch=100, progress=False)
    # the order rows were written in: SQLite's rowid; on PostgreSQL the writing transaction
    position = "rowid" if db.engine.dialect.name == "sqlite" else "xmin::text::bigint, ctid"
    order = [due is not None and due < NOW for (due,) in db.session.execute(
        select(Detention.next_due_at).order_by(text(position)))]
    assert order == [False] * 288 + [True] * 12
