"""Append to the audit trail inside the caller's transaction (serialised by a counter lock)."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask import has_request_context, request
from sqlalchemy import insert, select, update

from monitor.database import unit_of_work
from monitor.domain.chain import GENESIS, entry_hash, verify_chain
from monitor.exceptions import Invalid
from monitor.extensions import db
from monitor.models import AuditEntry, Counter
from monitor.pagination import parse_seq
from monitor.services.access import Actor, require_role
from monitor.services.idempotency import Staged

# Core statements built once (their cache keys are memoised) and run on the session's
# connection: no autoflush of the caller's pending rows, no ORM execution layer.
_COUNTERS, _LOG = Counter.__table__, AuditEntry.__table__
# The next number and the hash of the entry before it, in one statement: the counter's row
# lock, held to the commit, orders concurrent writers, so that entry is the previous one (or
# none yet: the genesis hash). RETURNING sees the counter's new value. (SQLite's RETURNING is
# rendered without table names: `value` is the counter's, audit_log having no such column.)
_NEXT_SEQ = (update(_COUNTERS).where(_COUNTERS.c.name == "audit")
             .values(value=_COUNTERS.c.value + 1)
             .returning(_COUNTERS.c.value, select(_LOG.c.hash).where(_LOG.c.seq == _COUNTERS.c.value - 1)
                        .correlate(_COUNTERS).scalar_subquery()))
_APPEND = insert(_LOG)


def _next_seq() -> tuple[int, str]:
    """Take the next audit number; returns it with the previous entry's hash."""
    seq, prev = db.session.connection().execute(_NEXT_SEQ).one()
    return seq, prev or GENESIS


def entry_fields(entry: Any) -> dict[str, Any]:
    """The chained fields of an entry, as plain JSON values."""
    return {"seq": entry.seq, "at": entry.at.isoformat(), "actor_id": str(entry.actor_id or ""),
            "actor_role": entry.actor_role, "action": entry.action, "target_type": entry.target_type,
            "target_id": entry.target_id, "address": entry.address, "detail": entry.detail}


def record(actor: Actor | None, action: str, now: datetime, target_type: str | None = None,
           target_id: object = None, detail: dict[str, Any] | None = None) -> SimpleNamespace:
    """Add one entry (the caller commits); returns its fields."""
    seq, prev = _next_seq()
    entry = SimpleNamespace(
        seq=seq, at=now, actor_id=getattr(actor, "id", None), actor_role=getattr(actor, "role", None),
        action=action, target_type=target_type, target_id=str(target_id) if target_id else None,
        address=request.remote_addr if has_request_context() else None, detail=detail,
        prev_hash=prev)
    entry.hash = entry_hash(prev, entry_fields(entry))
    # A Core insert, executed now: the entry needs no unit of work, and its place in the chain
    # is taken under the counter lock held since _next_seq().
    db.session.connection().execute(_APPEND, vars(entry))
    return entry


def commit_created(actor: Actor | None, staged: Staged, action: str, target_type: str, now: datetime,
                   detail: dict[str, Any] | None = None) -> Staged:
    """The end of a single-item create: the entry for what was created (not for a replay),
    then the commit."""
    if staged.created:
        record(actor, action, now, target_type, staged.row.id, detail)
    db.session.commit()
    return staged


def record_alone(actor: Actor | None, action: str, now: datetime, **kwargs: Any) -> None:
    """Write one entry in its own transaction (after a read-only use case), then commit."""
    db.session.rollback()
    with unit_of_work():
        record(actor, action, now, **kwargs)


def list_entries(actor: Actor, limit: int, after: str | None = None, action: str | None = None
                 ) -> tuple[Sequence[AuditEntry], str | None]:
    """Audit entries in order (admin); returns (entries, next cursor)."""
    require_role(actor, "admin")
    query = select(AuditEntry).order_by(AuditEntry.seq).limit(limit + 1)
    if after:
        try:
            query = query.where(AuditEntry.seq > parse_seq(after))
        except ValueError:
            raise Invalid({"cursor": ["Not a valid cursor."]}) from None
    if action:
        query = query.where(AuditEntry.action == action)
    rows = db.session.scalars(query).all()
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], str(rows[limit - 1].seq)


def verify_trail(batch: int = 5000) -> tuple[int, int | None]:
    """Walk the whole chain; returns (entries checked, first broken seq or None)."""
    return verify_chain(_stored_entries(batch))


def _stored_entries(batch: int) -> Iterator[tuple[Any, str, str, dict[str, Any]]]:
    """The stored trail in seq order, read `batch` rows at a time (the walker may stop early)."""
    last = 0
    while True:
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.seq > last)
                                  .order_by(AuditEntry.seq).limit(batch)).all()
        if not rows:
            return
        for entry in rows:
            yield entry.seq, entry.prev_hash, entry.hash, entry_fields(entry)
        last = rows[-1].seq
