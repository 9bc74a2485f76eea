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


def find_replay(model, row_id, fingerprint):
    """Return the stored row if `row_id` exists with the same fingerprint; raise Conflict if it differs."""
    existing = db.session.get(model, row_id)
    if existing is None:
        return None
    if existing.fingerprint != fingerprint:
        raise Conflict(f"A {model.__tablename__[:-1].replace('_', ' ')} with this id exists "
                       "with different content.")
    return existing


def commit_or_replay(model, row_id, fingerprint):
    """Commit the pending insert; if a concurrent writer took the id, resolve as a replay.

    Returns (row, created)."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = find_replay(model, row_id, fingerprint)
        if existing is None:
            raise Conflict("The record conflicts with stored data.") from None
        return existing, False
    return db.session.get(model, row_id), True
