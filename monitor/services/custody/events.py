"""Custody events: validation against the record, idempotent storage, derived state."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, select, update

from monitor.domain import plausibility
from monitor.domain.custody import ENDING, STATE_EVENTS, derive_state
from monitor.domain.evaluator import Event
from monitor.domain.vocabulary import AFTER_RELEASE_EVENT_TYPES
from monitor.exceptions import Invalid
from monitor.extensions import db
from monitor.models import CustodyEvent, Detention, Facility
from monitor.services import audit, idempotency, runtime
from monitor.services.access import CUSTODY_WRITERS, Actor, require_role
from monitor.services.custody.detentions import get_detention, lock_detention_row
from monitor.services.custody.facilities import visible_facility
from monitor.services.custody.presenters import event_view
from monitor.services.custody.records import audit_identity_read
from monitor.services.evaluation.cases import domain_events
from monitor.services.flags.changes import follow_detention
from monitor.services.research import impunity
from schemas.events import PRIVATE_DETAILS
from schemas.fields import parse_timestamp

FACILITY_REFS = {"arrival": "facility_id", "transfer": "to_facility_id"}


def _check_against_record(actor: Actor, detention: Any, data: dict[str, Any], now: datetime,
                          events: Sequence[Event] | None = None) -> None:
    """Apply the contract's rules that need the stored record (`detention`: an ORM object or
    a row with its id, arrested_at, ended_at, status and facility_id).

    `events` (the detention's domain events, a sync batch's accepted ones included) answers
    the two questions about other events from memory instead of the database."""
    occurred = data["occurred_at"]
    if data["type"] == "arrest":
        raise Invalid({"type": ["The arrest is recorded with the detention."]})
    if occurred < detention.arrested_at:
        raise Invalid({"occurred_at": ["Before the arrest."]})
    if occurred > now + plausibility.FUTURE_TOLERANCE:
        raise Invalid({"occurred_at": ["More than 5 minutes in the future."]})
    if detention.ended_at is not None:
        if data["type"] in ENDING:
            raise Invalid({"type": [f"Custody already ended ({detention.status})."]})
        # "Nothing after release" is for custody events: the complaint, the investigation,
        # the trial, and an allegation made or heard at a later hearing follow release.
        if occurred > detention.ended_at and data["type"] not in AFTER_RELEASE_EVENT_TYPES:
            raise Invalid({"occurred_at": ["After the end of custody."]})
    elif data["type"] in ENDING:
        if events is not None:
            later = any(e.occurred_at > occurred and e.type not in AFTER_RELEASE_EVENT_TYPES
                        for e in events)
        else:
            later = db.session.scalar(select(CustodyEvent.id).where(
                CustodyEvent.detention_id == detention.id, CustodyEvent.occurred_at > occurred,
                CustodyEvent.type.not_in(AFTER_RELEASE_EVENT_TYPES)).limit(1))
        if later:
            raise Invalid({"occurred_at": ["Events are already recorded after this time."]})
    implausible = plausibility.end_errors(
        "details.ended_at", _timestamp(data["details"].get("ended_at")), now)
    if data["type"] == "transfer":
        known = domain_events([detention.id])[detention.id] if events is None else events
        before = [e for e in known if e.occurred_at <= occurred]
        implausible.update(plausibility.transfer_errors(
            derive_state(detention.facility_id, before)[2], data["details"]["to_facility_id"]))
    if implausible:
        raise Invalid(implausible)
    ref = FACILITY_REFS.get(data["type"])
    if ref and visible_facility(actor, uuid.UUID(data["details"][ref])) is None:
        raise Invalid({f"details.{ref}": ["Unknown facility."]})


def _timestamp(text: str | None) -> datetime | None:
    """A details timestamp (already validated, stored as RFC 3339 text) as a datetime."""
    return parse_timestamp(text) if text else None


def _split_details(details: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate free-text details (sealed) from structured ones (clear, for the rules)."""
    public = {k: v for k, v in details.items() if k not in PRIVATE_DETAILS}
    private = {k: v for k, v in details.items() if k in PRIVATE_DETAILS}
    return public, private


def refresh_detention(detention: Any, events: Sequence[Event], now: datetime) -> None:
    """Recompute status, end and current facility from the detention's events."""
    status, ended_at, facility_id = derive_state(detention.facility_id, events)
    detention.status, detention.ended_at = status, ended_at
    if str(detention.current_facility_id) != str(facility_id):
        old_country = detention.country
        # assign the relationship, not only the key: the rules that apply follow the facility
        detention.current_facility = db.session.get(Facility, uuid.UUID(str(facility_id)))
        detention.current_facility_id = detention.current_facility.id
        detention.country = detention.current_facility.country
        follow_detention(detention, old_country, now)  # its flags go where it goes
    detention.updated_at = now


