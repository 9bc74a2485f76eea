"""The statistics' facts and counts kept in step with stored outcomes (monitor.models.research).

Whenever a flush writes a detention's outcomes, country or current facility, the same
transaction replaces that detention's safeguard facts and adds the difference to the
counts: the statistics never read a count its outcomes do not match. The hook is on the
session, so every writer (requests, sync batches, the sweep) keeps them without knowing;
writers that go round the ORM (seed/bulk.py) call `refresh` themselves.

Counts are appended as signed changes, never updated in place: two transactions touching the
same country, facility, month and safeguard (a sync batch beside the sweep on PostgreSQL)
never wait for or deadlock on each other's rows. `compact` folds them now and then.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import event, func, insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from monitor.bulkwrite import insert_rows
from monitor.database import unit_of_work
from monitor.domain.research import bucket_of, safeguard_facts
from monitor.extensions import db
from monitor.models import ComplianceCount, ComplianceSize, Detention, SafeguardFact, SweepState

WATCHED = ("outcomes", "country", "current_facility_id")
BATCH = 500  # ids per IN list
FACTS = SafeguardFact.__table__
COUNTS = ComplianceCount.__table__
SIZES = ComplianceSize.__table__
COUNT_KEY = ("country", "facility_id", "month", "safeguard", "status", "bucket")
SIZE_KEY = ("country", "facility_id", "month")
COMPACTED = "compliance_counts"  # the sweep_state row remembering the last fold

# (id, country, current facility id, arrested_at (aware), outcomes)
DetentionRow = tuple[Any, str, Any, datetime, Any]
FactRow = tuple[str, str, int | None, str, Any, str]  # safeguard, status, centi, country, facility, month


def facts_of(row: DetentionRow) -> set[FactRow]:
    """A detention's facts as rows of safeguard_facts (without its id and arrest time)."""
    _id, country, facility, arrested, outcomes = row
    month = f"{arrested.year:04d}-{arrested.month:02d}"
    return {(name, status, centi, country, facility, month)
            for name, status, centi in safeguard_facts(outcomes, arrested)}


def refresh(connection: Connection, rows: Sequence[DetentionRow]) -> int:
    """Replace the facts of these detentions (as they now stand) and add the difference to the
    counts, in the caller's transaction; returns how many detentions changed."""
    changed = 0
    for start in range(0, len(rows), BATCH):
        changed += _refresh_batch(connection, rows[start:start + BATCH])
    return changed


def _refresh_batch(connection: Connection, rows: Sequence[DetentionRow]) -> int:
    """refresh() for at most BATCH detentions: one read, one delete, three inserts."""
    old: dict[Any, set[FactRow]] = {}
    for r in connection.execute(select(
            FACTS.c.detention_id, FACTS.c.safeguard, FACTS.c.status, FACTS.c.met_centi, FACTS.c.country,
            FACTS.c.facility_id, FACTS.c.month).where(FACTS.c.detention_id.in_([row[0] for row in rows]))):
        old.setdefault(r[0], set()).add(tuple(r[1:]))
    counts: Counter[tuple[Any, ...]] = Counter()
    sizes: Counter[tuple[Any, ...]] = Counter()
    gone, added = [], []
    for row in rows:
        before, after = old.get(row[0], set()), facts_of(row)
        if before == after:
            continue
        gone.append(row[0])
        for sign, facts in ((-1, before), (1, after)):
            for name, status, centi, country, facility, month in facts:
                counts[country, facility, month, name, status, bucket_of(centi)] += sign
            if facts:
                sizes[next(iter(facts))[3:]] += sign
        added += [{"detention_id": row[0], "safeguard": name, "status": status, "met_centi": centi,
                   "bucket": bucket_of(centi), "country": country, "facility_id": facility,
                   "month": month, "arrested_at": row[3]}
                  for name, status, centi, country, facility, month in after]
    if not gone:
        return 0
    stale = [detention_id for detention_id in gone if detention_id in old]  # a first evaluation has none
    if stale:
        connection.execute(FACTS.delete().where(FACTS.c.detention_id.in_(stale)))
    if added:
        insert_rows(connection, FACTS, added)
    _add(connection, COUNTS, COUNT_KEY, counts)
    _add(connection, SIZES, SIZE_KEY, sizes)
    return len(gone)


