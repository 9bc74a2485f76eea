"""Statistics from the counts kept as outcomes are stored give exactly what counting every
detention's outcomes gives (monitor.domain.research.compliance_table), for every grouping,
filter and scope, after re-evaluations and transfers, after the counts are folded, and after
the migration computes them for detentions stored before it."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from monitor.domain.research import compliance_table, worst_by_safeguard
from monitor.extensions import db
from monitor.models import ComplianceCount, ComplianceSize, Detention, Facility, SafeguardFact
from monitor.services.evaluation.sweep import sweep
from monitor.services.research import facts, statistics
from seed.bulk import generate
from tests.helpers import migration, run_together

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=timezone.utc)
GROUPINGS = ("country", "facility", "month", "safeguard")


def reference(actor, group_by, country=None, start=None, end=None):
    """The statistics as they were computed before counts were kept: every outcome read."""
    rows = []
    for d in db.session.scalars(select(Detention)):
        if not actor.all_countries and d.country not in actor.countries:
            continue
        if (country and d.country != country) or (start and d.arrested_at < start) or (end and d.arrested_at >= end):
            continue
        rows.append({"id": d.id, "country": d.country, "facility": str(d.current_facility_id),
                     "arrested_at": d.arrested_at, "outcomes": d.outcomes})

    def key_of(row):
        group = {"country": row["country"], "facility": row["facility"],
                 "month": row["arrested_at"].strftime("%Y-%m")}.get(group_by)
        for safeguard, (status, met) in worst_by_safeguard(row["outcomes"]).items():
            yield (safeguard if group is None else group), safeguard, status, met
    return compliance_table(rows, key_of, partition=group_by != "safeguard")


def assert_same(actor, **filters):
    for group_by in GROUPINGS:
        kept = statistics.compliance(actor, group_by, NOW, **filters)
        assert kept == reference(actor, group_by, **filters), (group_by, filters)


FILTERS = [
    {},
    {"country": "MX"},
    {"start": datetime(2025, 9, 1, tzinfo=timezone.utc)},                       # whole months from
    {"end": datetime(2026, 1, 1, tzinfo=timezone.utc)},                         # whole months to
    {"start": datetime(2025, 8, 17, 6, 30, tzinfo=timezone.utc)},               # an edge, then months
    {"start": datetime(2025, 6, 3, tzinfo=timezone.utc),
     "end": datetime(2026, 2, 20, 18, tzinfo=timezone.utc)},                    # edges on both sides
    {"start": datetime(2025, 11, 4, tzinfo=timezone.utc),
     "end": datetime(2025, 11, 29, tzinfo=timezone.utc)},                       # inside one month
    {"start": datetime(2026, 3, 1, tzinfo=timezone.utc), "end": datetime(2026, 3, 1, tzinfo=timezone.utc)},
]


@pytest.fixture
def generated(app):
    generate(700, 25, NOW, app.extensions["monitor.cipher"], batch=250, progress=False)
    return sorted(db.session.scalars(select(Detention.country).distinct()))


def test_kept_counts_equal_counting_every_outcome(generated, actor):
    admin = actor("admin", ())
    months = db.session.scalars(select(func.count(func.distinct(SafeguardFact.month)))).one()
    assert len(generated) >= 9 and months >= 6  # a mix of countries and months to group by
    shown = [g for g in statistics.compliance(admin, "month", NOW) if not g["suppressed"]]
    assert any(s["median_hours"] is not None for g in shown for s in g["safeguards"].values())
    for filters in FILTERS:
        assert_same(admin, **filters)
    assert_same(actor("researcher", generated[:4]))                  # a scope of four countries
    assert_same(actor("researcher", generated[:4]), country=generated[1],
                start=datetime(2025, 10, 9, 13, tzinfo=timezone.utc))


KEYS = select(ComplianceCount.country, ComplianceCount.facility_id, ComplianceCount.month,
              ComplianceCount.safeguard, ComplianceCount.status, ComplianceCount.bucket)


def test_the_generator_leaves_one_count_row_per_key(generated):
    rows = db.session.scalar(select(func.count()).select_from(ComplianceCount))
    assert rows == db.session.scalar(select(func.count()).select_from(KEYS.distinct().subquery()))


def test_counts_follow_reevaluation_transfer_and_folding(generated, actor):
    admin = actor("admin", ())
    keys = KEYS
    report = sweep(NOW + timedelta(days=3))                           # outcomes of many detentions change
    assert report["examined"] >= 25
    detention = db.session.scalars(select(Detention).where(Detention.outcomes.is_not(None))
                                   .order_by(Detention.id).limit(1)).one()
    abroad = db.session.scalars(select(Facility).where(Facility.country != detention.country).limit(1)).one()
    detention.current_facility_id, detention.country = abroad.id, abroad.country  # a transfer abroad
    db.session.commit()
    assert {f.country for f in db.session.scalars(
        select(SafeguardFact).where(SafeguardFact.detention_id == detention.id))} == {abroad.country}
    for filters in FILTERS[:2] + FILTERS[5:6]:
        assert_same(admin, **filters)
    rows = db.session.scalar(select(func.count()).select_from(ComplianceCount))
    assert rows > db.session.scalar(select(func.count()).select_from(keys.distinct().subquery()))
    before, after = facts.compact(db.session.connection())
    db.session.commit()
    assert before == rows and after < before
    assert db.session.scalar(select(func.count()).where(ComplianceCount.n == 0)) == 0
    assert db.session.execute(select(func.count()).select_from(keys.distinct().subquery())).scalar() == after
    for filters in FILTERS[:2] + FILTERS[5:6]:
        assert_same(admin, **filters)


def test_folding_waits_until_the_counts_have_grown(generated):
    connection = db.session.connection()
    assert facts.compact_if_grown(connection, floor=10**9) is None
    first = facts.compact_if_grown(connection, floor=10)
    assert first is not None and first[1] <= first[0]
    assert facts.compact_if_grown(connection, floor=10) is None      # nothing appended since


def test_the_migration_computes_facts_and_counts_of_stored_outcomes(generated, actor):
    admin = actor("admin", ())
    expected = {group_by: statistics.compliance(admin, group_by, NOW) for group_by in GROUPINGS}
    for model in (SafeguardFact, ComplianceCount, ComplianceSize):
        db.session.execute(model.__table__.delete())
    migration("0010_compliance_counts.py")._backfill(db.session.connection())
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SafeguardFact)) > 2000
    for group_by in GROUPINGS:
        assert statistics.compliance(admin, group_by, NOW) == expected[group_by] == reference(admin, group_by)


def test_the_scheduler_folds_the_counts_after_a_sweep_that_evaluated(app, generated):
    from monitor.scheduler import run_sweep_job
    app.config["COMPLIANCE_FOLD_ROWS"] = 10
    appended = db.session.scalar(select(func.count()).select_from(ComplianceCount))
    db.session.rollback()                                             # the job has its own session
    report = run_sweep_job(app)                                       # evaluates the late arrests
    db.session.rollback()                                             # see what it committed
    assert report is not None and report["examined"] >= 25
    keys = select(ComplianceCount.country, ComplianceCount.facility_id, ComplianceCount.month,
                  ComplianceCount.safeguard, ComplianceCount.status, ComplianceCount.bucket).distinct()
    folded = db.session.scalar(select(func.count()).select_from(ComplianceCount))
    assert folded < appended and folded == db.session.scalar(select(func.count()).select_from(keys.subquery()))


def test_concurrent_sweeps_and_folds_lose_no_count(app, generated, actor):
    """Sweeps in three threads append count changes for the same keys while a fourth folds
    them: no error, no deadlock, and the statistics still equal counting every outcome."""
    db.session.remove()
    errors = []

    def run(kind):
        try:
            with app.app_context():
                if kind == "fold":
                    for _ in range(5):
                        facts.fold_if_grown(floor=1)
                else:
                    sweep(NOW + timedelta(days=2), batch_size=20)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    run_together(run, [("sweep",), ("sweep",), ("sweep",), ("fold",)])
    assert errors == []
    assert_same(actor("admin", ()))
    assert_same(actor("admin", ()), start=datetime(2025, 8, 17, 6, 30, tzinfo=timezone.utc))
