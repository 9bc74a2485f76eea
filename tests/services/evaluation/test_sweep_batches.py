"""The sweep's batches: due rows read once in (next_due_at, id) order, each evaluated once,
rows that change while it runs treated as the keyset query alone treated them."""

import pytest
from sqlalchemy import func, select, update

from monitor.database import unit_of_work
from monitor.extensions import db
from monitor.models import Detention, Flag
from monitor.services.evaluation import sweep as sweep_service
from tests.factories import T0, hours, make_detention, make_facility


@pytest.fixture
def admin(actor):
    return actor("admin", ())


def _set_next_due(detention_id, at):
    """Write a detention's next due time as another process would, between two batches."""
    with unit_of_work():
        db.session.execute(update(Detention).where(Detention.id == detention_id).values(next_due_at=at))


def _first_change(detention_id):
    return db.session.scalar(select(func.min(Flag.change_seq)).where(Flag.detention_id == detention_id))


def test_rows_due_at_one_instant_are_swept_in_id_order_across_batches(admin):
    facility = make_facility(admin)
    ids = [make_detention(admin, facility, now=T0).id for _ in range(7)]  # one next_due_at: T0
    report = sweep_service.sweep(T0 + hours(50), batch_size=3)
    assert report["examined"] == 7
    firsts = [_first_change(i) for i in sorted(ids)]
    assert None not in firsts and firsts == sorted(firsts)  # feed numbers follow sweep order


def test_a_row_falling_due_after_the_last_one_read_is_swept_the_same_time(admin):
    facility = make_facility(admin)
    for _ in range(3):
        make_detention(admin, facility, now=T0)
    late = make_detention(admin, facility, now=T0 + hours(100)).id  # not due at T0 + 50 h
    moved = []

    def between_batches():
        if not moved:  # it falls due meanwhile, after every row read so far
            _set_next_due(late, T0 + hours(10))
            moved.append(late)

    report = sweep_service.sweep(T0 + hours(50), batch_size=2, between_batches=between_batches)
    assert report["examined"] == 4 and _first_change(late) is not None


def test_a_row_evaluated_elsewhere_meanwhile_is_not_evaluated_again(admin):
    facility = make_facility(admin)
    ids = sorted(make_detention(admin, facility, now=T0).id for _ in range(5))
    taken = []

    def between_batches():
        if not taken:  # another process evaluated the last one: no longer due
            _set_next_due(ids[-1], T0 + hours(200))
            taken.append(ids[-1])

    report = sweep_service.sweep(T0 + hours(50), batch_size=2, between_batches=between_batches)
    assert report["examined"] == 4 and _first_change(ids[-1]) is None
