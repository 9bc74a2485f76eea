"""Monitors' visits: recorded idempotently, denied visits kept and counted."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from monitor.domain import plausibility
from monitor.exceptions import Invalid, NotFound
from monitor.extensions import db
from monitor.models import Detention, Facility, Visit
from monitor.pagination import paginate
from monitor.services import audit, idempotency, runtime
from monitor.services.access import CUSTODY_WRITERS, Actor, in_scope, require_role, scoped, visible_to
from monitor.services.custody.facilities import visible_facility


def checked_facility(actor: Actor, data: dict[str, Any], now: datetime) -> Facility:
    """The visited facility, in the actor's scope, and times that can be true; else Invalid."""
    facility = visible_facility(actor, data["facility_id"])
    if facility is None:
        raise Invalid({"facility_id": ["Unknown facility."]})
    implausible = plausibility.visit_errors(data["started_at"], data.get("ended_at"), now)
    if implausible:
        raise Invalid(implausible)
    return facility


def create_visit(actor: Actor, data: dict[str, Any], now: datetime) -> idempotency.Staged:
    """Record a visit (audited); an identical replay returns the stored one."""
    return audit.commit_created(actor, record_visit(actor, data, now), "visit.create", "visit", now)


def record_visit(actor: Actor, data: dict[str, Any], now: datetime) -> idempotency.Staged:
    """Stage a visit (no audit, no commit)."""
    require_role(actor, *CUSTODY_WRITERS)
    visible = visible_to(actor)
    data, fingerprint, existing = idempotency.identified(
        Visit, dict(data, detention_ids=sorted(set(data.get("detention_ids") or []), key=str)), visible)
    row_id = data["id"]
    if existing is not None:
        return idempotency.Staged(existing, False)
    facility = checked_facility(actor, data, now)
    seen = [db.session.get(Detention, d) for d in data["detention_ids"]]
    unknown = [str(d) for d, row in zip(data["detention_ids"], seen, strict=False)
               if row is None or not in_scope(actor, row.country)]
    if unknown:
        raise Invalid({"detention_ids": [f"Unknown detention: {', '.join(unknown)}."]})
    visit = Visit(
        id=row_id, facility_id=facility.id, country=facility.country,
        started_at=data["started_at"], ended_at=data.get("ended_at"), access=data["access"],
        register_checked=data["register_checked"], detainees_interviewed=data["detainees_interviewed"],
        summary_enc=runtime.cipher().seal(data.get("summary", ""), f"visit:{row_id}"),
        fingerprint=fingerprint, received_at=now, recorded_by=actor.id, created_at=now,
        detentions=seen)
    return idempotency.stage_once(Visit, row_id, fingerprint, [visit], visible)


def visit_view(visit: Visit, actor: Actor) -> dict[str, Any]:
    """A visit as a dict; the free-text summary only for identity readers."""
    view = {key: getattr(visit, key) for key in (
        "id", "facility_id", "country", "started_at", "ended_at", "access", "register_checked",
        "detainees_interviewed", "received_at", "recorded_by")}
    view["detention_ids"] = sorted((d.id for d in visit.detentions), key=str)
    if actor.sees_identities:
        view["summary"] = runtime.cipher().open(visit.summary_enc, f"visit:{visit.id}") or ""
    return view


def list_visits(actor: Actor, limit: int, cursor: str | None, facility_id: uuid.UUID | None = None,
                access: str | None = None, start: datetime | None = None, end: datetime | None = None
                ) -> tuple[Sequence[Visit], str | None]:
    """Visits in scope, filtered by facility, access and start time."""
    require_role(actor, *CUSTODY_WRITERS)
    query = scoped(db.select(Visit), actor, Visit.country,
                   Visit.facility_id == facility_id if facility_id else None,
                   Visit.access == access if access else None,
                   Visit.started_at >= start if start else None,
                   Visit.started_at < end if end else None)
    return paginate(query, Visit.created_at, Visit.id, limit, cursor)


def get_visit(actor: Actor, visit_id: uuid.UUID) -> Visit:
    """One visit in scope, else 404."""
    require_role(actor, *CUSTODY_WRITERS)
    visit = db.session.get(Visit, visit_id)
    if visit is None or not in_scope(actor, visit.country):
        raise NotFound("No such visit.")
    return visit
