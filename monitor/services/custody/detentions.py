"""Detentions: create (idempotent), list and read within scope."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import defer, lazyload

from monitor.domain import plausibility
from monitor.exceptions import Invalid, NotFound
from monitor.extensions import db
from monitor.models import CustodyEvent, Detention, Facility, Person
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
from monitor.services.custody.facilities import visible_facility
from monitor.services.evaluation.cases import reevaluate
from monitor.services.flags.actions import flagged_clause


def age_at(birth_date: date, moment: datetime, tz_name: str) -> int:
    """Whole years between `birth_date` and the local date of `moment`."""
    local = moment.astimezone(ZoneInfo(tz_name)).date()
    return local.year - birth_date.year - ((local.month, local.day) < (birth_date.month, birth_date.day))


def arrest_event_id(detention_id: uuid.UUID) -> uuid.UUID:
    """The deterministic id of the arrest event made with a detention."""
    return uuid.uuid5(detention_id, "arrest")


def _validate(actor: Actor, data: dict[str, Any], now: datetime) -> Facility:
    """Check references and times; return the arrest facility."""
    facility = visible_facility(actor, data["facility_id"])
    if facility is None:
        raise Invalid({"facility_id": ["Unknown facility."]})
    if data["arrested_at"] > now + plausibility.FUTURE_TOLERANCE:
        raise Invalid({"arrested_at": ["More than 5 minutes in the future."]})
    person = data["person"]
    birth = person.get("birth_date")
    if birth is not None and birth > data["arrested_at"].date():
        raise Invalid({"person.birth_date": ["After the arrest."]})
    from_birth = age_at(birth, data["arrested_at"], facility.timezone) if birth else None
    implausible = plausibility.arrest_errors(data["arrested_at"], person.get("age"), from_birth, now)
    if implausible:
        raise Invalid(implausible)
    return facility


def create_detention(actor: Actor, data: dict[str, Any], now: datetime) -> idempotency.Staged:
    """Record a detention and its arrest event, audited and evaluated; identical replays
    return the stored one."""
    staged = record_detention(actor, data, now)
    if staged.created:
        reevaluate(staged.row, now)
    return audit.commit_created(actor, staged, "detention.create", "detention", now)


def record_detention(actor: Actor, data: dict[str, Any], now: datetime) -> idempotency.Staged:
    """Stage a detention, its person and arrest event (no audit, no evaluation, no commit)."""
    require_role(actor, *CUSTODY_WRITERS)
    visible = visible_to(actor)
    data, fingerprint, existing = idempotency.identified(Detention, data, visible)
    row_id = data["id"]
    if existing is not None:
        return idempotency.Staged(existing, False)
    facility = _validate(actor, data, now)
    person_in = data["person"]
    age = person_in.get("age")
    if person_in.get("birth_date") is not None:
        age = age_at(person_in["birth_date"], data["arrested_at"], facility.timezone)
    person = Person(
        id=uuid.uuid5(row_id, "person"), sex=person_in["sex"], age=person_in.get("age"),
        groups=sorted(set(person_in.get("groups") or [])))
    birth = person_in.get("birth_date")
    person.identity_enc = runtime.cipher().seal(
        {"name": person_in["name"], "birth_date": birth.isoformat() if birth else None},
        f"person:{person.id}")
    detention = Detention(
        id=row_id, person=person, facility_id=facility.id, current_facility_id=facility.id,
        country=facility.country, arrested_at=data["arrested_at"],
        private_enc=runtime.cipher().seal({"grounds": data.get("grounds", ""),
                                         "notes": data.get("notes", ""),
                                         "arresting_authority": data["arresting_authority"]},
                                        f"detention:{row_id}"),
        juvenile=age is not None and age < 18, age_at_arrest=age,
        offence_gravity=data.get("offence_gravity"), organised_crime=data.get("organised_crime"),
        capital_offence=data.get("capital_offence"),
        status="in_custody", fingerprint=fingerprint, received_at=now, recorded_by=actor.id,
        created_at=now, updated_at=now)
    arrest = CustodyEvent(
        id=arrest_event_id(row_id), detention=detention, type="arrest",
        occurred_at=data["arrested_at"], source="monitor_observation", details={},
        fingerprint="arrest", received_at=now, recorded_by=actor.id)
    return idempotency.stage_once(Detention, row_id, fingerprint, [person, detention, arrest], visible)


# A writer checks and updates the row itself: the joined person and facility, the sealed
# notes and the stored outcomes load only if something reads them.
LEAN = (lazyload(Detention.person), lazyload(Detention.current_facility),
        defer(Detention.private_enc), defer(Detention.outcomes))


def get_detention(actor: Actor, detention_id: uuid.UUID, for_update: bool = False) -> Detention:
    """A detention in the actor's scope, else 404 (researchers: 403)."""
    require_role(actor, *CUSTODY_READERS)
    # Row locks matter on PostgreSQL (SQLite serialises writers anyway, and a locking read
    # would bypass the identity map); `of`: the joined person and facility are not locked.
    lock = {"of": Detention} if for_update and db.engine.dialect.name != "sqlite" else None
    detention = db.session.get(Detention, detention_id, with_for_update=lock,
                               options=LEAN if for_update else None)
    if detention is None or not in_scope(actor, detention.country):
        raise NotFound("No such detention.")
    return detention


_DETENTIONS = Detention.__table__
# What an event that moves no state is checked against (see events.record_event): the row's
# own columns, read without building an ORM object.
_CHECKED = select(_DETENTIONS.c.id, _DETENTIONS.c.country, _DETENTIONS.c.arrested_at,
                  _DETENTIONS.c.ended_at, _DETENTIONS.c.status, _DETENTIONS.c.facility_id,
                  _DETENTIONS.c.next_due_at).where(_DETENTIONS.c.id == bindparam("detention"))
_CHECKED_LOCKED = _CHECKED.with_for_update()


def lock_detention_row(actor: Actor, detention_id: uuid.UUID) -> Any:
    """get_detention(for_update=True) for a writer that only reads the detention: its id,
    country, arrest, end, status, first facility and due time, as a Core row (404 and role checks as
    get_detention; the row locked on PostgreSQL)."""
    require_role(actor, *CUSTODY_READERS)
    statement = _CHECKED_LOCKED if db.engine.dialect.name != "sqlite" else _CHECKED
    row = db.session.connection().execute(statement, {"detention": detention_id}).first()
    if row is None or not in_scope(actor, row.country):
        raise NotFound("No such detention.")
    return row


def list_detentions(actor: Actor, limit: int, cursor: str | None, status: str | None = None,
                    facility_id: uuid.UUID | None = None, country: str | None = None,
                    flagged: bool | None = None) -> tuple[Sequence[Detention], str | None]:
    """Detentions in scope, filtered, in creation order."""
    require_role(actor, *CUSTODY_READERS)
    query = scoped(db.select(Detention), actor, Detention.country,
                   Detention.status == status if status else None,
                   Detention.current_facility_id == facility_id if facility_id else None,
                   Detention.country == country if country else None,
                   flagged_clause(flagged) if flagged is not None else None)
    return paginate(query, Detention.created_at, Detention.id, limit, cursor)
