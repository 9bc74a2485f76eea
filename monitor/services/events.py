"""Custody events: validation against the record, idempotent storage, derived state."""
import uuid
from datetime import timedelta

from sqlalchemy import select

from monitor.domain.custody import ENDING, STATE_EVENTS, derive_state
from monitor.exceptions import Invalid
from monitor.extensions import db
from monitor.models import CustodyEvent, Facility
from monitor.services import audit, idempotency, vault
from monitor.services.access import CUSTODY_WRITERS, require_role
from monitor.services.detentions import get_detention
from monitor.services.facilities import visible_facility
from monitor.services.records import domain_events
from monitor.services.sweep import reevaluate
from schemas.events import PRIVATE_DETAILS

FACILITY_REFS = {"arrival": "facility_id", "transfer": "to_facility_id"}


def _check_against_record(actor, detention, data, now):
    """Apply the contract's rules that need the stored record."""
    occurred = data["occurred_at"]
    if data["type"] == "arrest":
        raise Invalid({"type": ["The arrest is recorded with the detention."]})
    if occurred < detention.arrested_at:
        raise Invalid({"occurred_at": ["Before the arrest."]})
    if occurred > now + timedelta(seconds=300):
        raise Invalid({"occurred_at": ["More than 5 minutes in the future."]})
    if detention.ended_at is not None:
        if data["type"] in ENDING:
            raise Invalid({"type": [f"Custody already ended ({detention.status})."]})
        if occurred > detention.ended_at:
            raise Invalid({"occurred_at": ["After the end of custody."]})
    elif data["type"] in ENDING:
        later = db.session.scalar(select(CustodyEvent.id).where(
            CustodyEvent.detention_id == detention.id, CustodyEvent.occurred_at > occurred).limit(1))
        if later:
            raise Invalid({"occurred_at": ["Events are already recorded after this time."]})
    ref = FACILITY_REFS.get(data["type"])
    if ref and visible_facility(actor, uuid.UUID(data["details"][ref])) is None:
        raise Invalid({f"details.{ref}": ["Unknown facility."]})


def _split_details(details):
    """Separate free-text details (sealed) from structured ones (clear, for the rules)."""
    public = {k: v for k, v in details.items() if k not in PRIVATE_DETAILS}
    private = {k: v for k, v in details.items() if k in PRIVATE_DETAILS}
    return public, private


def refresh_detention(detention, events, now):
    """Recompute status, end and current facility from the detention's events."""
    status, ended_at, facility_id = derive_state(detention.facility_id, events)
    detention.status, detention.ended_at = status, ended_at
    if str(detention.current_facility_id) != str(facility_id):
        # assign the relationship, not only the key: the rules that apply follow the facility
        detention.current_facility = db.session.get(Facility, uuid.UUID(str(facility_id)))
        detention.country = detention.current_facility.country
    detention.updated_at = now


def add_event(actor, detention_id, data, now):
    """Record one custody event; identical replays return the stored one."""
    return idempotency.committed(record_event(actor, detention_id, data, now))


def record_event(actor, detention_id, data, now, in_batch=False):
    """Stage one custody event and its consequences (no commit); returns (row, created).

    In a sync batch (in_batch) the caller re-evaluates the detention once after all its
    events, with the same result, and writes one audit entry for the whole batch."""
    require_role(actor, *CUSTODY_WRITERS)
    detention = get_detention(actor, detention_id, for_update=True)
    row_id = data.get("id") or uuid.uuid4()
    data = dict(data, id=row_id, detention_id=detention.id)
    fingerprint = vault.cipher().fingerprint(idempotency.canonical(data))
    visible = lambda row: row.detention_id == detention.id  # noqa: E731  (another record's event)
    existing = idempotency.find_replay(CustodyEvent, row_id, fingerprint, visible)
    if existing is not None:
        return existing, False
    _check_against_record(actor, detention, data, now)
    public, private = _split_details(data["details"])
    event = CustodyEvent(
        id=row_id, detention_id=detention.id, type=data["type"], occurred_at=data["occurred_at"],
        source=data["source"], details=public, fingerprint=fingerprint,
        private_enc=vault.cipher().seal({"notes": data.get("notes", ""), "details": private},
                                        f"event:{row_id}"),
        received_at=now, recorded_by=actor.id)

    def write():
        db.session.add(event)
        db.session.flush()
        if not in_batch:
            audit.record(actor, "event.create", now, "custody_event", row_id,
                         {"detention_id": str(detention.id), "type": data["type"]})
        moves_state = data["type"] in STATE_EVENTS
        events = domain_events([detention.id])[detention.id] if moves_state or not in_batch else None
        if moves_state:
            refresh_detention(detention, events, now)
        detention.updated_at = now
        if not in_batch:
            reevaluate(detention, now, events)
    return idempotency.insert_once(CustodyEvent, row_id, fingerprint, write, visible)

