"""Flags: reading them, acknowledging and dismissing them."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select

from monitor.exceptions import Conflict, NotFound
from monitor.extensions import db
from monitor.models import Detention, Flag
from monitor.services import audit, runtime
from monitor.services.access import Actor, in_scope, require_role
from monitor.services.flags import webhooks
from monitor.services.flags.changes import take_numbers
from monitor.services.flags.presenters import flag_view

OPEN_STATES = ("open", "acknowledged")


def open_flags_of(detention_id: uuid.UUID) -> Sequence[Flag]:
    """Flags of one detention that are not resolved, oldest first."""
    return db.session.scalars(
        select(Flag).where(Flag.detention_id == detention_id, Flag.status.in_(OPEN_STATES))
        .order_by(Flag.raised_at, Flag.rule)).all()


def flagged_clause(flagged: bool) -> Any:
    """SQL condition: the detention has (or, with False, has not) an unresolved flag."""
    has = exists().where(Flag.detention_id == Detention.id, Flag.status.in_(OPEN_STATES))
    return has if flagged else ~has


def _visible_flag(actor: Actor, flag_id: uuid.UUID) -> Flag:
    """The flag if it exists in the actor's scope, else 404."""
    flag = db.session.get(Flag, flag_id, with_for_update=True)
    if flag is None or not in_scope(actor, flag.country):
        raise NotFound("No such flag.")
    return flag


def acknowledge(actor: Actor, flag_id: uuid.UUID, note: str | None, now: datetime) -> Flag:
    """A partner (or admin) takes note of an open flag; repeating it changes nothing."""
    require_role(actor, "admin", "partner")
    flag = _visible_flag(actor, flag_id)
    if flag.status == "resolved":
        raise Conflict(f"The flag is already resolved ({flag.resolution}).")
    if flag.status == "open":
        flag.status, flag.acted_by, flag.updated_at = "acknowledged", actor.id, now
        flag.note_enc = runtime.cipher().seal(note, f"flag:{flag.id}")
        flag.change_seq = next(take_numbers(1))
        webhooks.enqueue([flag_view(flag)], [flag.change_seq], now)
        audit.record(actor, "flag.acknowledge", now, "flag", flag.id)
    db.session.commit()
    return flag


def dismiss(actor: Actor, flag_id: uuid.UUID, reason: str, now: datetime) -> Flag:
    """An admin closes a flag raised in error; it will not be raised again."""
    require_role(actor, "admin")
    flag = _visible_flag(actor, flag_id)
    if flag.resolution == "dismissed":
        return flag
    if flag.status == "resolved":
        raise Conflict(f"The flag is already resolved ({flag.resolution}).")
    flag.status, flag.resolution = "resolved", "dismissed"
    flag.note_enc = runtime.cipher().seal(reason, f"flag:{flag.id}")
    flag.acted_by, flag.updated_at = actor.id, now
    flag.change_seq = next(take_numbers(1))
    webhooks.enqueue([flag_view(flag)], [flag.change_seq], now)
    audit.record(actor, "flag.dismiss", now, "flag", flag.id, {"reason_length": len(reason)})
    db.session.commit()
    return flag
