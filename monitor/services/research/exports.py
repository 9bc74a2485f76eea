"""Research exports: pseudonymised, scoped, audited, streamed."""
from __future__ import annotations

import csv
import io
import typing
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
from sqlalchemy import String, Text, cast, func, select, type_coerce

from monitor.domain.research import (
    CSV_COLUMNS,
    csv_rows,
    research_record,
)
from monitor.extensions import db
from monitor.models import CustodyEvent, Detention, Facility, Person
from monitor.services import audit, runtime
from monitor.services.access import RESEARCH_ROLES, Actor, require_role, scoped

if TYPE_CHECKING:
    from sqlalchemy import Select

CHUNK = 2000
_Q = TypeVar("_Q", bound="Select[Any]")


def authorize(actor: Actor) -> None:
    """Raise Forbidden unless the actor may receive research output."""
    require_role(actor, *RESEARCH_ROLES)


def pseudonym_namespace(actor: Actor) -> str:
    """Pseudonyms are keyed per receiving organisation (per user if it has none)."""
    return f"org:{actor.organization_id}" if actor.organization_id else f"user:{actor.id}"


def _filtered(query: _Q, actor: Actor, country: str | None = None, start: datetime | None = None,
              end: datetime | None = None, country_col: Any = Detention.country) -> _Q:
    """Apply scope and the country / arrest-time filters."""
    return scoped(query, actor, country_col,
                  country_col == country if country else None,
                  Detention.arrested_at >= start if start else None,
                  Detention.arrested_at < end if end else None)


def _driver_rows(statement: Any) -> list[Any]:
    """The statement's rows as the driver's own tuples: no Row objects (building them was a
    sixth of an export's time). Only for columns read raw (no result processing needed)."""
    result = db.session.connection().execute(statement)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _chunks(query: Select[Any], key: Any = Detention.id, raw: bool = False) -> Iterator[Sequence[Any]]:
    """Yield lists of rows in `key` (id) order, CHUNK at a time (memory stays flat in the row
    count). Rows come from the Core layer (plain tuples, no ORM loading).

    Each chunk walks the primary-key index from where the last one ended: the caller filters
    countries through an expression no index serves (see _record_chunks), or SQLite would take
    the country index and sort every matching row again for every chunk, a cost that grows
    with the square of the export's size."""
    last = None
    while True:
        page = query if last is None else query.where(key > last)
        statement = page.order_by(key).limit(CHUNK)
        rows = _driver_rows(statement) if raw else db.session.connection().execute(statement).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]  # the key is the first column


def _events_of(rows: Sequence[Any]) -> dict[Any, list[tuple[str, datetime]]]:
    """{row id: [(type, occurred_at)]} for a chunk of rows in id order (ids as the driver
    gives them: SQLite's text, PostgreSQL's UUID).

    One query for the chunk, on the (detention_id, occurred_at) index. Ids and times come as
    the driver gives them (no UUID objects, no time-zone tagging: a few hundred thousand
    conversions per second saved); times are naive UTC. Both id columns come as the same type
    from one driver (SQLite's text, psycopg's UUID), so they key the dict as they are: turning
    psycopg's UUIDs into text was a sixth of a PostgreSQL export's time."""
    events: dict[Any, list[tuple[str, datetime]]] = {}
    raw_id = type_coerce(CustodyEvent.detention_id, String)
    # SQLite gives text, psycopg datetimes (naive UTC either way): one parser for the chunk.
    parse: Callable[[Any], datetime] = datetime.fromisoformat \
        if db.engine.dialect.name == "sqlite" else (lambda at: at)
    # .all(): one fetch of the chunk, not a driver call per row (measured: a fifth of the
    # export's time went to per-row fetches). In time order per detention, as the index
    # gives them (research_record then finds each list already sorted).
    for detention_id, kind, at in _driver_rows(
            select(raw_id, CustodyEvent.type, type_coerce(CustodyEvent.occurred_at, String))
            .where(raw_id.in_([row[0] for row in rows]))
            .order_by(CustodyEvent.detention_id, CustodyEvent.occurred_at)):
        events.setdefault(detention_id, []).append((kind, parse(at)))  # NOT NULL
    return {row[0]: events.get(row[0], []) for row in rows}


