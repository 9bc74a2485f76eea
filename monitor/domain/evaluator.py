"""Safeguard evaluation: a detention's events against its rule sets, at a given `now`.

Pure and deterministic: events are sorted by (time, id), so the result never depends on the
order they were recorded in; all arithmetic is elapsed UTC time, so no limit moves with
daylight saving (a facility's time zone only matters for court-day calendars).

- deadline: from the first trigger (or from every trigger when `retrigger`), one of
  `satisfied_by` must happen within the limit (`within_hours`, or `limit_by` a fact: when
  the fact is unknown the strictest limit applies and the explanation says so; "immediately"
  is 0 h plus `grace_hours`). `extended_by` events granted before expiry add their
  `extended_by_hours` (or `delay_hours`), never past `max_hours`. Met in time → met; met
  after → met_late; not met and past due → overdue while in custody, violated once custody
  has ended. Custody ending before the due time: release satisfies rules marked
  `release_satisfies` (custody and judicial limits), other rules no longer apply.
- condition: a trigger event whose details match `violated_when` is a violation at once.
- recurring: a first deadline, then a new one `every_hours` after each satisfying event,
  until custody ends; any late cycle makes the rule met_late, a missing current one overdue.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

from monitor.domain.calendar import court_deadline

ENDING = ("release", "death_in_custody")
SEVERITY_ORDER = ("violated", "overdue", "met_late", "pending", "met", "not_applicable")


@dataclass(frozen=True)
class Event:
    """One custody event as the evaluator sees it (public details only)."""

    type: str
    occurred_at: datetime
    details: Mapping[str, Any]
    id: str = ""


@dataclass(frozen=True)
class Case:
    """A detention: arrest, age group, events, current facility time zone, deciding facts."""

    arrested_at: datetime
    juvenile: bool
    events: Sequence[Event]
    timezone: str = "UTC"
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SafeguardResult:
    """The state of one rule for one detention."""

    rule: str
    safeguard: str
    status: str
    due_at: datetime | None
    met_at: datetime | None
    citation: str
    severity: str
    confidence: str
    explanation: str


def applies(rule, juvenile):
    """Does the rule cover this age group?"""
    return rule.applies_to == "all" or rule.applies_to == ("juvenile" if juvenile else "adult")


def _limit(rule, case):
    """(hours, note): the rule's limit, choosing by a deciding fact when it has one."""
    if not rule.limit_by:
        return float(rule.within_hours), ""
    fact, table = rule.limit_by
    value = case.facts.get(fact)
    key = None if value is None else str(value).lower()
    hours = dict(table)
    if key in hours:
        return hours[key], f"{fact} = {key}: {hours[key]:g} h"
    strictest = min(hours.values())
    return strictest, f"{fact} unknown: strictest limit ({strictest:g} h) applied"


def _due(rule, case, start, events):
    """(due time, note) of a deadline starting at `start`, with extensions and calendar."""
    hours, note = _limit(rule, case)
    due = start + timedelta(hours=hours + (rule.grace_hours if hours == 0 else 0))
    ceiling = start + timedelta(hours=rule.max_hours) if rule.max_hours else None
    for event in events:
        if event.type in rule.extended_by and start <= event.occurred_at <= due:
            extra = event.details.get("extended_by_hours") or event.details.get("delay_hours") or 0
            due += timedelta(hours=float(extra))
            if ceiling is not None:
                due = min(due, ceiling)
    if rule.calendar == "court_days":
        rolled = court_deadline(due, case.timezone, rule.id.split(".")[0].upper())
        if rolled != due:
            note = (note + "; " if note else "") + "rolled to the end of the next court day"
        due = rolled
    return due, note


def _satisfying(rule, events, start):
    """The first satisfying event at or after `start`, or None."""
    for event in events:
        if event.occurred_at >= start and any(m.matches(event) for m in rule.satisfied_by):
            return event
    return None


def _deadline_occurrence(rule, case, start, events, end, now):
    """(status, due, met_at, words) for one deadline started at `start`."""
    due, note = _due(rule, case, start, events)
    done = _satisfying(rule, events, start)
    if done is not None and (end is None or done.occurred_at <= end.occurred_at):
        status = "met" if done.occurred_at <= due else "met_late"
        return status, due, done.occurred_at, _words(status, note)
    if end is not None:
        if end.occurred_at <= due:
            if rule.release_satisfies and end.type == "release":
                return "met", due, end.occurred_at, _words("released in time", note)
            return "not_applicable", due, None, _words("custody ended before it fell due", note)
        return "violated", due, None, _words("custody ended past the limit without it", note)
    status = "overdue" if now > due else "pending"
    return status, due, None, _words(status, note)


