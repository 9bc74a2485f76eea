"""Field sync: a phone's batch of detentions, events and visits, checked item by item and
stored together.

Every item ends as `created`, `unchanged` (identical replay), `conflict` (same id, other
content; the stored record is untouched) or `invalid` (the same field errors the single-item
endpoint gives). Order inside the batch does not matter: detentions first, then events in
time order (so a release never blocks an earlier event sent after it), then visits (which
may name detentions of the same batch). Every item is checked first (services.sync_plan);
then one multi-row insert per table, the audit entry, the evaluation of every detention
the batch touched, and one commit: an unexpected error stores nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Table

from monitor.domain.json_values import bad_values
from monitor.exceptions import AppError, Conflict, Invalid, TooLarge
from monitor.extensions import db
from monitor.models import CustodyEvent, Detention, Person, Visit
from monitor.models.visits import visit_detentions
from monitor.services import audit
from monitor.services.access import CUSTODY_WRITERS, Actor, require_role
from monitor.services.custody.detentions import LEAN
from monitor.services.custody.sync_plan import EVENT_IN, KINDS, Plan
from monitor.services.evaluation.cases import domain_events, reevaluate_many
from monitor.services.idempotency import INSERTS
from monitor.services.research import impunity

MAX_ITEMS = 1000
# A concurrent request storing some of the same ids between our reads and our inserts makes
# the whole batch start again (it then sees them stored); a few rounds settle any real race.
ATTEMPTS = 5
TABLES: tuple[Table, ...] = (Person.__table__, Detention.__table__, CustodyEvent.__table__,
                             Visit.__table__, visit_detentions)


class Raced(Exception):
    """Another transaction stored one of the batch's ids after the batch read them."""


def _event_order(item: Any) -> tuple[str, str]:
    """Events apply in time order; unparsable times go last (they will be invalid anyway)."""
    stamp = item.get("occurred_at") if isinstance(item, dict) else None
    try:
        moment: Any = EVENT_IN.fields["occurred_at"].deserialize(stamp)
        key = moment.isoformat()
    except ValidationError:
        key = "~"
    return (key, str(item.get("id")) if isinstance(item, dict) else "")


def _result(kind: str, item: Any, apply: Callable[[Any], bool]) -> dict[str, Any]:
    """One item's result row: `apply(item)` says whether it created its record."""
    item_id = item.get("id") if isinstance(item, dict) else None
    result: dict[str, Any] = {"kind": kind[:-1], "id": item_id if isinstance(item_id, str) else None,
              "status": None, "errors": None}
    try:
        if bad_values(item):  # lone surrogates, out-of-range numbers: this item only
            raise Invalid(bad_values(item))
        result["status"] = "created" if apply(item) else "unchanged"
    except Invalid as exc:
        result.update(status="invalid", errors=exc.errors)
    except Conflict as exc:
        result.update(status="conflict", errors={"id": [exc.detail]})
    except AppError as exc:
        result.update(status="invalid", errors={"_schema": [exc.detail]})
    return result


def _insert(table: Table, rows: list[dict[str, Any]]) -> None:
    """One multi-row INSERT … ON CONFLICT DO NOTHING; Raced if any row was already there."""
    if not rows:
        return
    keys = list(table.primary_key.columns)
    rows = sorted(rows, key=lambda row: tuple(str(row[c.name]) for c in keys))  # lock order
    insert: Any = INSERTS[db.engine.dialect.name]  # the dialect's insert (ON CONFLICT)
    statement = (insert(table)
                 .on_conflict_do_nothing(index_elements=[c.name for c in keys]).returning(keys[0]))
    inserted = db.session.connection().execute(statement, rows).all()
    if len(inserted) != len(rows):
        raise Raced(table.name)


def _evaluate(plan: Plan, now: datetime) -> None:
    """Safeguards and flags, as after single events, for every touched detention at once."""
    ids = sorted(plan.touched, key=str)
    new = [i for i in ids if i in plan.new]
    held = db.session.scalars(db.select(Detention).options(*LEAN).where(Detention.id.in_(new))).all()
    stored = domain_events(ids)
    reevaluate_many([(db.session.get(Detention, i), stored[i]) for i in ids], now)
    del held


def _attempt(actor: Actor, payload: dict[str, Any], indexed: list[tuple[str, int, Any]], now: datetime
             ) -> list[dict[str, Any]]:
    """Plan, insert, audit, evaluate, commit; returns the results in the order sent."""
    plan = Plan(actor, now, payload)
    handlers = {"detentions": plan.add_detention, "events": plan.add_event, "visits": plan.add_visit}
    ordered = sorted(indexed, key=lambda t: (KINDS.index(t[0]),
                                             _event_order(t[2]) if t[0] == "events" else ("", "")))
    results = {(kind, index): _result(kind, item, handlers[kind]) for kind, index, item in ordered}
    for table in TABLES:
        _insert(table, plan.rows[table.name])
    impunity.refresh(db.session.connection(), [row["detention_id"] for row in plan.rows["custody_events"]
                                               if row["type"] in impunity.COUNTED_TYPES])
    if any(plan.created.values()):  # one audit entry names every record the batch created;
        # before evaluation, as a single detention does (the audit, then the flags counter)
        audit.record(actor, "sync.batch", now, detail={"created": plan.created, "items": len(indexed)})
    if plan.touched:
        _evaluate(plan, now)
    db.session.commit()
    return [results[(kind, index)] for kind, index, _ in indexed]


def sync_batch(actor: Actor, payload: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """Apply a batch; returns one result per item, in the order they were sent."""
    require_role(actor, *CUSTODY_WRITERS)
    total = sum(len(payload.get(kind) or []) for kind in KINDS)
    if total > MAX_ITEMS:
        raise TooLarge(f"A sync batch holds at most {MAX_ITEMS} items; this one has {total}.")
    indexed = [(kind, index, item) for kind in KINDS
               for index, item in enumerate(payload.get(kind) or [])]
    for _ in range(ATTEMPTS):
        try:
            return _attempt(actor, payload, indexed, now)
        except Raced:
            db.session.rollback()
    raise Conflict("Other requests kept storing records of this batch at the same moment; "
                   "send it again.")
