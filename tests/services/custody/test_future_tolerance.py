"""The future tolerance (phones' clocks run fast) is one constant, read by every time a caller sends."""
import pytest

from monitor.domain import plausibility
from monitor.exceptions import Invalid
from monitor.services.custody import visits
from schemas.fields import format_timestamp
from schemas.visits import VisitInSchema
from tests.factories import SECOND, T0, add, hours, make_detention, make_facility

AHEAD = hours(1) - SECOND  # inside the widened tolerance, outside the default 300 s


@pytest.fixture
def admin(actor):
    return actor("admin", ())


@pytest.fixture
def widened(monkeypatch):
    """Widen the one constant: every check must follow it."""
    monkeypatch.setattr(plausibility, "FUTURE_TOLERANCE", hours(1))


def _visit(admin, facility, started):
    data = VisitInSchema().load({"facility_id": str(facility.id), "access": "full",
                                 "started_at": format_timestamp(started)})
    return visits.create_visit(admin, data, T0)[0]


def test_default_tolerance_refuses_an_hour_ahead(admin):
    facility = make_facility(admin)
    with pytest.raises(Invalid):
        make_detention(admin, facility, arrested=T0 + AHEAD, now=T0)
    with pytest.raises(Invalid):
        _visit(admin, facility, T0 + AHEAD)
    detention = make_detention(admin, facility, arrested=T0 - hours(2), now=T0)
    with pytest.raises(Invalid):
        add(admin, detention, "rights_notified", T0 + AHEAD, now=T0)


def test_arrest_event_and_visit_all_read_the_one_constant(admin, widened):
    facility = make_facility(admin)
    assert make_detention(admin, facility, arrested=T0 + AHEAD, now=T0).arrested_at is not None
    assert _visit(admin, facility, T0 + AHEAD) is not None
    detention = make_detention(admin, facility, arrested=T0 - hours(2), now=T0)
    assert add(admin, detention, "rights_notified", T0 + AHEAD, now=T0).type == "rights_notified"
    with pytest.raises(Invalid):  # and still refuses past it
        add(admin, detention, "rights_notified", T0 + hours(1) + SECOND, now=T0)
