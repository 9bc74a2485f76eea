"""Pseudonymised research records and compliance statistics (pure: no Flask, no database).

A research record never carries a name, a birth date, notes, lawyers' names or any other
free text: the person is a keyed pseudonym, the arrest a month, every event a type plus
hours since arrest, every safeguard an outcome.
"""
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from datetime import datetime
from operator import itemgetter
from statistics import median
from typing import Any, TypeVar

G = TypeVar("G", bound=Hashable)
Row = Mapping[str, Any]
# key_of(row) → (group, safeguard, status, met_at) tuples, one per counted safeguard
KeyOf = Callable[[Row], Iterable[tuple[Any, str, str, str | None]]]

OUTCOME_COUNTS = ("met", "met_late", "pending", "overdue", "violated")
WORST_FIRST = ("violated", "overdue", "pending", "met_late", "met")
MIN_CELL = 5
_RANK = {status: rank for rank, status in enumerate(WORST_FIRST)}  # worst first


def hours_between(start: datetime, end: datetime) -> float:
    """Elapsed hours, rounded to 0.01."""
    return round((end - start).total_seconds() / 3600, 2)


def research_record(row: Row, events: Iterable[tuple[str, datetime]], person_ref: str) -> dict[str, Any]:
    """One detention as researchers receive it (event times: naive UTC).

    The hours are `hours_between` written out in the comprehensions: an export converts a
    dozen outcomes and half a dozen events a line, and the calls were its largest cost."""
    arrested = row["arrested_at"]
    naive = arrested.replace(tzinfo=None)
    parse = datetime.fromisoformat
    return {
        "person_ref": person_ref, "sex": row["sex"], "age_at_arrest": row["age_at_arrest"],
        "groups": sorted(row["groups"] or []), "juvenile": row["juvenile"],
        "country": row["country"], "jurisdiction": row["jurisdiction"],
        "facility_kind": row["facility_kind"], "arrest_month": f"{arrested.year:04d}-{arrested.month:02d}",
        "status": row["status"],
        "custody_hours": hours_between(arrested, row["ended_at"]) if row["ended_at"] else None,
        "events": [{"type": kind, "hours_after_arrest": round((at - naive).total_seconds() / 3600, 2)}
                   for kind, at in sorted(events, key=itemgetter(1))],
        "safeguards": [
            {"rule": o["rule"], "safeguard": o["safeguard"], "status": o["status"],
             "severity": o.get("severity"),
             "due_hours": round((parse(due) - arrested).total_seconds() / 3600, 2)
             if (due := o.get("due_at")) else None,
             "met_hours": round((parse(met) - arrested).total_seconds() / 3600, 2)
             if (met := o.get("met_at")) else None}
            for o in (row["outcomes"] or [])],
    }


CSV_COLUMNS = ("person_ref", "country", "jurisdiction", "facility_kind", "sex", "age_at_arrest",
               "juvenile", "groups", "arrest_month", "status", "record", "event_type",
               "hours_after_arrest", "rule", "safeguard", "outcome", "due_hours", "met_hours")


# A spreadsheet reads a cell starting with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula: risky text gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_rows(record: Row) -> Iterator[dict[str, object]]:
    """Flat rows (one per event, then one per safeguard outcome), every cell formula-safe."""
    base = {k: record[k] for k in ("person_ref", "country", "jurisdiction", "facility_kind", "sex",
                                   "age_at_arrest", "juvenile", "arrest_month", "status")}
    base["groups"] = ";".join(record["groups"])
    rows = [dict(base, record="event", event_type=event["type"],
                 hours_after_arrest=event["hours_after_arrest"]) for event in record["events"]]
    rows += [dict(base, record="safeguard", rule=outcome["rule"], safeguard=outcome["safeguard"],
                  outcome=outcome["status"], due_hours=outcome["due_hours"],
                  met_hours=outcome["met_hours"]) for outcome in record["safeguards"]]
    for row in rows:
        yield {key: csv_safe(value) for key, value in row.items()}


def worst_by_safeguard(outcomes: Iterable[Row] | None) -> dict[str, tuple[str, str | None]]:
    """Per safeguard, the worst status over its rules (national and international) and the
    earliest time it was met, so one detention counts once per safeguard."""
    merged: dict[str, tuple[str, str | None]] = {}
    for o in outcomes or []:
        status = o["status"]
        if status not in _RANK:
            continue
        met = o.get("met_at") or None
        seen = merged.get(o["safeguard"])
        if seen is not None:
            if _RANK[seen[0]] < _RANK[status]:
                status = seen[0]
            if seen[1] is not None and (met is None or seen[1] < met):
                met = seen[1]
        merged[o["safeguard"]] = (status, met)
    return merged


