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
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import defer, lazyload

from monitor.database import unit_of_work
from monitor.extensions import db
from monitor.models import Detention, SweepState
from monitor.services.evaluation.cases import domain_events, reevaluate_many

if TYPE_CHECKING:
    from sqlalchemy import CursorResult

SWEEP = "sweep"


def anything_due(now: datetime) -> bool:
    """Is any detention due for evaluation at `now`? (One indexed read; no lock taken.)"""
    due = db.session.scalar(select(Detention.id).where(Detention.next_due_at < now).limit(1))
    db.session.rollback()
    return due is not None


def _due_batch(now: datetime, size: int, after: tuple[Any, Any] | None) -> Sequence[Detention]:
    """Lock and load the next batch of due detentions, in (next_due_at, id) order after `after`.

    Keyset order, not OFFSET: a detention handled earlier in this sweep has moved its
    next_due_at past `now` and left the selection, so each batch costs only its own rows."""
    # Only what evaluation reads: no person (identity blob), no sealed notes, no old outcomes.
    query = select(Detention).options(
        lazyload(Detention.person), defer(Detention.private_enc), defer(Detention.outcomes)
    ).where(Detention.next_due_at < now)
    if after is not None:
        query = query.where(tuple_(Detention.next_due_at, Detention.id) > after)
    query = query.order_by(Detention.next_due_at, Detention.id).limit(size)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Detention)
    return db.session.scalars(query).unique().all()


ACTIONS = {"raise": "raised", "reopen": "reopened", "resolve": "resolved"}


def sweep(now: datetime, batch_size: int = 500, between_batches: Callable[[], object] | None = None
          ) -> dict[str, Any]:
    """Evaluate every detention due at `now`; returns counts and the flags raised.

    `between_batches()` runs after each committed batch (the scheduler renews its lease)."""
    report: dict[str, Any] = {"examined": 0, "raised": 0, "reopened": 0, "resolved": 0, "raised_rules": []}
    seen: set[Any] = set()
    after: tuple[Any, Any] | None = None
    while True:
        with unit_of_work():
            batch = _due_batch(now, batch_size, after)
            if not batch:
                db.session.rollback()
                break
            after = (batch[-1].next_due_at, batch[-1].id)  # before evaluation moves it
            batch = [d for d in batch if d.id not in seen]  # never twice in one sweep
            seen.update(d.id for d in batch)
            events = domain_events([d.id for d in batch])
            changes = reevaluate_many([(d, events[d.id]) for d in batch], now)
            for detention, made in zip(batch, changes, strict=False):
                for change in made:
                    if change.action in ACTIONS:
                        report[ACTIONS[change.action]] += 1
                    if change.action == "raise":
                        report["raised_rules"].append((str(detention.id), change.rule))
            report["examined"] += len(batch)
        if between_batches is not None:
            between_batches()
    _mark_finished(now, report)
    return report


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
