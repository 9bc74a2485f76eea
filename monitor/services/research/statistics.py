"""Compliance statistics from the counts kept as outcomes are stored (monitor.services.research.facts).

A request reads, summed by the database, the counts of the whole months its arrest-time
filter covers; the parts of months at its edges are counted from the facts of those
detentions alone. A median needs the values themselves: the counts give how many met times
lie in each whole hour, so only the hour holding the middle value is read from the facts
(an index of met times by safeguard and hour), and the figure is exact, the same as counting every
detention's outcomes (monitor.domain.research.compliance_table; the tests hold them equal).
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import String, and_, func, or_, select, type_coerce

from monitor.domain.research import NO_TIME, OUTCOME_COUNTS, median_of, table_items
from monitor.extensions import db
from monitor.models import ComplianceCount, ComplianceSize, SafeguardFact
from monitor.services import audit
from monitor.services.access import RESEARCH_ROLES, Actor, require_role, scoped

GROUPINGS = ("country", "facility", "month", "safeguard")
FACTS, COUNTS, SIZES = SafeguardFact.__table__, ComplianceCount.__table__, ComplianceSize.__table__
Key = tuple[Any, str]  # (group, safeguard)


def compliance(actor: Actor, group_by: str, now: datetime, country: str | None = None,
               start: datetime | None = None, end: datetime | None = None) -> list[dict[str, Any]]:
    """Outcome counts and median hours per group and safeguard; small groups suppressed."""
    require_role(actor, *RESEARCH_ROLES)
    if db.engine.dialect.name == "postgresql":
        # Counts, sizes and the middle values must come from one snapshot (a median's index
        # into an hour's values is only good for the counts it came from); SQLite's read
        # transaction is one snapshot already.
        db.session.rollback()
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    reader = _Reader(actor, group_by, country, start, end)
    counts: dict[Any, dict[str, dict[str, int]]] = defaultdict(dict)
    hours: dict[Key, dict[int, int]] = defaultdict(lambda: defaultdict(int))  # met times per hour
    for group, safeguard, status, bucket, n in reader.counts():
        cell = counts[group].get(safeguard)
        if cell is None:
            cell = counts[group][safeguard] = dict.fromkeys(OUTCOME_COUNTS, 0)
        cell[status] += n
        if bucket != NO_TIME:
            hours[group, safeguard][bucket] += n
    if group_by == "safeguard":  # the group is the safeguard: a detention counts once in it
        sizes = {group: sum(cells[group].values()) for group, cells in counts.items()}
    else:
        sizes = reader.sizes()
    # A group whose detentions have all lost their counted safeguards sums to zero: not shown.
    shown = {group: size for group, size in sizes.items() if size > 0}
    wanted = {key: middle(buckets) for key, buckets in hours.items() if key[0] in shown}
    values = reader.middle_values(wanted)

    def median_hours(group: Any, safeguard: str) -> float | None:
        picks = wanted.get((group, safeguard))
        if not picks:
            return None
        return median_of([values[group, safeguard, bucket, index] / 100 for bucket, index in picks])

    table = table_items(shown, {group: counts[group] for group in shown}, median_hours,
                        partition=group_by != "safeguard")
    audit.record_alone(actor, "stats.compliance", now, detail={"group_by": group_by, "country": country})
    return table


class _Reader:
    """The queries of one request: its grouping column, scope and filters on each table."""

    def __init__(self, actor: Actor, group_by: str, country: str | None, start: datetime | None,
                 end: datetime | None) -> None:
        self.actor, self.group_by, self.country, self.start, self.end = actor, group_by, country, start, end
        self.first, self.last, self.edges = month_split(start, end)

    def _group(self, table: Any) -> Any:
        column = table.c.facility_id if self.group_by == "facility" else table.c[self.group_by]
        return type_coerce(column, String).label("grp")  # ids as stored: converted once per group

    def _name(self, value: Any) -> Any:
        return _uuid_text(value) if self.group_by == "facility" else value

    def _whole_months(self, query: Any, table: Any) -> Any | None:
        """`query` on a counts table limited to the whole months; None if there are none."""
        if self.first is not None and self.last is not None and self.first > self.last:
            return None
        return scoped(query, self.actor, table.c.country,
                      table.c.country == self.country if self.country else None,
                      table.c.month >= self.first if self.first else None,
                      table.c.month <= self.last if self.last else None)

    def _facts(self, query: Any, start: datetime | None, end: datetime | None) -> Any:
        """`query` on the facts limited to the scope, the country and [start, end)."""
        return scoped(query, self.actor, FACTS.c.country,
                      FACTS.c.country == self.country if self.country else None,
                      FACTS.c.arrested_at >= start if start else None,
                      FACTS.c.arrested_at < end if end else None)

    def counts(self) -> Iterable[tuple[Any, str, str, int, int]]:
        """(group, safeguard, status, hour, n): the whole months' counts, then the edges'."""
        c, connection = COUNTS, db.session.connection()
        keys = (c.c.safeguard, c.c.status, c.c.bucket)
        query = self._whole_months(select(self._group(c), *keys, func.sum(c.c.n)), c)
        statements = [] if query is None else [query.group_by(self._group(c), *keys)]
        f = FACTS
        for start, end in self.edges:
            statements.append(self._facts(select(self._group(f), f.c.safeguard, f.c.status, f.c.bucket,
                                                 func.count()), start, end)
                              .group_by(self._group(f), f.c.safeguard, f.c.status, f.c.bucket))
        for statement in statements:
            for group, safeguard, status, bucket, n in connection.execute(statement):
                if n:
                    yield self._name(group), safeguard, status, bucket, int(n)

    def sizes(self) -> dict[Any, int]:
        """Detentions with a counted safeguard per group (not for group_by=safeguard)."""
        s, f, connection = SIZES, FACTS, db.session.connection()
        sizes: dict[Any, int] = defaultdict(int)
        query = self._whole_months(select(self._group(s), func.sum(s.c.n)), s)
        statements = [] if query is None else [query.group_by(self._group(s))]
        statements += [self._facts(select(self._group(f), func.count(f.c.detention_id.distinct())), start, end)
                       .group_by(self._group(f)) for start, end in self.edges]
        for statement in statements:
            for group, n in connection.execute(statement):
                sizes[self._name(group)] += int(n or 0)
        return sizes

    def middle_values(self, wanted: Mapping[Key, list[tuple[int, int]]]) -> dict[tuple[Any, str, int, int], int]:
        """{(group, safeguard, hour, index): met time × 100} at the positions the medians lie,
        the index counting within that hour's values in order. Per safeguard one read of the
        facts of those hours (a range each, on SQLite), of the groups whose median lies there;
        the database orders each hour's values and hands back only the rows at those indices."""
        needed: dict[str, dict[int, set[Any]]] = defaultdict(lambda: defaultdict(set))
        indices: dict[str, set[int]] = defaultdict(set)
        for (group, safeguard), picks in wanted.items():
            for bucket, index in picks:
                needed[safeguard][bucket].add(group)
                indices[safeguard].add(index)
        values: dict[tuple[Any, str, int, int], int] = {}
        f, connection = FACTS, db.session.connection()
        names: dict[Any, Any] = {}  # stored group value → its name, converted once
        for safeguard, buckets in needed.items():
            if self.group_by == "safeguard":
                which = f.c.bucket.in_(sorted(buckets))
            else:
                column = f.c[self.group_by if self.group_by != "facility" else "facility_id"]
                which = or_(*(and_(f.c.bucket == bucket, column.in_(sorted(self._stored(g) for g in groups)))
                              for bucket, groups in sorted(buckets.items())))
            group = self._group(f)
            position_of = (func.row_number().over(partition_by=[group, f.c.bucket], order_by=f.c.met_centi) - 1)
            # met_centi IS NOT NULL: the condition of the index of met times, which serves this
            ranked = self._facts(select(group, f.c.bucket, f.c.met_centi, position_of.label("idx")).where(
                f.c.safeguard == safeguard, f.c.met_centi.is_not(None), which), self.start, self.end).subquery()
            statement = select(ranked.c.grp, ranked.c.bucket, ranked.c.met_centi, ranked.c.idx).where(
                ranked.c.idx.in_(sorted(indices[safeguard])))
            for raw, bucket, centi, position in connection.execute(statement):
                name = names.get(raw)
                if name is None:
                    name = names[raw] = self._name(raw)
                values[name, safeguard, bucket, position] = centi
        return values

    def _stored(self, group: Any) -> Any:
        """A group's name as its column binds it (a facility's id as a UUID)."""
        return uuid.UUID(group) if self.group_by == "facility" else group


