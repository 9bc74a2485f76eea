"""The partner feed: flags in the order they changed, exactly once per poll sequence.

Every flag change takes a number from the `flags` counter row inside its transaction, and
that row stays locked until commit (see flag_sync.take_numbers). So committed numbers always
form a prefix 1..M: a number can only become visible after every smaller one. A poll first
reads M (the committed counter), then returns the changes it may see with
`since < change_seq <= M`. The next cursor is the last item's number, or `since` itself
when there is none: every number up to M is committed, and a row outside the caller's view
at or below M can only enter it by changing again, under a new number above M. So nothing
is missed and nothing is returned twice, and the cursor moves only with changes the caller
sees: it never tells how much happened elsewhere.

Cursors are sealed (AES-GCM under a key derived from SECRET_KEY), so a poller cannot read a
position either; the nonce is derived from the position, so the same position always has
the same cursor (an unchanged feed keeps its ETag). A cursor that does not open is a 422.

A flag whose detention is transferred abroad leaves the old country's view with one exit
change (flag_exits): the flag as it stood, `visibility: left_scope`. Callers who see both
countries see the flag's own change instead.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import Select, select

from monitor.exceptions import Invalid
from monitor.extensions import db
from monitor.models import Counter, Flag, FlagExit
from monitor.pagination import SEQ_MAX
from monitor.services.access import CUSTODY_READERS as FEED_READERS
from monitor.services.access import Actor, in_scope, require_role
from monitor.services.flags.presenters import flag_view
from schemas.fields import parse_timestamp

_CONTEXT = b"flag-feed-cursor:v1"
_TIMES = ("due_at", "raised_at", "updated_at")


def _key() -> bytes:
    """The cursor key: from SECRET_KEY, so rotating DATA_KEY leaves pollers' cursors valid."""
    return hashlib.sha256(_CONTEXT + current_app.config["SECRET_KEY"].encode()).digest()


def encode_position(seq: int) -> str:
    """The sealed, opaque cursor of a feed position."""
    key, plain = _key(), seq.to_bytes(8, "big")
    nonce = hmac.new(key, plain, hashlib.sha256).digest()[:12]
    sealed = AESGCM(key).encrypt(nonce, plain, _CONTEXT)
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def decode_position(cursor: str) -> int:
    """A feed position from its cursor, or Invalid naming `since` (tampered, foreign, odd)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        if len(raw) != 12 + 8 + 16:
            raise ValueError(cursor)
        seq = int.from_bytes(AESGCM(_key()).decrypt(raw[:12], raw[12:], _CONTEXT), "big")
        if seq > SEQ_MAX:
            raise ValueError(cursor)
        return seq
    except (binascii.Error, ValueError, InvalidTag, UnicodeEncodeError):
        raise Invalid({"since": ["Not a valid feed cursor."]}) from None


def _exit_view(row: FlagExit) -> dict[str, Any]:
    """A stored exit's view with its times as datetimes again (the feed schema dumps them)."""
    return {k: parse_timestamp(v) if k in _TIMES and v else v for k, v in row.view.items()}


def _view_of(actor: Actor, country: str | None) -> list[str] | None:
    """The countries the caller reads (None: every country)."""
    if country:
        return [country] if in_scope(actor, country) else []
    return None if actor.all_countries else list(actor.countries)


def read_feed(actor: Actor, since: str | None = None, limit: int = 50, status: str | None = None,
              country: str | None = None, safeguard: str | None = None, severity: str | None = None
              ) -> tuple[list[dict[str, Any]], str]:
    """One page of flag changes after `since`; returns (flag views, next_cursor)."""
    require_role(actor, *FEED_READERS)
    start = decode_position(since) if since else 0
    countries = _view_of(actor, country)
    if countries == []:
        return [], encode_position(start)
    high = db.session.scalar(select(Counter.value).where(Counter.name == "flags")) or 0
    filters = ((Flag.status, FlagExit.status, status), (Flag.safeguard, FlagExit.safeguard, safeguard),
               (Flag.severity, FlagExit.severity, severity))
    flags = select(Flag).where(Flag.change_seq > start, Flag.change_seq <= high)
    exits: Select[FlagExit] | None
    exits = select(FlagExit).where(FlagExit.change_seq > start, FlagExit.change_seq <= high)
    if countries is not None:
        flags = flags.where(Flag.country.in_(countries))
        exits = exits.where(FlagExit.country.in_(countries), FlagExit.to_country.not_in(countries))
    else:
        exits = None  # whoever sees every country sees the flag itself wherever it goes
    for flag_column, exit_column, value in filters:
        if value:
            flags = flags.where(flag_column == value)
            exits = exits.where(exit_column == value) if exits is not None else None
    items: list[tuple[Any, dict[str, Any]]] = [(f.change_seq, dict(flag_view(f), visibility="in_scope"))
             for f in db.session.scalars(flags.order_by(Flag.change_seq).limit(limit))]
    if exits is not None:
        items += [(e.change_seq, _exit_view(e))
                  for e in db.session.scalars(exits.order_by(FlagExit.change_seq).limit(limit))]
        items = sorted(items, key=lambda item: item[0])[:limit]
    end = items[-1][0] if items else start
    return [view for _, view in items], encode_position(end)
