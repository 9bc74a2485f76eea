"""The sweep: flags raised once, resolved by themselves, work proportional to what is due."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from monitor.exceptions import Conflict, Forbidden
from monitor.extensions import db
from monitor.models import Detention, Flag
from monitor.services.evaluation import sweep as sweep_service
from monitor.services.flags import actions as flag_service
from tests.factories import SECOND, T0, add, hours, make_detention, make_facility
from tests.helpers import run_together


@pytest.fixture
def admin(actor):
    return actor("admin", ())


def flags_by_safeguard(detention):
    rows = db.session.scalars(select(Flag).where(Flag.detention_id == detention.id)).all()
    return {(f.safeguard, f.severity): f for f in rows}


def test_overdue_judicial_review_raises_national_and_international_flags(admin):
    d = make_detention(admin, make_facility(admin))
    report = sweep_service.sweep(T0 + hours(50))
    assert report["examined"] == 1 and report["raised"] >= 2
    flags = flags_by_safeguard(d)
    assert ("judicial_review", "high") in flags      # mx: 48 h (Constitution art. 16)
    assert ("judicial_review", "medium") in flags    # intl: 48 h (ICCPR 9(3))
    judicial = flags[("judicial_review", "high")]
    assert judicial.status == "open" and judicial.country == "MX"
    assert judicial.due_at == T0 + hours(48)


def test_raised_flags_have_ids_ordered_by_the_sweep_that_raised_them(admin):
    first, second = (make_detention(admin, make_facility(admin)) for _ in range(2))
    add(admin, second, "release", T0 + hours(1))
    sweep_service.sweep(T0 + hours(50))
    earlier = set(flags_by_safeguard(first).values())
    make_detention(admin, make_facility(admin))
    sweep_service.sweep(T0 + hours(51))
    later = set(db.session.scalars(select(Flag)).all()) - earlier
    assert earlier and later
    for flag in earlier | later:  # version 7: the raise time's milliseconds come first
        assert flag.id.version == 7 and flag.id.int >> 80 == int(flag.raised_at.timestamp() * 1000)
    assert max(f.id.hex for f in earlier) < min(f.id.hex for f in later)


def test_a_second_sweep_adds_nothing_and_an_idle_sweep_examines_nothing(admin):
    make_detention(admin, make_facility(admin))
    sweep_service.sweep(T0 + hours(50))
    count = db.session.scalar(select(func.count()).select_from(Flag))
    again = sweep_service.sweep(T0 + hours(50))
    assert again["raised"] == 0 and again["examined"] == 0
    assert db.session.scalar(select(func.count()).select_from(Flag)) == count


def test_next_due_at_is_indexed_and_only_due_rows_are_examined(admin):
    facility = make_facility(admin)
    early = make_detention(admin, facility, arrested=T0)
    late = make_detention(admin, facility, arrested=T0 + hours(40))
    assert early.next_due_at is not None and early.next_due_at > T0
    report = sweep_service.sweep(T0 + hours(30))
    examined_ids = {d for d, _ in report["raised_rules"]}
    assert str(late.id) not in examined_ids
    assert db.session.get(Detention, late.id).next_due_at > T0 + hours(30)


def test_met_late_resolves_the_flag_by_itself(admin):
    d = make_detention(admin, make_facility(admin))
    sweep_service.sweep(T0 + hours(50))
    add(admin, d, "judicial_appearance", T0 + hours(52), outcome="remanded")
    sweep_service.sweep(T0 + hours(52) + SECOND)
    flag = flags_by_safeguard(d)[("judicial_review", "high")]
    assert (flag.status, flag.resolution) == ("resolved", "met_late")


def test_a_flag_disproved_by_a_late_recorded_event_is_cleared(admin):
    d = make_detention(admin, make_facility(admin))
    sweep_service.sweep(T0 + hours(50))
    # the judge saw the person at 40 h; the monitor only learns of it at 51 h
    add(admin, d, "judicial_appearance", T0 + hours(40), now=T0 + hours(51), outcome="remanded")
    sweep_service.sweep(T0 + hours(51) + SECOND)
    flag = flags_by_safeguard(d)[("judicial_review", "high")]
    assert (flag.status, flag.resolution) == ("resolved", "cleared")
    outcomes = {o["rule"]: o["status"] for o in db.session.get(Detention, d.id).outcomes}
    assert outcomes[flag.rule] == "met"  # counted as met in time, not as a breach


def test_release_resolves_open_flags_and_keeps_the_breach(admin):
    d = make_detention(admin, make_facility(admin))
    sweep_service.sweep(T0 + hours(50))
    add(admin, d, "release", T0 + hours(55))
    sweep_service.sweep(T0 + hours(55) + SECOND)
    flag = flags_by_safeguard(d)[("judicial_review", "high")]
    assert (flag.status, flag.resolution, flag.breach) == ("resolved", "released", "overdue")


def test_interrogation_without_lawyer_is_flagged_by_the_next_evaluation(admin):
    d = make_detention(admin, make_facility(admin))
    add(admin, d, "interrogation", T0 + hours(1), lawyer_present=False)
    assert ("lawyer_at_interrogation", "medium") not in flags_by_safeguard(d)  # not in the request
    report = sweep_service.sweep(T0 + hours(1) + SECOND)
    assert report["examined"] == 1
    flag = flags_by_safeguard(d)[("lawyer_at_interrogation", "medium")]
    assert flag.breach == "violated" and flag.status == "open"


def test_an_event_makes_its_detention_due_at_once_and_evaluation_moves_it_on(admin):
    d = make_detention(admin, make_facility(admin))
    assert not sweep_service.anything_due(T0 + hours(1))  # next deadline is hours away
    add(admin, d, "lawyer_requested", T0 + hours(1))
    db.session.refresh(d)
    assert d.next_due_at == T0 + hours(1) and d.updated_at == T0 + hours(1)
    assert not sweep_service.anything_due(T0 + hours(1))  # due only after the instant of writing
    assert sweep_service.anything_due(T0 + hours(1) + SECOND)
    sweep_service.sweep(T0 + hours(1) + SECOND)
    db.session.refresh(d)
    assert d.next_due_at > T0 + hours(1) + SECOND
    assert not sweep_service.anything_due(T0 + hours(1) + SECOND)


def test_catch_up_after_downtime(admin):
    facility = make_facility(admin)
    batch = [make_detention(admin, facility, arrested=T0 + hours(i)) for i in range(5)]
    report = sweep_service.sweep(T0 + hours(200), batch_size=2)
    assert report["examined"] == 5
    assert all(("judicial_review", "high") in flags_by_safeguard(d) for d in batch)


def test_one_flag_per_detention_and_rule_is_a_database_constraint(admin):
    d = make_detention(admin, make_facility(admin))
    sweep_service.sweep(T0 + hours(50))
    flag = flags_by_safeguard(d)[("judicial_review", "high")]
    db.session.add(Flag(detention_id=d.id, rule=flag.rule, safeguard=flag.safeguard,
                        severity="high", country="MX", facility_id=flag.facility_id, status="open",
                        breach="overdue", raised_at=T0, updated_at=T0, change_seq=999))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_concurrent_sweeps_never_duplicate_or_lose_a_flag(app, admin):
    facility = make_facility(admin)
    made = [make_detention(admin, facility, arrested=T0 + hours(i % 7)).id for i in range(30)]
    db.session.remove()
    errors = []

    def run():
        try:
            with app.app_context():
                sweep_service.sweep(T0 + hours(100), batch_size=4)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    run_together(run, [()] * 3)
    assert errors == []
    pairs = db.session.execute(select(Flag.detention_id, Flag.rule)).all()
    assert len(pairs) == len(set(pairs))
    assert {d for d, _ in pairs} == set(made)
    single = [len(flags_by_safeguard(db.session.get(Detention, d))) for d in made]
    assert len(set(single)) == 1 and single[0] >= 2


def test_lease_lets_one_process_sweep(app):
    assert sweep_service.acquire_lease("a", T0, 60)
    assert not sweep_service.acquire_lease("b", T0 + hours(0.01), 60)
    assert sweep_service.acquire_lease("a", T0 + hours(0.01), 60)  # renewal
    assert sweep_service.acquire_lease("b", T0 + hours(1), 60)     # expired
    sweep_service.release_lease("b")
    assert sweep_service.acquire_lease("a", T0 + hours(1), 60)


def test_health_reports_the_last_sweep(client):
    sweep_service.sweep(T0)
    assert client.get("/healthz").get_json()["last_sweep_at"] == "2026-03-02T09:00:00Z"


def test_acknowledge_and_dismiss(actor, admin):
    d = make_detention(admin, make_facility(admin))
    sweep_service.sweep(T0 + hours(50))
    flag = flags_by_safeguard(d)[("judicial_review", "high")]
    partner, other = actor("partner", ["MX"]), actor("partner", ["KE"])
    with pytest.raises(Forbidden):
        flag_service.dismiss(partner, flag.id, "no", T0 + hours(51))
    from monitor.exceptions import NotFound
    with pytest.raises(NotFound):
        flag_service.acknowledge(other, flag.id, "", T0 + hours(51))
    seq = flag.change_seq
    acked = flag_service.acknowledge(partner, flag.id, "lawyer sent", T0 + hours(51))
    assert acked.status == "acknowledged" and acked.change_seq > seq
    dismissed = flag_service.dismiss(admin, flag.id, "duplicate record", T0 + hours(52))
    assert (dismissed.status, dismissed.resolution) == ("resolved", "dismissed")
    with pytest.raises(Conflict):
        flag_service.acknowledge(partner, flag.id, "", T0 + hours(53))
    add(admin, d, "interrogation", T0 + hours(53), lawyer_present=True)
    sweep_service.sweep(T0 + hours(60))
    assert flags_by_safeguard(d)[("judicial_review", "high")].resolution == "dismissed"


def test_the_evaluation_tick_does_nothing_when_nothing_is_due(app, admin):
    from datetime import datetime, timedelta, timezone

    from monitor.models import SweepState
    from monitor.scheduler import run_sweep_job
    assert run_sweep_job(app, only_if_due=True) is None  # nothing stored: no lease, no sweep
    state = db.session.get(SweepState, "sweep")
    db.session.refresh(state)
    assert state.last_sweep_at is None and state.holder is None
    recent = datetime.now(timezone.utc) - timedelta(minutes=5)
    d = make_detention(admin, make_facility(admin), arrested=recent)
    add(admin, d, "interrogation", recent + timedelta(minutes=1), lawyer_present=False)
    report = run_sweep_job(app, only_if_due=True)
    assert report is not None and report["examined"] == 1 and report["raised"] >= 1
    assert ("lawyer_at_interrogation", "medium") in flags_by_safeguard(d)


def test_the_scheduler_job_sweeps_only_under_the_lease_and_gives_it_back(app):
    from datetime import datetime, timezone

    from monitor.models import SweepState
    from monitor.scheduler import holder_name, run_sweep_job
    assert sweep_service.acquire_lease("another-process", datetime.now(timezone.utc), 60)
    assert run_sweep_job(app) is None  # someone else holds the lease: no sweep
    sweep_service.release_lease("another-process")
    report = run_sweep_job(app)
    assert report is not None and report["examined"] == 0
    state = db.session.get(SweepState, "sweep")
    db.session.refresh(state)
    assert state.holder == holder_name() and state.lease_until is None and state.last_sweep_at
