"""The impunity statistics read accountability facts kept as events are stored; they give
exactly what aggregating every detention's events at the request gives, whichever way the
events came in (one at a time, a sync batch, the bulk generator, the migration)."""
import uuid
from datetime import datetime, timezone

from sqlalchemy import func, select

from monitor.domain.impunity import AccountabilityFacts, accountability_table
from monitor.extensions import db
from monitor.models import AccountabilityFact, Detention
from monitor.services.research import impunity
from seed.bulk import generate
from tests.helpers import hours_ago, iso, migration

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=timezone.utc)


def reference(actor, group_by, country=None, start=None, end=None):
    """The statistics as computed before facts were kept: every counted event aggregated."""
    group = impunity._group_column(group_by)
    sizes = dict(db.session.execute(impunity._filtered(
        select(group.label("grp"), func.count()).select_from(Detention), actor, country, start, end)
        .group_by(group)).all())
    events = impunity.event_facts().subquery()
    rows = db.session.execute(impunity._filtered(
        select(group.label("grp"), events).select_from(events)
        .join(Detention, Detention.id == events.c.detention_id), actor, country, start, end))
    facts = [AccountabilityFacts(r.grp, impunity._aware(r.alleged_at), bool(r.complaint),
                                 impunity._aware(r.investigated_at), bool(r.prosecution), bool(r.conviction),
                                 impunity._aware(r.admitted_at)) for r in rows]
    return accountability_table(sizes, facts, impunity.threshold())


def assert_same(actor, **filters):
    for group_by in impunity.GROUPINGS:
        kept = impunity.accountability(actor, group_by, NOW, **filters)["items"]
        assert kept == reference(actor, group_by, **filters), (group_by, filters)


def test_kept_facts_equal_aggregating_every_event(app, actor):
    generate(900, 10, NOW, app.extensions["monitor.cipher"], batch=300, progress=False)
    kept = db.session.scalar(select(func.count()).select_from(AccountabilityFact))
    detentions = db.session.scalar(select(func.count()).select_from(Detention))
    assert 0 < kept < detentions / 2            # only detentions whose events show something
    admin = actor("admin", ())
    shown = impunity.accountability(admin, "country", NOW)["items"]
    assert any(g["counts"]["allegation"] for g in shown if not g["suppressed"])
    for filters in ({}, {"country": "MX"}, {"start": datetime(2025, 9, 14, 7, tzinfo=timezone.utc)},
                    {"start": datetime(2025, 6, 1, tzinfo=timezone.utc),
                     "end": datetime(2026, 1, 1, tzinfo=timezone.utc)}):
        assert_same(admin, **filters)
    countries = sorted(db.session.scalars(select(Detention.country).distinct()))
    assert_same(actor("researcher", countries[:5]))
    # the migration computes the same facts from the stored events
    db.session.execute(AccountabilityFact.__table__.delete())
    migration("0011_accountability_facts.py").backfill(db.session.connection())
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AccountabilityFact)) == kept
    assert_same(admin)


def _facts(detention_id):
    db.session.rollback()
    return db.session.get(AccountabilityFact, uuid.UUID(detention_id))


def test_an_event_and_a_sync_batch_update_the_facts_at_once(client, auth, facility, detention, actor):
    headers, f = auth("monitor", ["MX"]), facility()
    d = detention(f, arrested=hours_ago(60))
    post = lambda body: client.post(f"/api/v1/detentions/{d['id']}/events", headers=headers, json=body)  # noqa: E731
    assert post({"type": "rights_notified", "occurred_at": iso(hours_ago(59))}).status_code == 201
    assert _facts(d["id"]) is None              # nothing to count yet: no row
    assert post({"type": "ill_treatment_alleged", "occurred_at": iso(hours_ago(50)),
                 "details": {}}).status_code == 201
    row = _facts(d["id"])
    assert row is not None and row.alleged_at is not None and not row.complaint
    batch = {"events": [{"id": str(uuid.uuid4()), "detention_id": d["id"], "type": "complaint_filed",
                         "occurred_at": iso(hours_ago(40)), "details": {"by": "ngo", "to": "nhri"}},
                        {"id": str(uuid.uuid4()), "detention_id": d["id"], "type": "investigation_opened",
                         "occurred_at": iso(hours_ago(30)), "details": {"independent": True}}]}
    response = client.post("/api/v1/sync", json=batch, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert [r["status"] for r in response.get_json()["results"]] == ["created", "created"]
    row = _facts(d["id"])
    assert row.complaint and row.investigated_at is not None and not row.prosecution
    assert_same(actor("admin", ()))
