"""The sweep: evaluate what has fallen due, raise and resolve flags, index the next due time.

Work is proportional to what is due: each detention carries `next_due_at` (indexed), set
to the moment of writing whenever its events change (it is due at once) and recomputed by
each evaluation, and a sweep selects only rows with `next_due_at < now` (a deadline is
still met at its due instant). The scheduler sweeps every SWEEP_INTERVAL_SECONDS, and
every EVALUATION_INTERVAL_SECONDS when anything is due, so a new event's flags follow it
within seconds while the request that records it stays short. Two sweeps at
once are safe: rows are locked per batch (SKIP LOCKED on PostgreSQL; SQLite serialises
writers) and the flags table has a unique (detention, rule) constraint.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from sqlalchemy import bindparam, select, tuple_, update

from monitor.bulkwrite import execute_many
from monitor.database import unit_of_work
from monitor.extensions import db
from monitor.models import Detention, Facility, SweepState
from monitor.services.evaluation.cases import domain_events, evaluate_many
from monitor.services.flags.changes import sync_flags_many
from monitor.services.research import facts

if TYPE_CHECKING:
    from sqlalchemy import CursorResult

SWEEP = "sweep"


def anything_due(now: datetime) -> bool:
    """Is any detention due for evaluation at `now`? (One indexed read; no lock taken.)"""
    due = db.session.scalar(select(Detention.id).where(Detention.next_due_at < now).limit(1))
    db.session.rollback()
    return due is not None


def _due_keys(now: datetime) -> list[tuple[Any, Any]]:
    """(next_due_at, id) of every detention due at `now`, in sweep order: one index range.

    Batches then load by id. Asking the keyset query for each batch instead sorted every due
    row again when many share one next_due_at (an import or a catch-up writes them at one
    instant): quadratic in the number due."""
    keys = db.session.execute(select(Detention.next_due_at, Detention.id).where(
        Detention.next_due_at < now).order_by(Detention.next_due_at, Detention.id)).all()
    db.session.rollback()  # a read: the batches each take the write lock in their own unit
    return [(due, detention_id) for due, detention_id in keys]


class Place(NamedTuple):
    """What evaluation reads of a detention's current facility."""
    timezone: str
    jurisdiction: str
    court_within_40km: bool | None


@dataclass(slots=True)
class DueDetention:
    """A due detention as the sweep reads and writes it: the columns evaluation needs, as a
    plain row (no ORM object, no unit of work: its new outcomes and next due time are
    written for the whole batch by one statement)."""
    id: Any
    country: str
    current_facility_id: Any
    arrested_at: datetime
    juvenile: bool
    offence_gravity: str | None
    organised_crime: bool | None
    capital_offence: bool | None
    status: str
    next_due_at: datetime | None
    current_facility: Place
    outcomes: Any = None


_D, _F = Detention.__table__, Facility.__table__
_COLUMNS = (_D.c.id, _D.c.country, _D.c.current_facility_id, _D.c.arrested_at, _D.c.juvenile,
            _D.c.offence_gravity, _D.c.organised_crime, _D.c.capital_offence, _D.c.status,
            _D.c.next_due_at, _F.c.timezone, _F.c.jurisdiction, _F.c.court_within_40km)
_STORE = (update(_D).where(_D.c.id == bindparam("row_id"))
          .values(next_due_at=bindparam("due"), outcomes=bindparam("stored"), updated_at=bindparam("now")))


def _load_batch(now: datetime, ids: Sequence[Any] | None, after: tuple[Any, Any] | None,
                size: int) -> list[DueDetention]:
    """Lock and load due detentions in (next_due_at, id) order: those of `ids` that are still
    due, or (ids None) the next `size` after `after`.

    Keyset order, not OFFSET: a detention handled earlier in this sweep has moved its
    next_due_at past `now` and left the selection, so each batch costs only its own rows."""
    # Only what evaluation reads: no person (identity blob), no sealed notes, no old outcomes.
    query = select(*_COLUMNS).join(_F, _F.c.id == _D.c.current_facility_id).where(_D.c.next_due_at < now)
    if ids is not None:
        query = query.where(_D.c.id.in_(ids))
    elif after is not None:
        query = query.where(tuple_(_D.c.next_due_at, _D.c.id) > after)
    query = query.order_by(_D.c.next_due_at, _D.c.id)
    if ids is None:
        query = query.limit(size)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=_D)
    return [DueDetention(*row[:10], current_facility=Place(row[10], row[11], row[12]))
            for row in db.session.connection().execute(query)]