def compliance_table(rows: Iterable[Row], key_of: KeyOf, partition: bool = True) -> list[dict[str, Any]]:
    """Group detentions by `key_of(row)` and count outcomes per safeguard; small cells hidden.

    `rows` carry arrested_at and outcomes. A group (for group_by=safeguard, the safeguard
    itself) with fewer than MIN_CELL detentions is suppressed: null counts, suppressed true,
    and so is a safeguard cell counting fewer than MIN_CELL detentions. When the groups
    `partition` the detentions, a hidden count could be recovered by subtracting the shown
    ones from a total (another grouping, or a wider filter): complementary suppression then
    hides more, smallest first, until no hidden group or cell stands alone or sums under
    MIN_CELL (see `complement`).

    This reads every detention's outcomes; the service answers from counts kept as outcomes
    are stored (monitor.services.research.statistics) and its tests hold it to this table."""
    groups: dict[Any, dict[str, Any]] = {}
    parse = datetime.fromisoformat
    for row in rows:
        row_id, arrested = row["id"], row["arrested_at"]
        for group, safeguard, status, met in key_of(row):
            cell = groups.get(group)
            if cell is None:
                cell = groups[group] = {"detentions": set(), "safeguards": {}}
            cell["detentions"].add(row_id)
            stats = cell["safeguards"].get(safeguard)
            if stats is None:
                stats = cell["safeguards"][safeguard] = {"counts": dict.fromkeys(OUTCOME_COUNTS, 0),
                                                         "hours": []}
            stats["counts"][status] += 1
            if met:  # hours_between, written out: it runs for most of a million outcomes
                stats["hours"].append(round((parse(met) - arrested).total_seconds() / 3600, 2))
    sizes = {group: len(cell["detentions"]) for group, cell in groups.items()}
    counts = {group: {name: stats["counts"] for name, stats in cell["safeguards"].items()}
              for group, cell in groups.items()}
    hours = {(group, name): stats["hours"] for group, cell in groups.items()
             for name, stats in cell["safeguards"].items()}
    return table_items(sizes, counts, lambda group, name: median_of(hours[group, name]), partition)


def median_of(hours: list[float]) -> float | None:
    """The median of hours (each already rounded to 0.01), rounded to 0.01; None if none."""
    return round(median(hours), 2) if hours else None


def table_items(sizes: Mapping[Any, int], counts: Mapping[Any, Mapping[str, Mapping[str, int]]],
                median_hours: Callable[[Any, str], float | None], partition: bool = True
                ) -> list[dict[str, Any]]:
    """The statistics' items from each group's detention count and per-safeguard outcome
    counts, suppressing small groups and cells (see compliance_table); `median_hours(group,
    safeguard)` is asked only for the cells shown."""
    hidden = {group for group, size in sizes.items() if size < MIN_CELL}
    if partition:
        hidden = complement(hidden, sizes)
    hidden_cells: dict[str, set[Any]] = {}
    for name in {name for cells in counts.values() for name in cells}:
        column = {group: sum(cells[name].values()) for group, cells in counts.items() if name in cells}
        small = {group for group, size in column.items() if group in hidden or size < MIN_CELL}
        hidden_cells[name] = complement(small, column) if partition else small
    items = []
    for group in sorted(sizes, key=str):
        suppressed = group in hidden
        safeguards: dict[str, dict[str, Any]] = {}
        for name, cell in sorted(counts[group].items()):
            if suppressed or group in hidden_cells[name]:
                safeguards[name] = dict(dict.fromkeys(OUTCOME_COUNTS), median_hours=None, suppressed=True)
            else:
                safeguards[name] = dict(cell, suppressed=False, median_hours=median_hours(group, name))
        items.append({"group": group, "detentions": None if suppressed else sizes[group],
                      "suppressed": suppressed, "safeguards": safeguards})
    return items


# The bucket of a safeguard without a met time: key columns cannot be NULL, and a met time
# before the arrest (a lawyer already there) has a negative bucket of its own.
NO_TIME = -(2 ** 31)


def safeguard_facts(outcomes: Iterable[Row] | None, arrested: datetime) -> list[tuple[str, str, int | None]]:
    """One detention's (safeguard, worst status, hours to the earliest met time × 100) as
    the statistics count them (see worst_by_safeguard); hours rounded to 0.01 first, as
    compliance_table rounds them, so a median from these integers is the same figure."""
    parse = datetime.fromisoformat
    return [(name, status, round(round((parse(met) - arrested).total_seconds() / 3600, 2) * 100)
             if met else None)
            for name, (status, met) in worst_by_safeguard(outcomes).items()]


def bucket_of(centi_hours: int | None) -> int:
    """The whole hour a met time falls in (NO_TIME if never met): the unit counts are kept in."""
    return NO_TIME if centi_hours is None else centi_hours // 100


def complement(hidden: Iterable[G], sizes: Mapping[G, int]) -> set[G]:
    """Hide more of `sizes` (smallest first) until the hidden ones are none, or at least two
    summing to MIN_CELL or more: a total minus the shown ones then singles nobody out."""
    hidden = set(hidden)
    shown = sorted((size, str(group), group) for group, size in sizes.items() if group not in hidden)
    while hidden and shown and (len(hidden) == 1 or sum(sizes[g] for g in hidden) < MIN_CELL):
        hidden.add(shown.pop(0)[2])
    return hidden
