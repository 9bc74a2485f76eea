"""Facilities: where people are held, and which law applies there."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from monitor.exceptions import Invalid, found
from monitor.extensions import db
from monitor.models import Facility
from monitor.pagination import paginate
from monitor.services import audit, idempotency, runtime
from monitor.services.access import (
    CUSTODY_READERS,
    CUSTODY_WRITERS,
    Actor,
    in_scope,
    require_role,
    scoped,
    visible_to,
)

INTL = "intl"


def resolve_jurisdiction(country: str, jurisdiction: str | None) -> str:
    """Check `jurisdiction` against the loaded rule sets; default to the country's own set or intl."""
    sets = runtime.rule_sets()
    if jurisdiction is None:
        own = [code for code, rs in sets.items() if (rs.country or "").upper() == country]
        return own[0] if own else INTL
    code = jurisdiction.lower()
    if code not in sets:
        raise Invalid({"jurisdiction": ["Unknown jurisdiction (no rule set with this code)."]})
    set_country = (sets[code].country or "").upper()
    if code != INTL and set_country and set_country != country:
        raise Invalid({"jurisdiction": [f"Rule set '{code}' is for country {set_country}."]})
    return code


def create_facility(actor: Actor, data: dict[str, Any], now: datetime) -> idempotency.Staged:
    """Create a facility (audited), or return the stored one on an identical replay."""
    return audit.commit_created(actor, record_facility(actor, data, now), "facility.create", "facility", now)


def record_facility(actor: Actor, data: dict[str, Any], now: datetime) -> idempotency.Staged:
    """Stage a facility in the session (no audit, no commit)."""
    require_role(actor, *CUSTODY_WRITERS)
    if not in_scope(actor, data["country"]):
        raise Invalid({"country": ["Outside your countries."]})
    data = dict(data, jurisdiction=resolve_jurisdiction(data["country"], data.get("jurisdiction")))
    visible = visible_to(actor)
    data, fingerprint, existing = idempotency.identified(Facility, data, visible)
    row_id = data["id"]
    if existing is not None:
        return idempotency.Staged(existing, False)
    row = Facility(
        id=row_id, name=data["name"], kind=data["kind"], country=data["country"],
        timezone=data["timezone"], jurisdiction=data["jurisdiction"],
        court_within_40km=data.get("court_within_40km"), fingerprint=fingerprint,
        created_at=now, recorded_by=actor.id)
    return idempotency.stage_once(Facility, row_id, fingerprint, [row], visible)


def visible_facility(actor: Actor, facility_id: uuid.UUID) -> Facility | None:
    """The facility if it exists inside the actor's scope, else None."""
    facility = db.session.get(Facility, facility_id)
    if facility is None or not in_scope(actor, facility.country):
        return None
    return facility


def get_facility(actor: Actor, facility_id: uuid.UUID) -> Facility:
    """One facility in scope, else 404."""
    require_role(actor, *CUSTODY_READERS)
    return found(visible_facility(actor, facility_id), "facility")


def list_facilities(actor: Actor, limit: int, cursor: str | None, country: str | None = None,
                    kind: str | None = None) -> tuple[Sequence[Facility], str | None]:
    """Facilities in the actor's scope, filtered."""
    require_role(actor, *CUSTODY_READERS)
    query = scoped(db.select(Facility), actor, Facility.country,
                   Facility.country == country if country else None,
                   Facility.kind == kind if kind else None)
    return paginate(query, Facility.created_at, Facility.id, limit, cursor)