def _add(connection: Connection, table: Any, key: Sequence[str], changes: Counter[tuple[Any, ...]]) -> None:
    """Append the non-zero changes as rows of `table`."""
    rows = [dict(zip(key, k, strict=True), n=n) for k, n in sorted(changes.items(), key=str) if n]
    if rows:
        insert_rows(connection, table, rows)


def compact(connection: Connection) -> tuple[int, int]:
    """Fold the appended changes into one row per key (zero sums dropped), in the caller's
    transaction; returns the counts' rows before and after.

    On PostgreSQL one statement deletes the rows it sees and inserts their sums, so a change
    committed meanwhile by another transaction is neither lost nor counted twice; SQLite's
    writers are serialised (the caller holds the write lock)."""
    before = connection.scalar(select(func.count()).select_from(COUNTS)) or 0
    for table, key in ((COUNTS, COUNT_KEY), (SIZES, SIZE_KEY)):
        columns = ", ".join(key)
        if connection.dialect.name == "postgresql":
            connection.execute(text(
                f"WITH gone AS (DELETE FROM {table.name} RETURNING {columns}, n) "
                f"INSERT INTO {table.name} ({columns}, n) SELECT {columns}, SUM(n) FROM gone "
                f"GROUP BY {columns} HAVING SUM(n) <> 0"))
        else:
            last = connection.scalar(select(func.max(table.c.id)))
            if last is None:
                continue
            connection.execute(text(
                f"INSERT INTO {table.name} ({columns}, n) SELECT {columns}, SUM(n) FROM {table.name} "
                f"WHERE id <= :last GROUP BY {columns} HAVING SUM(n) <> 0"), {"last": last})
            connection.execute(table.delete().where(table.c.id <= last))
    after = connection.scalar(select(func.count()).select_from(COUNTS)) or 0
    return before, after


def compact_if_grown(connection: Connection, floor: int = 20_000) -> tuple[int, int] | None:
    """compact() once the counts have more than doubled since they were last folded (and hold
    more than `floor` rows); the size after folding is kept in sweep_state. Returns compact's
    figures, or None if nothing was done."""
    rows = connection.scalar(select(func.count()).select_from(COUNTS)) or 0
    state: Any = connection.execute(select(SweepState.last_result).where(SweepState.name == COMPACTED)).first()
    folded = int((state[0] or {}).get("rows", 0)) if state else 0
    if rows <= max(floor, 2 * folded):
        return None
    before, after = compact(connection)
    values = {"last_result": {"rows": after}}
    if state is None:
        connection.execute(insert(SweepState.__table__), [dict(values, name=COMPACTED)])
    else:
        connection.execute(SweepState.__table__.update().where(SweepState.name == COMPACTED), values)
    return before, after


def fold_if_grown(floor: int = 20_000) -> tuple[int, int] | None:
    """compact_if_grown() in a write transaction of its own (the scheduler, after a sweep)."""
    with unit_of_work():
        return compact_if_grown(db.session.connection(), floor)


def rebuild(connection: Connection, rows: Iterable[DetentionRow]) -> None:
    """Facts and counts from nothing (a migration, or a repair): deletes every fact and count
    first, then refreshes every given detention."""
    for table in (FACTS, COUNTS, SIZES):
        connection.execute(table.delete())
    batch: list[DetentionRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            _refresh_batch(connection, batch)
            batch = []
    if batch:
        _refresh_batch(connection, batch)


def _touched(detention: Detention) -> bool:
    """Did this flush write something the facts depend on?"""
    state: Any = inspect(detention)
    if state.pending or state.was_deleted:
        return bool(state.pending and detention.__dict__.get("outcomes"))
    return any(state.attrs[name].history.has_changes() for name in WATCHED)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    """Refresh the facts of every detention the flush wrote outcomes, country or facility of."""
    touched = [obj for obj in chain(session.new, session.dirty)
               if isinstance(obj, Detention) and _touched(obj)]
    if not touched:
        return
    connection = session.connection()
    unloaded = [d.id for d in touched if "outcomes" not in d.__dict__]
    stored: dict[Any, Any] = dict(connection.execute(select(Detention.id, Detention.outcomes).where(
        Detention.id.in_(unloaded))).all()) if unloaded else {}
    refresh(connection, [(d.id, d.country, d.current_facility_id, d.arrested_at,
                          d.__dict__["outcomes"] if "outcomes" in d.__dict__ else stored.get(d.id))
                         for d in touched])
