"""Create-once semantics for client-supplied ids: replay → unchanged, different → conflict."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from monitor.exceptions import Conflict
from monitor.extensions import db


class Staged(NamedTuple):
    """A client-id record staged in the session: the row, and whether this call created it
    (False: an identical replay of a stored one)."""
    row: Any
    created: bool


def canonical(data: Any) -> Any:
    """A JSON-ready, order-independent form of a loaded payload, for fingerprinting."""
    if isinstance(data, dict):
        return {key: canonical(value) for key, value in sorted(data.items())}
    if isinstance(data, (list, tuple)):
        return [canonical(value) for value in data]
    if hasattr(data, "isoformat"):
        return data.isoformat()
    if isinstance(data, uuid.UUID):
        return str(data)
    return data


def _label(model: Any) -> str:
    """'detention', 'custody event'... for messages."""
    return model.__tablename__.rstrip("s").replace("_", " ").replace("facilitie", "facility")


def _everyone(_row: Any) -> bool:
    """Default visibility: every caller may know the row exists."""
    return True


def find_replay(model: Any, row_id: Any, fingerprint: str, visible: Callable[[Any], bool] = _everyone) -> Any:
    """The stored row if `row_id` exists with the same fingerprint; Conflict if it differs.

    A row the caller may not see (`visible` false) counts as absent, so its existence, country
    or content never shows: the caller's input is then validated as new, and only an insert
    that collides with it ends in the generic conflict below."""
    existing = db.session.get(model, row_id)
    if existing is None or not visible(existing):
        return None
    if existing.fingerprint != fingerprint:
        raise Conflict(f"A {_label(model)} with this id exists with different content.")
    return existing


def identified(model: Any, data: dict[str, Any], visible: Callable[[Any], bool] = _everyone
               ) -> tuple[dict[str, Any], str, Any]:
    """The first step of every client-id record: (`data` with its id, chosen by the client or
    made here, its content fingerprint, the stored row when this is an identical replay of
    one the caller may see, else None; Conflict if that row differs)."""
    from monitor.services import runtime  # the cipher keys the fingerprint
    data = dict(data, id=data.get("id") or uuid.uuid4())
    fingerprint = runtime.cipher().fingerprint(canonical(data))
    return data, fingerprint, find_replay(model, data["id"], fingerprint, visible)


def stage_once(model: Any, row_id: Any, fingerprint: str, rows: Iterable[Any],
               visible: Callable[[Any], bool] = _everyone) -> Staged:
    """Add `rows` (the record and what belongs to it) in a savepoint and flush, once: a
    concurrent insert of the same id is resolved as a replay (or Conflict). The caller audits,
    evaluates and commits."""
    try:
        with db.session.begin_nested():
            db.session.add_all(rows)
            db.session.flush()
    except IntegrityError:
        existing = find_replay(model, row_id, fingerprint, visible)
        if existing is None:
            raise Conflict("The record conflicts with stored data.") from None
        return Staged(existing, False)
    return Staged(db.session.get(model, row_id), True)


# the dialects' insert(), with ON CONFLICT (their Insert types differ: Any)
INSERTS: dict[str, Any] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
_INSERT_NEW: dict[tuple[Any, str], Any] = {}


def insert_new(model: Any, values: dict[str, Any]) -> bool:
    """INSERT one row unless its id exists (ON CONFLICT DO NOTHING: one statement, no
    savepoint, no unit of work); True if it was inserted. A concurrent insert of the same id
    waits for the other transaction and then does nothing, so the caller's replay check
    sees the committed row."""
    dialect = db.session.get_bind().dialect.name
    statement = _INSERT_NEW.get((model, dialect))
    if statement is None:  # built once per model (its cache key is memoised)
        statement = _INSERT_NEW[(model, dialect)] = (
            INSERTS[dialect](model.__table__).on_conflict_do_nothing(index_elements=["id"])
            .returning(model.__table__.c.id))  # rowcount is not reliable for this on psycopg
    return db.session.connection().execute(statement, values).first() is not None


def replay_or_conflict(model: Any, row_id: Any, fingerprint: str, visible: Callable[[Any], bool] = _everyone
                       ) -> Any:
    """After an insert found the id taken: the stored row (a replay) or Conflict."""
    existing = find_replay(model, row_id, fingerprint, visible)
    if existing is None:
        raise Conflict("The record conflicts with stored data.")
    return existing

