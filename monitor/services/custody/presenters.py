"""Custody records as answered: facilities, detentions and events, identities unsealed only for
roles that may see them."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from monitor.services import runtime

if TYPE_CHECKING:
    from monitor.models import CustodyEvent, Detention, Facility
    from monitor.services.access import Actor


def facility_view(facility: Facility) -> dict[str, Any]:
    """A facility as a dict."""
    return {
        "id": facility.id, "name": facility.name, "kind": facility.kind,
        "country": facility.country, "timezone": facility.timezone,
        "jurisdiction": facility.jurisdiction, "court_within_40km": facility.court_within_40km,
        "created_at": facility.created_at,
    }


def event_private(event: CustodyEvent) -> dict[str, Any]:
    """The sealed part of an event: notes and free-text details."""
    return runtime.cipher().open(event.private_enc, f"event:{event.id}") or {}


def event_view(event: CustodyEvent, actor: Actor) -> dict[str, Any]:
    """A custody event; notes and free-text details only for identity readers."""
    details = dict(event.details or {})
    view: dict[str, Any] = {
        "id": event.id, "detention_id": event.detention_id, "type": event.type,
        "occurred_at": event.occurred_at, "source": event.source, "details": details,
        "received_at": event.received_at,
    }
    if actor.sees_identities:  # who recorded it is the monitor's own business (a user id)
        view["recorded_by"] = event.recorded_by
        private = event_private(event)
        details.update(private.get("details", {}))
        view["notes"] = private.get("notes", "")
    return view


def detention_view(detention: Detention, actor: Actor, events: Iterable[CustodyEvent] | None = None,
                   safeguards: list[dict[str, Any]] | None = None, flags: Sequence[Any] | None = None
                   ) -> dict[str, Any]:
    """A detention; pass `events` for the single-record shape."""
    person = detention.person
    view: dict[str, Any] = {
        "id": detention.id, "facility_id": detention.facility_id,
        "facility": facility_view(detention.current_facility), "country": detention.country,
        "arrested_at": detention.arrested_at,
        "offence_gravity": detention.offence_gravity, "organised_crime": detention.organised_crime,
        "capital_offence": detention.capital_offence,
        "status": detention.status, "juvenile": detention.juvenile,
        "age_at_arrest": detention.age_at_arrest, "ended_at": detention.ended_at,
        "received_at": detention.received_at,
        "updated_at": detention.updated_at,
        "person": {"sex": person.sex, "age": person.age, "groups": person.groups or []},
        "safeguards": safeguards or [], "flags": flags or [],
    }
    if actor.sees_identities:
        identity = runtime.cipher().open(person.identity_enc, f"person:{person.id}")
        private = runtime.cipher().open(detention.private_enc, f"detention:{detention.id}")
        birth = identity.get("birth_date")
        view["person"].update(name=identity["name"],
                              birth_date=date.fromisoformat(birth) if birth else None)
        view.update(grounds=private.get("grounds", ""), notes=private.get("notes", ""),
                    arresting_authority=private.get("arresting_authority", ""),
                    recorded_by=detention.recorded_by)
    if events is not None:
        view["events"] = [event_view(e, actor) for e in events]
    return view
