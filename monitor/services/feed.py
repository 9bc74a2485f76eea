"""The partner feed: flags in the order they changed, exactly once per poll sequence.

Every flag change takes a number from the `flags` counter row inside its transaction, and
that row stays locked until commit (see flag_sync.take_numbers). So committed numbers always
form a prefix 1..M: a number can only become visible after every smaller one. A poll first
reads M (the committed counter), then returns changes with `since < change_seq <= M`; the
next cursor is M when the page is not full, else the last item's number. Nothing committed
later can land at or below M, so nothing is missed, and nothing is returned twice.
"""
import base64
import binascii

from sqlalchemy import select

from monitor.exceptions import Invalid
from monitor.extensions import db
from monitor.models import Counter, Flag
from monitor.pagination import parse_seq
from monitor.services.access import CUSTODY_READERS as FEED_READERS
from monitor.services.access import in_scope, require_role, scope_clause

_PREFIX = b"feed:"


def encode_position(seq):
    """The opaque cursor for a feed position."""
    return base64.urlsafe_b64encode(_PREFIX + str(seq).encode()).decode().rstrip("=")


def decode_position(cursor):
    """A feed position from its cursor, or Invalid naming `since`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        if not raw.startswith(_PREFIX):
            raise ValueError(cursor)
        return parse_seq(raw[len(_PREFIX):])
    except (binascii.Error, ValueError):
        raise Invalid({"since": ["Not a valid feed cursor."]}) from None


def read_feed(actor, since=None, limit=50, status=None, country=None, safeguard=None, severity=None):
    """One page of flag changes after `since`; returns (flags, next_cursor)."""
    require_role(actor, *FEED_READERS)
    start = decode_position(since) if since else 0
    high = db.session.scalar(select(Counter.value).where(Counter.name == "flags")) or 0
    query = select(Flag).where(Flag.change_seq > start, Flag.change_seq <= high)
    clause = scope_clause(actor, Flag.country)
    if clause is not None:
        query = query.where(clause)
    if country:
        if not in_scope(actor, country):
            return [], encode_position(high)
        query = query.where(Flag.country == country)
    for column, value in ((Flag.status, status), (Flag.safeguard, safeguard), (Flag.severity, severity)):
        if value:
            query = query.where(column == value)
    rows = db.session.scalars(query.order_by(Flag.change_seq).limit(limit)).all()
    end = rows[-1].change_seq if len(rows) == limit else high
    return rows, encode_position(end)