def list_events(actor: Actor, detention_id: uuid.UUID, now: datetime) -> list[dict[str, Any]]:
    """A detention's events in order, as `actor` may see them; identities shown are audited."""
    detention = get_detention(actor, detention_id)
    items = [event_view(e, actor) for e in detention.events]
    audit_identity_read(actor, [detention.id], now)
    return items


def add_event(actor: Actor, detention_id: uuid.UUID, data: dict[str, Any], now: datetime
              ) -> idempotency.Staged:
    """Record one custody event (audited, its detention marked for evaluation); identical
    replays return the stored one."""
    staged, detention = record_event(actor, detention_id, data, now)
    if staged.created:
        mark_for_evaluation(detention, now)
    return audit.commit_created(actor, staged, "event.create", "custody_event", now,
                                {"detention_id": str(staged.row.detention_id), "type": staged.row.type})


def record_event(actor: Actor, detention_id: uuid.UUID, data: dict[str, Any], now: datetime
                 ) -> tuple[idempotency.Staged, Any]:
    """Stage one custody event and the state it moves (no audit, no evaluation, no commit);
    returns it with its detention: the ORM object when the event moves its state, else the
    row of `lock_detention_row` (the session holds unchanged objects only weakly: a second
    `get` after this returns would load the row again).

    The first statement (the detention's) takes SQLite's write lock, so what needs no stored
    row is prepared before it, and what follows is a few lean statements: the event is
    inserted unless its id exists (then it is a replay or a conflict), and the detention is
    marked for evaluation by the caller, which the scheduler does within
    EVALUATION_INTERVAL_SECONDS."""
    require_role(actor, *CUSTODY_WRITERS)
    row_id = data.get("id") or uuid.uuid4()
    public, private = _split_details(data["details"])
    sealed = runtime.cipher().seal({"notes": data.get("notes", ""), "details": private}, f"event:{row_id}")
    # An event that moves no state only reads the detention: its columns, no ORM object.
    detention: Any = (get_detention(actor, detention_id, for_update=True) if data["type"] in STATE_EVENTS
                      else lock_detention_row(actor, detention_id))
    data = dict(data, id=row_id, detention_id=detention.id)
    fingerprint = runtime.cipher().fingerprint(idempotency.canonical(data))
    visible = lambda row: row.detention_id == detention.id  # noqa: E731  (another record's event)
    try:
        _check_against_record(actor, detention, data, now)
    except Invalid:  # an event stored earlier may no longer pass (custody has ended since)
        existing = idempotency.find_replay(CustodyEvent, row_id, fingerprint, visible)
        if existing is not None:
            return idempotency.Staged(existing, False), detention
        raise
    values = dict(id=row_id, detention_id=detention.id, type=data["type"],
                  occurred_at=data["occurred_at"], source=data["source"], details=public,
                  fingerprint=fingerprint, private_enc=sealed, received_at=now, recorded_by=actor.id)
    if not idempotency.insert_new(CustodyEvent, values):
        return idempotency.Staged(idempotency.replay_or_conflict(
            CustodyEvent, row_id, fingerprint, visible), False), detention
    if data["type"] in STATE_EVENTS:
        refresh_detention(detention, domain_events([detention.id])[detention.id], now)
    if data["type"] in impunity.COUNTED_TYPES:  # what the impunity statistics read
        impunity.refresh(db.session.connection(), [detention.id])
    # the stored row's values, for the response (an ORM object would only be built and dropped)
    return idempotency.Staged(SimpleNamespace(**values), True), detention


_DETENTIONS = Detention.__table__
_MARK_DUE = (update(_DETENTIONS).where(_DETENTIONS.c.id == bindparam("detention"))
             .values(updated_at=bindparam("moment"), next_due_at=bindparam("moment")))
_TOUCH = (update(_DETENTIONS).where(_DETENTIONS.c.id == bindparam("detention"))
          .values(updated_at=bindparam("moment")))


def mark_for_evaluation(detention: Any, now: datetime) -> None:
    """Make the detention (an ORM object, or a row read for the check) due at once: the
    scheduler evaluates it, raises and resolves its flags and stores its outcomes (see
    services.sweep).

    One already due keeps its due time (the sweep reads its events when it comes to it):
    only `updated_at` is written, and the due-time index is left alone."""
    if isinstance(detention, Detention) and db.session.is_modified(detention):  # one ORM flush
        detention.updated_at, detention.next_due_at = now, now
        return
    due = getattr(detention, "next_due_at", None)
    statement = _TOUCH if due is not None and due <= now else _MARK_DUE
    db.session.connection().execute(statement, {"detention": detention.id, "moment": now})