def middle(buckets: Mapping[int, int]) -> list[tuple[int, int]]:
    """Where the median's value(s) lie among met times counted per hour: [(hour, index within
    that hour's values in order)], one pair for an odd count, two for an even one."""
    total = sum(buckets.values())
    ranks = [total // 2] if total % 2 else [total // 2 - 1, total // 2]
    picks, seen = [], 0
    for bucket in sorted(buckets):
        n = buckets[bucket]
        picks += [(bucket, rank - seen) for rank in ranks if seen <= rank < seen + n]
        seen += n
    return picks


def month_split(start: datetime | None, end: datetime | None
                ) -> tuple[str | None, str | None, list[tuple[datetime | None, datetime | None]]]:
    """The whole months (first and last, YYYY-MM; None: unbounded) inside [start, end) and the
    arrest-time ranges left at its edges. ('9999-12', '0000-01', [...]) when no month is whole."""
    low = start if start is None or _month_start(start) == start else _next_month(start)
    high = end if end is None or _month_start(end) == end else _month_start(end)
    if low is not None and high is not None and low >= high:
        return "9999-12", "0000-01", [(start, end)] if start is None or end is None or start < end else []
    edges: list[tuple[datetime | None, datetime | None]] = []
    if start is not None and low != start:
        edges.append((start, low))
    if end is not None and high != end:
        edges.append((high, end))
    last = None if high is None else _key(_previous_month(high))
    return (None if low is None else _key(low)), last, edges


def _month_start(moment: datetime) -> datetime:
    utc = moment.astimezone(timezone.utc)
    return datetime(utc.year, utc.month, 1, tzinfo=timezone.utc)


def _next_month(moment: datetime) -> datetime:
    first = _month_start(moment)
    return first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)


def _previous_month(first: datetime) -> datetime:
    return first.replace(year=first.year - (first.month == 1), month=(first.month - 2) % 12 + 1)


def _key(first: datetime) -> str:
    return f"{first.year:04d}-{first.month:02d}"


def _uuid_text(value: Any) -> str:
    """An id in its canonical text form, from SQLite's 32 hex digits or a driver's UUID."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)
