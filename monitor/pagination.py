"""Keyset (cursor) pagination: stable under inserts, opaque to clients."""
import base64
import binascii
import json
import re
import uuid
from datetime import datetime, timezone

from sqlalchemy import and_, or_

from monitor.exceptions import Invalid
from monitor.extensions import db

# Sequence numbers are stored as signed 64-bit integers (SQLite INTEGER, PostgreSQL BIGINT).
SEQ_MAX = 2 ** 63 - 1
_SEQ = re.compile(r"[0-9]{1,19}")


def parse_seq(text):
    """A sequence number from its ASCII decimal text, or raise ValueError."""
    if isinstance(text, bytes):
        text = text.decode("ascii")
    if not isinstance(text, str) or not _SEQ.fullmatch(text) or int(text) > SEQ_MAX:
        raise ValueError("not a sequence number")
    return int(text)


def encode_cursor(created_at, row_id):
    """Opaque cursor for the position after (created_at, id)."""
    raw = json.dumps([created_at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    """Decode a cursor, or raise Invalid naming the `cursor` argument."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, row_id = json.loads(raw)
        if not (isinstance(stamp, str) and isinstance(row_id, str)):
            raise ValueError("cursor parts must be text")
        moment = datetime.fromisoformat(stamp)
        if moment.tzinfo is None:
            raise ValueError("naive cursor time")
        # Converted here, so an offset that pushes the time out of range fails as a bad cursor.
        return moment.astimezone(timezone.utc), uuid.UUID(row_id)
    except (binascii.Error, ValueError, TypeError, OverflowError, RecursionError):
        raise Invalid({"cursor": ["Not a valid cursor."]}) from None


def paginate(query, created_col, id_col, limit, cursor):
    """Apply keyset ordering to a select; return (rows, next_cursor)."""
    if cursor:
        stamp, row_id = decode_cursor(cursor)
        query = query.where(or_(created_col > stamp, and_(created_col == stamp, id_col > row_id)))
    rows = db.session.scalars(query.order_by(created_col, id_col).limit(limit + 1)).unique().all()
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor(last.created_at, last.id)
