"""Impunity statistics (pure): what followed allegations of ill-treatment, per group.

Input is one `AccountabilityFacts` per detention that has any accountability event (the
service aggregates them in SQL) and every group's detention count. Suppression follows the
compliance statistics (research.py): a group of fewer than MIN_CELL detentions is hidden, and
so is a count of 1 to MIN_CELL - 1 (it singles out a handful of people); complementary
suppression then hides more, smallest first, so no hidden figure can be recovered by
subtracting the shown ones from a total. A count of zero is shown: "no conviction" is the
finding these statistics exist for, and it names nobody.
"""
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from monitor.domain.research import MIN_CELL, complement

MEASURES = ("allegation", "complaint", "investigation", "investigation_within_threshold",
            "prosecution", "conviction", "confession_admitted_after_allegation")
DAY_SECONDS = 86400.0


@dataclass(frozen=True)
class AccountabilityFacts:
    """One detention's accountability record, reduced to what the statistics count.

    `alleged_at`: the first allegation (ill_treatment_alleged, or a hearing where the detainee
    reported ill-treatment); `investigated_at`: the first investigation_opened; `admitted_at`:
    the last evidence_ruling admitting a confession."""

    group: Hashable
    alleged_at: datetime | None = None
    complaint: bool = False
    investigated_at: datetime | None = None
    prosecution: bool = False
    conviction: bool = False
    admitted_at: datetime | None = None


def days_to_investigation(facts: AccountabilityFacts) -> float | None:
    """Days from the first allegation to the first investigation (0 when the investigation
    was already open), None without both."""
    if facts.alleged_at is None or facts.investigated_at is None:
        return None
    return max((facts.investigated_at - facts.alleged_at).total_seconds(), 0.0) / DAY_SECONDS


def measures_of(facts: AccountabilityFacts, threshold: timedelta) -> dict[str, bool]:
    """Which of MEASURES this detention counts in."""
    days = days_to_investigation(facts)
    alleged = facts.alleged_at is not None
    # The same moment counts as after: a confession admitted at the very hearing where the
    # detainee told the judge of ill-treatment was admitted despite the allegation.
    admitted_after = (alleged and facts.admitted_at is not None and facts.alleged_at is not None
                      and facts.admitted_at >= facts.alleged_at)
    return {"allegation": alleged, "complaint": facts.complaint,
            "investigation": facts.investigated_at is not None,
            "investigation_within_threshold": days is not None and days * DAY_SECONDS <= threshold.total_seconds(),
            "prosecution": facts.prosecution, "conviction": facts.conviction,
            "confession_admitted_after_allegation": admitted_after}


def accountability_table(sizes: Mapping[Any, int], facts: Iterable[AccountabilityFacts],
                         threshold: timedelta) -> list[dict[str, Any]]:
    """Per group: detentions, the count of each measure, median days from allegation to
    investigation; small groups and cells suppressed (see the module's docstring)."""
    counts: dict[Any, dict[str, int]] = {group: dict.fromkeys(MEASURES, 0) for group in sizes}
    days: dict[Any, list[float]] = {group: [] for group in sizes}
    for item in facts:
        if item.group not in counts:  # the count query and the events query disagree only
            continue                  # if a detention arrived between them: count it next time
        for name, counted in measures_of(item, threshold).items():
            counts[item.group][name] += counted
        delay = days_to_investigation(item)
        if delay is not None:
            days[item.group].append(delay)
    hidden = complement({g for g, size in sizes.items() if size < MIN_CELL}, sizes)
    hidden_cells = {}
    for name in MEASURES:
        column = {group: counts[group][name] for group in sizes}
        small = {g for g, count in column.items() if g in hidden or 0 < count < MIN_CELL}
        # Hiding a zero protects nothing (it adds nothing to a hidden sum): only non-zero
        # cells are candidates for complementary suppression.
        hidden_cells[name] = complement(small, {g: c for g, c in column.items() if c or g in small})
    return [_group(group, sizes[group], counts[group], days[group], group in hidden, hidden_cells)
            for group in sorted(sizes, key=str)]


def _group(group: object, size: int, counts: Mapping[str, int], days: list[float], suppressed: bool,
           hidden_cells: Mapping[str, set[Any]]) -> dict[str, Any]:
    """One output group, itself suppressed or with its hidden cells nulled."""
    shown = {name: None if suppressed or group in hidden_cells[name] else counts[name] for name in MEASURES}
    # A median of fewer than MIN_CELL delays describes those few people.
    median_days = round(median(days), 2) if not suppressed and len(days) >= MIN_CELL else None
    return {"group": str(group), "detentions": None if suppressed else size, "suppressed": suppressed,
            "counts": shown, "suppressed_cells": sorted(n for n in MEASURES if shown[n] is None),
            "median_days_to_investigation": median_days}