def _words(state, note):
    """One line of explanation."""
    return state + (f" ({note})" if note else "")


def _worst(occurrences):
    """The most serious occurrence; among equals, the latest."""
    return min(reversed(occurrences), key=lambda o: SEVERITY_ORDER.index(o[0]))


def _deadline(rule, case, events, end, now):
    """Worst occurrence of a deadline, and the next pending due time among them all."""
    triggers = [e.occurred_at for e in events if e.type in rule.trigger]
    if not triggers:
        return ("not_applicable", None, None, "not triggered"), None
    starts = triggers if rule.retrigger else triggers[:1]
    occurrences = [_deadline_occurrence(rule, case, s, events, end, now) for s in starts]
    wake = min((o[1] for o in occurrences if o[0] == "pending"), default=None)
    return _worst(occurrences), wake


def _condition(rule, events):
    """Violated at the first trigger event that breaks the condition."""
    triggered = [e for e in events if e.type in rule.trigger]
    if not triggered:
        return "not_applicable", None, None, "not triggered"
    for event in triggered:
        if any(m.matches(event) for m in rule.violated_when):
            return "violated", event.occurred_at, None, f"{event.type} without the safeguard"
    return "met", None, triggered[0].occurred_at, f"{len(triggered)} {triggered[0].type} event(s) compliant"


def _recurring(rule, case, events, end, now):
    """A chain of deadlines, each starting at the previous satisfying event."""
    triggers = [e.occurred_at for e in events if e.type in rule.trigger]
    if not triggers:
        return "not_applicable", None, None, "not triggered"
    due, _ = _due(rule, case, triggers[0], events)
    late, last_met, cycle = 0, None, 0
    for event in events:
        if event.occurred_at < triggers[0] or not any(m.matches(event) for m in rule.satisfied_by):
            continue
        if end is not None and event.occurred_at > end.occurred_at:
            break
        late += event.occurred_at > due
        last_met, cycle = event.occurred_at, cycle + 1
        due = event.occurred_at + timedelta(hours=rule.every_hours)
    if end is not None:
        if end.occurred_at > due:
            return "violated", due, last_met, f"custody ended with review {cycle + 1} missing"
        return ("met_late" if late else "met"), due, last_met, f"{cycle} review(s), {late} late"
    if now > due:
        return "overdue", due, last_met, f"review {cycle + 1} overdue"
    return ("met_late" if late else "pending"), due, last_met, f"{cycle} review(s), {late} late; next due"


def evaluate_with_next_change(case, rule_sets, now):
    """(results, next change instant or None) in one pass: what the sweep stores."""
    results, wakes = _evaluate(case, rule_sets, now)
    return results, min(wakes, default=None)


def _evaluate(case, rule_sets, now):
    """(results, wake-up times): the evaluation and when each pending part falls due."""
    events = sorted(case.events, key=lambda e: (e.occurred_at, e.id))
    end = next((e for e in events if e.type in ENDING), None)
    results, wakes = [], []
    for rule_set in rule_sets:
        for rule in rule_set.rules:
            wake = None
            if not applies(rule, case.juvenile):
                status, due, met, words = "not_applicable", None, None, f"applies to {rule.applies_to} only"
            elif rule.kind == "condition":
                status, due, met, words = _condition(rule, events)
            elif rule.kind == "recurring":
                status, due, met, words = _recurring(rule, case, events, end, now)
                wake = due if end is None and due is not None and due >= now else None
            else:
                (status, due, met, words), wake = _deadline(rule, case, events, end, now)
            results.append(SafeguardResult(
                rule=rule.id, safeguard=rule.safeguard, status=status, due_at=due, met_at=met,
                citation=rule.citation, severity=rule.severity, confidence=rule.confidence,
                explanation=f"{rule.title or rule.safeguard}: {words}"))
            if wake is not None:
                wakes.append(wake)
    return results, wakes


def evaluate(case, rule_sets, now):
    """One result per rule of the given sets (national and intl side by side)."""
    return _evaluate(case, rule_sets, now)[0]


def next_change_at(case, rule_sets, now):
    """The earliest instant (not before `now`) after which a status changes with no new event.

    A deadline is met up to and including its due time, so the change happens just after it:
    the sweep looks at a detention once `next_due_at < now`."""
    return min(_evaluate(case, rule_sets, now)[1], default=None)
