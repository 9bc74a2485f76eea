"""Field sync: a phone's batch of detentions, events and visits, each item applied alone.

Every item runs in its own savepoint and ends as `created`, `unchanged` (identical replay),
`conflict` (same id, other content; the stored record is untouched) or `invalid` (the same
field errors the single-item endpoint gives). Order inside the batch does not matter:
detentions first, then events in time order (so a release never blocks an earlier event
sent after it), then visits (which may name detentions of the same batch).
"""
from marshmallow import ValidationError
from sqlalchemy import select

from monitor.domain.json_values import bad_values
from monitor.exceptions import AppError, Conflict, Invalid, NotFound, TooLarge, flatten_messages
from monitor.extensions import db
from monitor.models import Detention, Facility
from monitor.services import audit, detentions, events, visits
from monitor.services.access import CUSTODY_WRITERS, require_role
from monitor.services.records import domain_events
from monitor.services.sweep import reevaluate_many
from schemas.detentions import DetentionInSchema
from schemas.events import EventInSchema
from schemas.visits import VisitInSchema

MAX_ITEMS = 1000
KINDS = ("detentions", "events", "visits")
# Loading with a shared schema instance is safe and saves building one per item.
DETENTION_IN, EVENT_IN, VISIT_IN = DetentionInSchema(), EventInSchema(), VisitInSchema()
UUID_FIELD = DETENTION_IN.fields["id"]


def _load(schema, item):
    """Validate one item; its client id is mandatory in a sync batch."""
    if not isinstance(item, dict):
        raise Invalid({"_schema": ["Each item must be a JSON object."]})
    if "id" not in item:
        raise Invalid({"id": ["A client id is required in a sync batch."]})
    try:
        return schema.load(item)
    except ValidationError as exc:
        raise Invalid(flatten_messages(exc.messages)) from None


def _apply_detention(actor, item, now):
    """One detention, evaluated later with its events."""
    return detentions.record_detention(actor, _load(DETENTION_IN, item), now, in_batch=True)


def _apply_event(actor, item, now):
    """One event, for a detention of this batch or already stored."""
    if not isinstance(item, dict):
        raise Invalid({"_schema": ["Each item must be a JSON object."]})
    body = {k: v for k, v in item.items() if k != "detention_id"}
    data = _load(EVENT_IN, body)
    try:
        detention_id = UUID_FIELD.deserialize(item.get("detention_id"))
    except ValidationError:
        raise Invalid({"detention_id": ["Not a valid UUID."]}) from None
    try:
        return events.record_event(actor, detention_id, data, now, in_batch=True)
    except NotFound:
        raise Invalid({"detention_id": ["Unknown detention."]}) from None


def _apply_visit(actor, item, now):
    """One visit."""
    return visits.record_visit(actor, _load(VISIT_IN, item), now, in_batch=True)


def _event_order(item):
    """Events apply in time order; unparsable times go last (they will be invalid anyway)."""
    stamp = item.get("occurred_at") if isinstance(item, dict) else None
    try:
        key = EVENT_IN.fields["occurred_at"].deserialize(stamp).isoformat()
    except ValidationError:
        key = "~"
    return (key, str(item.get("id")) if isinstance(item, dict) else "")


def _apply(actor, kind, item, now, handler, touched, created_ids, held):
    """One item in its own savepoint → its result row (the record it stored joins `held`)."""
    item_id = item.get("id") if isinstance(item, dict) else None
    result = {"kind": kind[:-1], "id": item_id if isinstance(item_id, str) else None,
              "status": None, "errors": None}
    try:  # every write of an item happens inside its own savepoint (idempotency.insert_once)
        if bad_values(item):  # lone surrogates, out-of-range numbers: this item only
            raise Invalid(bad_values(item))
        row, created = handler(actor, item, now)
        result["status"] = "created" if created else "unchanged"
        held.append(row)
        if created:
            created_ids[kind].append(str(row.id))
            if kind != "visits":
                touched.add(row.id if kind == "detentions" else row.detention_id)
    except Invalid as exc:
        result.update(status="invalid", errors=exc.errors)
    except Conflict as exc:
        result.update(status="conflict", errors={"id": [exc.detail]})
    except AppError as exc:
        result.update(status="invalid", errors={"_schema": [exc.detail]})
    return result


def _ids(items, key):
    """The valid UUIDs found under `key` in a list of items."""
    found = set()
    for item in items or ():
        try:
            found.add(UUID_FIELD.deserialize(item.get(key) if isinstance(item, dict) else None))
        except ValidationError:
            pass
    return found


def _hold_referenced(payload):
    """Load the stored detentions and facilities the batch names, in two queries, and hold them.

    The session's identity map keeps rows only while something refers to them: held here,
    every later lookup of the same row during the batch is answered without a query."""
    detention_ids = _ids(payload.get("events"), "detention_id")
    facility_ids = _ids(payload.get("detentions"), "facility_id") | _ids(payload.get("visits"), "facility_id")
    held = list(db.session.scalars(select(Detention).where(Detention.id.in_(detention_ids))))
    held += db.session.scalars(select(Facility).where(Facility.id.in_(facility_ids))).all()
    return held


def sync_batch(actor, payload, now):
    """Apply a batch; returns one result per item, in the order they were sent."""
    require_role(actor, *CUSTODY_WRITERS)
    total = sum(len(payload.get(kind) or []) for kind in KINDS)
    if total > MAX_ITEMS:
        raise TooLarge(f"A sync batch holds at most {MAX_ITEMS} items; this one has {total}.")
    handlers = {"detentions": _apply_detention, "events": _apply_event, "visits": _apply_visit}
    indexed = [(kind, index, item) for kind in KINDS
               for index, item in enumerate(payload.get(kind) or [])]
    ordered = sorted(indexed, key=lambda t: (KINDS.index(t[0]),
                                             _event_order(t[2]) if t[0] == "events" else ("", "")))
    results, touched, created_ids = {}, set(), {kind: [] for kind in KINDS}
    held = _hold_referenced(payload)
    for kind, index, item in ordered:
        results[(kind, index)] = _apply(actor, kind, item, now, handlers[kind], touched,
                                        created_ids, held)
    if touched:  # safeguards and flags, as after single events, for all touched at once
        ids = sorted(touched, key=str)
        stored = domain_events(ids)
        reevaluate_many([(db.session.get(Detention, i), stored[i]) for i in ids], now)
    if any(created_ids.values()):  # one audit entry names every record the batch created
        audit.record(actor, "sync.batch", now, detail={"created": created_ids, "items": len(indexed)})
    db.session.commit()
    return [results[(kind, index)] for kind, index, _ in indexed]
