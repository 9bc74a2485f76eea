"""Research exports and compliance statistics: pseudonymised, scoped, audited, streamed."""
import csv
import io
import json

from sqlalchemy import DateTime, String, func, select, type_coerce

from monitor.domain.research import (
    CSV_COLUMNS, compliance_table, csv_rows, research_record, worst_by_safeguard)
from monitor.extensions import db
from monitor.models import CustodyEvent, Detention, Facility, Person
from monitor.services import audit, vault
from monitor.services.access import require_role, scope_clause

RESEARCH_ROLES = ("admin", "researcher")
CHUNK = 2000


def authorize(actor):
    """Raise Forbidden unless the actor may receive research output."""
    require_role(actor, *RESEARCH_ROLES)


def pseudonym_namespace(actor):
    """Pseudonyms are keyed per receiving organisation (per user if it has none)."""
    return f"org:{actor.organization_id}" if actor.organization_id else f"user:{actor.id}"


def _filtered(query, actor, country=None, start=None, end=None, country_col=Detention.country):
    """Apply scope and the country / arrest-time filters."""
    clause = scope_clause(actor, country_col)
    if clause is not None:
        query = query.where(clause)
    if country:
        query = query.where(country_col == country)
    if start:
        query = query.where(Detention.arrested_at >= start)
    if end:
        query = query.where(Detention.arrested_at < end)
    return query


def _chunks(query):
    """Yield lists of rows in id order, CHUNK at a time (memory stays flat in the row count).

    Each chunk walks the primary-key index from where the last one ended: the caller filters
    countries through an expression no index serves (see iter_records), or SQLite would take
    the country index and sort every matching row again for every chunk, a cost that grows
    with the square of the export's size."""
    last = None
    while True:
        page = query if last is None else query.where(Detention.id > last)
        rows = db.session.execute(page.order_by(Detention.id).limit(CHUNK)).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _events_of(rows):
    """{detention id: [(type, occurred_at)]} for a chunk of rows in id order.

    One query for the chunk, on the (detention_id, occurred_at) index. Ids and times come as
    the driver gives them (no UUID objects, no time-zone tagging: a few hundred thousand
    conversions per second saved); times are naive UTC, ids keyed by `_raw_key`."""
    events = {}
    for detention_id, kind, at in db.session.execute(
            select(type_coerce(CustodyEvent.detention_id, String), CustodyEvent.type,
                   type_coerce(CustodyEvent.occurred_at, DateTime()))
            .where(CustodyEvent.detention_id.in_([row.id for row in rows]))):
        events.setdefault(_raw_key(detention_id), []).append((kind, at))
    return {row.id: events.get(_raw_key(row.id), []) for row in rows}


def _raw_key(value):
    """One key for an id whether it came as a UUID object or as the text SQLite stores."""
    return value if isinstance(value, str) else value.hex


def iter_records(actor, country=None, start=None, end=None):
    """Research records of every matching detention, chunk by chunk."""
    require_role(actor, *RESEARCH_ROLES)
    namespace, cipher = pseudonym_namespace(actor), vault.cipher()
    query = _filtered(select(
        Detention.id, Detention.person_id, Detention.country, Detention.arrested_at,
        Detention.juvenile, Detention.age_at_arrest, Detention.status, Detention.ended_at,
        Detention.outcomes, Person.sex, Person.groups, Facility.kind.label("facility_kind"),
        Facility.jurisdiction,
    ).join(Person, Person.id == Detention.person_id).join(
        Facility, Facility.id == Detention.current_facility_id), actor, country, start, end,
        country_col=Detention.country.concat(""))  # no index: chunks walk the primary key
    for rows in _chunks(query):
        events = _events_of(rows)
        for row in rows:
            ref = cipher.pseudonym(namespace, str(row.person_id))
            yield research_record(row._mapping, events[row.id], ref)


def count_matching(actor, country=None, start=None, end=None):
    """How many detentions an export with these filters will hold."""
    authorize(actor)
    query = _filtered(select(func.count(Detention.id)), actor, country, start, end)
    return db.session.scalar(query)


def export(actor, fmt, now, country=None, start=None, end=None, progress=None):
    """Generate the export body in `fmt`; the audit entry is written when the stream ends."""
    records = iter_records(actor, country, start, end)
    if progress is not None:
        records = _counting(records, progress)
    count, completed = 0, False
    try:
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="raise")
            writer.writeheader()
            for record in records:
                count += 1
                writer.writerows(csv_rows(record))
                if buffer.tell() > 65536:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()
        elif fmt == "json":
            yield "["
            for record in records:
                yield ("," if count else "") + json.dumps(record, separators=(",", ":"))
                count += 1
            yield "]\n"
        else:
            for record in records:
                count += 1
                yield json.dumps(record, separators=(",", ":")) + "\n"
        completed = True
    finally:
        audit.record_alone(actor, "export.detentions", now, detail={
            "format": fmt, "country": country, "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None, "rows": count, "completed": completed})


def _counting(records, progress):
    """Pass records through, reporting each to `progress`."""
    for record in records:
        progress(1)
        yield record


def _group_key(group_by):
    """A function mapping a row to (group, safeguard, status, met_at) tuples."""
    def key(row):
        for safeguard, (status, met) in worst_by_safeguard(row["outcomes"]).items():
            group = {"country": row["country"], "facility": str(row["current_facility_id"]),
                     "month": row["arrested_at"].strftime("%Y-%m"), "safeguard": safeguard}[group_by]
            yield group, safeguard, status, met
    return key


def compliance(actor, group_by, now, country=None, start=None, end=None):
    """Outcome counts and median hours per group and safeguard; small groups suppressed."""
    require_role(actor, *RESEARCH_ROLES)
    query = _filtered(select(Detention.id, Detention.country, Detention.current_facility_id,
                             Detention.arrested_at, Detention.outcomes), actor, country, start, end,
                      country_col=Detention.country.concat(""))  # chunks walk the primary key
    rows = (row._mapping for chunk in _chunks(query) for row in chunk)
    # Safeguard groups overlap (one detention is in several), so no group is another's
    # complement there; every other grouping partitions the detentions.
    table = compliance_table(rows, _group_key(group_by), partition=group_by != "safeguard")
    audit.record_alone(actor, "stats.compliance", now, detail={"group_by": group_by, "country": country})
    return table
