"""The sweep: evaluate what has fallen due, raise and resolve flags, index the next due time.

Work is proportional to what is due: each detention carries `next_due_at` (indexed),
recomputed whenever its events change and after each evaluation, and a sweep selects only
rows with `next_due_at < now` (a deadline is still met at its due instant). Two sweeps at
once are safe: rows are locked per batch (SKIP LOCKED on PostgreSQL; SQLite serialises
writers) and the flags table has a unique (detention, rule) constraint.
"""
from datetime import timedelta

from sqlalchemy import select, update

from monitor.database import write_intent
from monitor.domain.evaluator import evaluate_with_next_change
from monitor.extensions import db
from monitor.models import Detention, SweepState
from monitor.services.flag_sync import sync_flags
from monitor.services.records import case_of, domain_events, rule_sets_for, stored_outcomes

SWEEP = "sweep"


def reevaluate(detention, now, events=None):
    """Evaluate one detention, sync its flags, store its outcomes, index its next due time."""
    case, sets = case_of(detention, events), rule_sets_for(detention.current_facility)
    results, detention.next_due_at = evaluate_with_next_change(case, sets, now)
    changes = sync_flags(detention, results, now)
    detention.outcomes = stored_outcomes(results, detention.juvenile, sets)
    return changes


def _due_batch(now, size, seen):
    """Lock and load the next batch of due detentions not yet handled in this sweep."""
    query = (select(Detention).where(Detention.next_due_at < now)
             .order_by(Detention.next_due_at, Detention.id).limit(size + len(seen)))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Detention)
    return [d for d in db.session.scalars(query).unique() if d.id not in seen][:size]


def sweep(now, batch_size=500):
    """Evaluate every detention due at `now`; returns counts and the flags raised."""
    report = {"examined": 0, "raised": 0, "reopened": 0, "resolved": 0, "raised_rules": []}
    seen = set()
    while True:
        with write_intent():
            batch = _due_batch(now, batch_size, seen)
            if not batch:
                db.session.rollback()
                break
            events = domain_events([d.id for d in batch])
            for detention in batch:
                seen.add(detention.id)
                for change in reevaluate(detention, now, events[detention.id]):
                    key = {"raise": "raised", "reopen": "reopened", "resolve": "resolved"}.get(change.action)
                    if key:
                        report[key] += 1
                    if change.action == "raise":
                        report["raised_rules"].append((str(detention.id), change.rule))
            report["examined"] += len(batch)
            db.session.commit()
    _mark_finished(now, report)
    return report


def _mark_finished(now, report):
    """Record when the last sweep finished (shown by /healthz)."""
    summary = {k: v for k, v in report.items() if k != "raised_rules"}
    with write_intent():
        state = db.session.get(SweepState, SWEEP)
        if state is None:
            state = SweepState(name=SWEEP)
            db.session.add(state)
        state.last_sweep_at, state.last_result = now, summary
        db.session.commit()


def acquire_lease(holder, now, seconds):
    """Take or renew the sweep lease; True if `holder` now holds it."""
    with write_intent():
        result = db.session.execute(
            update(SweepState).where(SweepState.name == SWEEP).where(
                (SweepState.lease_until.is_(None)) | (SweepState.lease_until < now)
                | (SweepState.holder == holder))
            .values(holder=holder, lease_until=now + timedelta(seconds=seconds)))
        db.session.commit()
    return result.rowcount == 1


def release_lease(holder):
    """Give the lease up so another process may sweep at once."""
    with write_intent():
        db.session.execute(update(SweepState).where(
            SweepState.name == SWEEP, SweepState.holder == holder).values(lease_until=None))
        db.session.commit()