ACTIONS = {"raise": "raised", "reopen": "reopened", "resolve": "resolved"}


def sweep(now: datetime, batch_size: int = 500, between_batches: Callable[[], object] | None = None
          ) -> dict[str, Any]:
    """Evaluate every detention due at `now`; returns counts and the flags raised.

    `between_batches()` runs after each committed batch (the scheduler renews its lease)."""
    report: dict[str, Any] = {"examined": 0, "raised": 0, "reopened": 0, "resolved": 0, "raised_rules": []}
    seen: set[Any] = set()
    keys = _due_keys(now)
    for start in range(0, len(keys), batch_size):
        ids = [detention_id for _, detention_id in keys[start:start + batch_size]]
        if _sweep_batch(now, report, seen, ids=ids) is not None and between_batches is not None:
            between_batches()
    # Then, as the keyset query alone did, whatever fell due meanwhile and sorts after the last.
    after = keys[-1] if keys else None
    while after is not None:
        after = _sweep_batch(now, report, seen, after=after, size=batch_size)
        if after is not None and between_batches is not None:
            between_batches()
    _mark_finished(now, report)
    return report


def _sweep_batch(now: datetime, report: dict[str, Any], seen: set[Any], ids: Sequence[Any] | None = None,
                 after: tuple[Any, Any] | None = None, size: int = 0) -> tuple[Any, Any] | None:
    """Lock, evaluate and commit one batch (see _load_batch); returns the (next_due_at, id) its
    last row had before evaluation, or None when nothing was left to lock."""
    with unit_of_work():
        batch = _load_batch(now, ids, after, size)
        if not batch:
            db.session.rollback()
            return None
        last = (batch[-1].next_due_at, batch[-1].id)  # before evaluation moves it
        batch = [d for d in batch if d.id not in seen]  # never twice in one sweep
        seen.update(d.id for d in batch)
        _evaluate_batch(batch, now, report)
    return last


def _evaluate_batch(batch: Sequence[DueDetention], now: datetime, report: dict[str, Any]) -> None:
    """Re-evaluate one locked batch, store it (outcomes and next due times in one statement,
    the statistics' facts, the flags) and count its flag changes into `report`."""
    events = domain_events([d.id for d in batch])
    evaluated = evaluate_many([(d, events[d.id]) for d in batch], now)
    connection = db.session.connection()
    execute_many(connection, _STORE, [{"row_id": d.id, "due": d.next_due_at, "stored": d.outcomes, "now": now}
                                      for d in batch])
    facts.refresh(connection, [(d.id, d.country, d.current_facility_id, d.arrested_at, d.outcomes)
                               for d in batch])
    changes = sync_flags_many(evaluated, now)
    for detention, made in zip(batch, changes, strict=False):
        for change in made:
            if change.action in ACTIONS:
                report[ACTIONS[change.action]] += 1
            if change.action == "raise":
                report["raised_rules"].append((str(detention.id), change.rule))
    report["examined"] += len(batch)


def _mark_finished(now: datetime, report: dict[str, Any]) -> None:
    """Record when the last sweep finished (shown by /healthz)."""
    summary = {k: v for k, v in report.items() if k != "raised_rules"}
    with unit_of_work():
        state = db.session.get(SweepState, SWEEP)
        if state is None:
            state = SweepState(name=SWEEP)
            db.session.add(state)
        state.last_sweep_at, state.last_result = now, summary


def acquire_lease(holder: str, now: datetime, seconds: float) -> bool:
    """Take or renew the sweep lease; True if `holder` now holds it."""
    with unit_of_work():
        result = cast("CursorResult[Any]", db.session.execute(
            update(SweepState).where(SweepState.name == SWEEP).where(
                (SweepState.lease_until.is_(None)) | (SweepState.lease_until < now)
                | (SweepState.holder == holder))
            .values(holder=holder, lease_until=now + timedelta(seconds=seconds))))
    return result.rowcount == 1


def release_lease(holder: str) -> None:
    """Give the lease up so another process may sweep at once."""
    with unit_of_work():
        db.session.execute(update(SweepState).where(
            SweepState.name == SWEEP, SweepState.holder == holder).values(lease_until=None))
