"""The sweep with the legal clock: a late-recorded arrival clears a false flag (issue 17);
the accountability track of a released detainee stays open until case_closed (issue 15)."""
import pytest
from sqlalchemy import select

from monitor.extensions import db
from monitor.models import Detention, Flag
from monitor.services.evaluation import sweep as sweep_service
from tests.factories import T0, add, hours, make_detention, make_facility

MINUTE = hours(1 / 60)


@pytest.fixture
def admin(actor):
    return actor("admin", ())


def flag_of(detention, rule):
    return db.session.scalar(select(Flag).where(Flag.detention_id == detention.id, Flag.rule == rule))


def test_a_flag_raised_at_arrest_plus_24h_is_cleared_by_an_arrival_recorded_late(admin):
    station = make_facility(admin, country="GB", tz="Europe/London")
    d = make_detention(admin, station)
    add(admin, d, "detention_review", T0 + hours(5))
    add(admin, d, "detention_review", T0 + hours(14))
    add(admin, d, "detention_review", T0 + hours(23))
    sweep_service.sweep(T0 + hours(24) + MINUTE)
    flag = flag_of(d, "gb.custody_24h")
    assert (flag.status, flag.due_at) == ("open", T0 + hours(24))
    # the custody officer's booking-in at arrest + 2 h reaches the monitor later
    add(admin, d, "arrival", T0 + hours(2), now=T0 + hours(24) + 2 * MINUTE, facility_id=str(station.id))
    sweep_service.sweep(T0 + hours(24) + 3 * MINUTE)
    flag = flag_of(d, "gb.custody_24h")
    assert (flag.status, flag.resolution) == ("resolved", "cleared")
    assert db.session.get(Detention, d.id).next_due_at == T0 + hours(26)
    # the law's limit (arrival + 24 h) still holds: passing it raises the flag again
    sweep_service.sweep(T0 + hours(26) + MINUTE)
    flag = flag_of(d, "gb.custody_24h")
    assert (flag.status, flag.due_at) == ("open", T0 + hours(26))


def test_a_released_detainees_accountability_track_stays_open_until_case_closed(admin):
    d = make_detention(admin, make_facility(admin))
    add(admin, d, "judicial_appearance", T0 + hours(20), outcome="released")
    add(admin, d, "release", T0 + hours(21))
    sweep_service.sweep(T0 + hours(22))
    assert db.session.get(Detention, d.id).next_due_at is None  # nothing left to watch
    # an allegation at a later hearing opens the track
    add(admin, d, "judicial_appearance", T0 + hours(200), ill_treatment_reported=True)
    sweep_service.sweep(T0 + hours(201))
    assert db.session.get(Detention, d.id).next_due_at == T0 + hours(200 + 720)
    report = sweep_service.sweep(T0 + hours(920) + MINUTE)
    assert (str(d.id), "intl.investigation_threshold_30d") in report["raised_rules"]
    flag = flag_of(d, "intl.investigation_threshold_30d")
    assert (flag.status, flag.resolution, flag.breach) == ("open", None, "overdue")
    assert flag.safeguard == "investigation" and flag.severity == "medium"
    # opened late: the flag resolves as met_late, like any other
    add(admin, d, "investigation_opened", T0 + hours(930), independent=True)
    sweep_service.sweep(T0 + hours(931))
    flag = flag_of(d, "intl.investigation_threshold_30d")
    assert (flag.status, flag.resolution) == ("resolved", "met_late")
    # a confession admitted after the report is a violation at once, after release too
    add(admin, d, "evidence_ruling", T0 + hours(1000), confession_admitted=True)
    sweep_service.sweep(T0 + hours(1000) + MINUTE)
    for rule in ("intl.confession_excluded", "mx.confession_excluded"):
        assert (flag_of(d, rule).status, flag_of(d, rule).breach) == ("open", "violated"), rule
    add(admin, d, "case_closed", T0 + hours(1100), outcome="acquittal")
    sweep_service.sweep(T0 + hours(1100) + MINUTE)
    assert db.session.get(Detention, d.id).next_due_at is None
