"""Create-once semantics for client-supplied ids: replay → unchanged, different → conflict."""
import uuid

from sqlalchemy.exc import IntegrityError

from monitor.exceptions import Conflict
from monitor.extensions import db


def canonical(data):
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


def _label(model):
    """'detention', 'custody event'... for messages."""
    return model.__tablename__.rstrip("s").replace("_", " ").replace("facilitie", "facility")


def _everyone(_row):
    """Default visibility: every caller may know the row exists."""
    return True


def find_replay(model, row_id, fingerprint, visible=_everyone):
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


def insert_once(model, row_id, fingerprint, write, visible=_everyone):
    """Run `write()` (adds rows) in a savepoint and flush; a concurrent insert of the same id
    is resolved as a replay. Returns (row, created); the caller commits."""
    try:
        with db.session.begin_nested():
            write()
            db.session.flush()
    except IntegrityError:
        existing = find_replay(model, row_id, fingerprint, visible)
        if existing is None:
            raise Conflict("The record conflicts with stored data.") from None
        return existing, False
    return db.session.get(model, row_id), True


def committed(row_and_flag):
    """Commit the use case and pass its (row, created) result through."""
    db.session.commit()
    return row_and_flag