def _uuid_text(value: Any) -> str:
    """An id in its canonical text form, from SQLite's 32 hex digits or a driver's UUID."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


def _naive(value: Any) -> datetime | None:
    """A stored time (text on SQLite, a datetime from PostgreSQL's driver) as naive UTC."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _aware(value: Any) -> datetime | None:
    """A stored time as aware UTC."""
    value = _naive(value)
    return value.replace(tzinfo=timezone.utc) if value is not None else None


def _json(value: Any) -> Any:
    """A stored JSON value: text on SQLite (parsed here, fast), already parsed by psycopg."""
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value


# Read raw (no per-value type processing in SQLAlchemy): converted in _record_fields.
_RAW = {"person_id": String, "arrested_at": String, "ended_at": String, "outcomes": String,
        "groups": String}
_JSON = ("outcomes", "groups")


def _raw(column: Any) -> Any:
    """`column` as the driver gives it, labelled. JSON on PostgreSQL is cast to text in the
    query: psycopg would parse it with the standard json module, several times slower than
    orjson in _json (measured with bench/export.py --backend postgresql)."""
    if column.key in _JSON and db.engine.dialect.name == "postgresql":
        return cast(column, Text).label(column.key)
    return type_coerce(column, _RAW[column.key]()).label(column.key)


def _record_fields(row: Sequence[Any]) -> dict[str, Any]:
    """A chunk row's fields (the driver's tuple, in _record_chunks' column order) as
    research_record reads them; SQLite gives booleans as 0 and 1."""
    (_id, _person, country, arrested_at, juvenile, age_at_arrest, status, ended_at, outcomes,
     sex, groups, facility_kind, jurisdiction) = row
    return {"sex": sex, "age_at_arrest": age_at_arrest, "groups": _json(groups),
            "juvenile": None if juvenile is None else bool(juvenile), "country": country,
            "jurisdiction": jurisdiction,
            "facility_kind": facility_kind, "arrested_at": _aware(arrested_at),
            "status": status, "ended_at": _aware(ended_at), "outcomes": _json(outcomes)}


def _record_chunks(actor: Actor, country: str | None = None, start: datetime | None = None,
                   end: datetime | None = None) -> Iterator[list[dict[str, Any]]]:
    """Research records of every matching detention, as lists (one per database chunk); the
    caller (export) has authorized the actor."""
    ref_of = runtime.cipher().pseudonymizer(pseudonym_namespace(actor))
    raw_id = type_coerce(Detention.id, String)  # keyset and IN lists on the stored form
    query = _filtered(select(
        raw_id.label("id"), _raw(Detention.person_id), Detention.country, _raw(Detention.arrested_at),
        Detention.juvenile, Detention.age_at_arrest, Detention.status, _raw(Detention.ended_at),
        _raw(Detention.outcomes), Person.sex, _raw(Person.groups),
        Facility.kind.label("facility_kind"), Facility.jurisdiction,
    ).join(Person, Person.id == Detention.person_id).join(
        Facility, Facility.id == Detention.current_facility_id), actor, country, start, end,
        country_col=Detention.country.concat(""))  # no index: chunks walk the primary key
    for rows in _chunks(query, raw_id, raw=True):  # driver tuples, in the select's order
        events = _events_of(rows)
        yield [research_record(_record_fields(row), events[row[0]], ref_of(_uuid_text(row[1])))
               for row in rows]


def count_matching(actor: Actor, country: str | None = None, start: datetime | None = None,
                   end: datetime | None = None) -> int:
    """How many detentions an export with these filters will hold."""
    authorize(actor)
    query = _filtered(select(func.count(Detention.id)), actor, country, start, end)
    return typing.cast(int, db.session.scalar(query))  # a count: always one row


def export(actor: Actor, fmt: str, now: datetime, country: str | None = None, start: datetime | None = None,
           end: datetime | None = None, progress: Callable[[int], object] | None = None) -> Iterator[bytes]:
    """Authorize at the call (a refusal is a real 403, before any response starts), then
    return the export body in `fmt` as a generator of UTF-8 pieces, one per database chunk;
    the audit entry is written when the stream ends. `progress(n)` is told of each piece's
    records."""
    authorize(actor)
    return _pieces(actor, fmt, now, country, start, end, progress)


def _pieces(actor: Actor, fmt: str, now: datetime, country: str | None, start: datetime | None,
            end: datetime | None, progress: Callable[[int], object] | None) -> Iterator[bytes]:
    """The export body, one piece per chunk; audited in `finally` (a cut stream too).

    JSON lines are orjson's bytes as they come (no decoding to text and encoding again on
    the way out: a tenth of an export's time)."""
    count, completed = 0, False
    dumps, line = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    try:
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="raise")
            writer.writeheader()
            yield buffer.getvalue().encode()
        elif fmt == "json":
            yield b"["
        for chunk in _record_chunks(actor, country, start, end):
            if fmt == "csv":
                buffer.seek(0)
                buffer.truncate()
                for record in chunk:
                    writer.writerows(csv_rows(record))
                piece = buffer.getvalue().encode()
            elif fmt == "json":
                piece = (b"," if count else b"") + b",".join([dumps(record) for record in chunk])
            else:
                piece = b"".join([dumps(record, option=line) for record in chunk])
            yield piece
            count += len(chunk)
            if progress is not None:
                progress(len(chunk))
        if fmt == "json":
            yield b"]\n"
        completed = True
    finally:
        audit.record_alone(actor, "export.detentions", now, detail={
            "format": fmt, "country": country, "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None, "rows": count, "completed": completed})
