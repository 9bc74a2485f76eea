"""Field sync, planned: each item of a batch checked as its single-item endpoint checks it,
against what is stored and what the batch itself creates, before anything is written.

What is stored is read once per kind (held in the session's identity map); what an item
creates is kept here as the rows to insert, so a later item sees it as if it were stored:
an event for a detention of the batch, a visit naming one, the same id sent twice.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from marshmallow import Schema, ValidationError
from sqlalchemy import select

from monitor.domain.custody import STATE_EVENTS, derive_state
from monitor.domain.evaluator import Event
from monitor.exceptions import Conflict, Invalid, flatten_messages
from monitor.extensions import db
from monitor.models import CustodyEvent, Detention, Facility, Visit
from monitor.services import idempotency, runtime
from monitor.services.access import Actor, in_scope
from monitor.services.custody.detentions import LEAN, _validate, age_at, arrest_event_id
from monitor.services.custody.events import FACILITY_REFS, _check_against_record, _split_details, refresh_detention
from monitor.services.custody.visits import checked_facility
from monitor.services.evaluation.cases import domain_events
from schemas.detentions import DetentionInSchema
from schemas.events import EventInSchema
from schemas.visits import VisitInSchema

KINDS = ("detentions", "events", "visits")
TABLES = ("persons", "detentions", "custody_events", "visits", "visit_detentions")
# Loading with a shared schema instance is safe and saves building one per item.
DETENTION_IN, EVENT_IN, VISIT_IN = DetentionInSchema(), EventInSchema(), VisitInSchema()
UUID_FIELD = DETENTION_IN.fields["id"]
ELSEWHERE = "The record conflicts with stored data."  # an id taken by a row the caller may not see


def load(schema: Schema, item: Any) -> dict[str, Any]:
    """Validate one item; its client id is mandatory in a sync batch."""
    if not isinstance(item, dict):
        raise Invalid({"_schema": ["Each item must be a JSON object."]})
    if "id" not in item:
        raise Invalid({"id": ["A client id is required in a sync batch."]})
    try:
        return schema.load(item)
    except ValidationError as exc:
        raise Invalid(flatten_messages(exc.messages)) from None


def ids_in(items: Iterable[Any] | None, key: str) -> set[uuid.UUID]:
    """The valid UUIDs found under `key` in a list of items."""
    found: set[Any] = set()  # what the field deserialises: UUIDs
    for item in items or ():
        try:
            found.add(UUID_FIELD.deserialize(item.get(key) if isinstance(item, dict) else None))
        except ValidationError:
            pass
    return found


def _listed_ids(items: Iterable[Any] | None, key: str) -> set[uuid.UUID]:
    """The valid UUIDs in the lists found under `key` (a visit's detention_ids)."""
    listed = [{"id": value} for item in items or () if isinstance(item, dict)
              and isinstance(item.get(key), list) for value in item[key]]
    return ids_in(listed, "id")


def _replayed(existing: Any, fingerprint: str, visible: bool, label: str) -> bool:
    """True for an identical replay of a visible row; Conflict if it differs; False if absent."""
    if existing is None or not visible:
        return False
    if existing.fingerprint != fingerprint:
        raise Conflict(f"A {label} with this id exists with different content.")
    return True


class Plan:
    """The batch's rows to insert, what it created, and what it must evaluate."""

    def __init__(self, actor: Actor, now: datetime, payload: dict[str, Any]) -> None:
        """Read what the batch refers to: one query per kind."""
        self.actor, self.now = actor, now
        self.rows: dict[str, list[dict[str, Any]]] = {table: [] for table in TABLES}
        self.created: dict[str, list[str]] = {kind: [] for kind in KINDS}
        self.touched: set[uuid.UUID] = set()  # detentions to evaluate after the inserts
        self.new: dict[uuid.UUID, SimpleNamespace] = {}  # detentions created by this batch
        events, visits = payload.get("events"), payload.get("visits")
        referenced = ids_in(events, "detention_id")
        wanted = ids_in(payload.get("detentions"), "id") | referenced | _listed_ids(visits, "detention_ids")
        query = select(Detention).options(*LEAN).where(Detention.id.in_(wanted)).order_by(Detention.id)
        if db.engine.dialect.name == "postgresql":  # as a single event locks its detention
            query = query.with_for_update(of=Detention)
        self.stored = {d.id: d for d in db.session.scalars(query)}
        places = [{"id": (item.get("details") or {}).get(ref)} for item in events or ()
                  if isinstance(item, dict) and isinstance(item.get("details"), dict)
                  for ref in FACILITY_REFS.values()]
        facility_ids = (ids_in(payload.get("detentions"), "facility_id") | ids_in(visits, "facility_id")
                        | ids_in(places, "id"))
        # held: the identity map keeps rows only while something refers to them
        self.held = db.session.scalars(select(Facility).where(Facility.id.in_(facility_ids))).all()
        # id → (detention_id, fingerprint) rows: stored, then those this batch creates
        self.events: dict[Any, Any] = {row.id: row for row in db.session.execute(
            select(CustodyEvent.id, CustodyEvent.detention_id, CustodyEvent.fingerprint)
            .where(CustodyEvent.id.in_(ids_in(events, "id"))))}
        self.visits: dict[Any, Any] = {row.id: row for row in db.session.execute(
            select(Visit.id, Visit.country, Visit.fingerprint).where(Visit.id.in_(ids_in(visits, "id"))))}
        self.timelines = domain_events([i for i in referenced if i in self.stored])

    def detention(self, detention_id: Any) -> Any:
        """A detention created by this batch or stored, if the actor may see it."""
        found = self.new.get(detention_id) or self.stored.get(detention_id)
        return found if found is not None and in_scope(self.actor, found.country) else None

    def add_detention(self, item: Any) -> bool:
        """One detention (with its person and arrest event); True if created."""
        actor, now = self.actor, self.now
        data = load(DETENTION_IN, item)
        row_id = data["id"]
        fingerprint = runtime.cipher().fingerprint(idempotency.canonical(data))
        known = self.new.get(row_id) or self.stored.get(row_id)
        if _replayed(known, fingerprint, known is not None and in_scope(actor, known.country), "detention"):
            return False
        facility = _validate(actor, data, now)
        if known is not None:
            raise Conflict(ELSEWHERE)
        person_in, birth = data["person"], data["person"].get("birth_date")
        age = age_at(birth, data["arrested_at"], facility.timezone) if birth else person_in.get("age")
        person_id = uuid.uuid5(row_id, "person")
        self.rows["persons"].append({
            "id": person_id, "sex": person_in["sex"], "age": person_in.get("age"),
            "groups": sorted(set(person_in.get("groups") or [])), "created_at": now,
            "identity_enc": runtime.cipher().seal(
                {"name": person_in["name"], "birth_date": birth.isoformat() if birth else None},
                f"person:{person_id}")})
        row = {"id": row_id, "person_id": person_id, "facility_id": facility.id,
               "current_facility_id": facility.id, "country": facility.country,
               "arrested_at": data["arrested_at"],
               "private_enc": runtime.cipher().seal({"grounds": data.get("grounds", ""),
                                                   "notes": data.get("notes", ""),
                                                   "arresting_authority": data["arresting_authority"]},
                                                  f"detention:{row_id}"),
               "juvenile": age is not None and age < 18, "age_at_arrest": age,
               "offence_gravity": data.get("offence_gravity"),
               "organised_crime": data.get("organised_crime"),
               "capital_offence": data.get("capital_offence"), "status": "in_custody",
               "ended_at": None, "next_due_at": None, "outcomes": None, "fingerprint": fingerprint,
               "received_at": now, "recorded_by": actor.id, "created_at": now, "updated_at": now}
        self.rows["detentions"].append(row)
        arrest_id = arrest_event_id(row_id)
        self.rows["custody_events"].append(self._event_row(
            arrest_id, row_id, "arrest", data["arrested_at"], "monitor_observation", {}, "arrest", None))
        self.new[row_id] = SimpleNamespace(
            id=row_id, facility_id=facility.id, current_facility_id=facility.id,
            country=facility.country, arrested_at=data["arrested_at"], ended_at=None,
            fingerprint=fingerprint, row=row)
        self.events[arrest_id] = SimpleNamespace(id=arrest_id, detention_id=row_id, fingerprint="arrest")
        self.timelines[row_id] = [Event(type="arrest", occurred_at=data["arrested_at"], details={},
                                        id=str(arrest_id))]
        self.created["detentions"].append(str(row_id))
        self.touched.add(row_id)
        return True

    def _event_row(self, row_id: uuid.UUID, detention_id: uuid.UUID, kind: str, occurred_at: datetime, source: str,
                   details: dict[str, Any], fingerprint: str, sealed: bytes | None) -> dict[str, Any]:
        """A custody_events row."""
        return {"id": row_id, "detention_id": detention_id, "type": kind, "occurred_at": occurred_at,
                "source": source, "details": details, "private_enc": sealed,
                "fingerprint": fingerprint, "received_at": self.now, "recorded_by": self.actor.id}

    def add_event(self, item: Any) -> bool:
        """One custody event, for a detention of this batch or already stored; True if created."""
        actor, now = self.actor, self.now
        if not isinstance(item, dict):
            raise Invalid({"_schema": ["Each item must be a JSON object."]})
        data = load(EVENT_IN, {k: v for k, v in item.items() if k != "detention_id"})
        try:
            detention = self.detention(UUID_FIELD.deserialize(item.get("detention_id")))
        except ValidationError:
            raise Invalid({"detention_id": ["Not a valid UUID."]}) from None
        if detention is None:
            raise Invalid({"detention_id": ["Unknown detention."]})
        row_id = data["id"]
        data = dict(data, detention_id=detention.id)
        fingerprint = runtime.cipher().fingerprint(idempotency.canonical(data))
        timeline, existing = self.timelines[detention.id], self.events.get(row_id)
        visible = existing is not None and existing.detention_id == detention.id
        try:
            _check_against_record(actor, detention, data, now, events=timeline)
        except Invalid:  # an event stored earlier may no longer pass (custody has ended since)
            if _replayed(existing, fingerprint, visible, "custody event"):
                return False
            raise
        if existing is not None:
            if _replayed(existing, fingerprint, visible, "custody event"):
                return False
            raise Conflict(ELSEWHERE)
        public, private = _split_details(data["details"])
        sealed = runtime.cipher().seal({"notes": data.get("notes", ""), "details": private}, f"event:{row_id}")
        self.rows["custody_events"].append(self._event_row(
            row_id, detention.id, data["type"], data["occurred_at"], data["source"], public,
            fingerprint, sealed))
        self.events[row_id] = SimpleNamespace(id=row_id, detention_id=detention.id, fingerprint=fingerprint)
        timeline.append(Event(type=data["type"], occurred_at=data["occurred_at"], details=public,
                              id=str(row_id)))
        if data["type"] in STATE_EVENTS:
            self._refresh(detention, timeline)
        if detention.id in self.stored:
            detention.updated_at = now
        self.created["events"].append(str(row_id))
        self.touched.add(detention.id)
        return True

    def _refresh(self, detention: Any, timeline: Sequence[Event]) -> None:
        """Status, end and current facility after a state event, as a single event sets them."""
        if detention.id in self.stored:
            refresh_detention(detention, timeline, self.now)
            return
        status, detention.ended_at, facility_id = derive_state(detention.facility_id, timeline)
        if str(detention.current_facility_id) != str(facility_id):
            # the transfer was checked against visible facilities: it exists
            facility = cast(Facility, db.session.get(Facility, uuid.UUID(str(facility_id))))
            detention.current_facility_id, detention.country = facility.id, facility.country
        detention.row.update(status=status, ended_at=detention.ended_at, country=detention.country,
                             current_facility_id=detention.current_facility_id)

    def add_visit(self, item: Any) -> bool:
        """One visit; True if created."""
        actor, now = self.actor, self.now
        data = load(VISIT_IN, item)
        row_id = data["id"]
        data = dict(data, detention_ids=sorted(set(data.get("detention_ids") or []), key=str))
        fingerprint = runtime.cipher().fingerprint(idempotency.canonical(data))
        existing = self.visits.get(row_id)
        if _replayed(existing, fingerprint, existing is not None and in_scope(actor, existing.country), "visit"):
            return False
        facility = checked_facility(actor, data, now)
        unknown = [str(d) for d in data["detention_ids"] if self.detention(d) is None]
        if unknown:
            raise Invalid({"detention_ids": [f"Unknown detention: {', '.join(unknown)}."]})
        if existing is not None:
            raise Conflict(ELSEWHERE)
        self.rows["visits"].append({
            "id": row_id, "facility_id": facility.id, "country": facility.country,
            "started_at": data["started_at"], "ended_at": data.get("ended_at"), "access": data["access"],
            "register_checked": data["register_checked"],
            "detainees_interviewed": data["detainees_interviewed"],
            "summary_enc": runtime.cipher().seal(data.get("summary", ""), f"visit:{row_id}"),
            "fingerprint": fingerprint, "received_at": now, "recorded_by": actor.id, "created_at": now})
        self.rows["visit_detentions"] += [{"visit_id": row_id, "detention_id": d} for d in data["detention_ids"]]
        self.visits[row_id] = SimpleNamespace(id=row_id, country=facility.country, fingerprint=fingerprint)
        self.created["visits"].append(str(row_id))
        return True
