"""Safeguard evaluation: a detention's events against its rule sets, at a given `now`.

Pure and deterministic: events are sorted by (time, id), so the result never depends on the
order they were recorded in; all arithmetic is elapsed UTC time, so no limit moves with
daylight saving (a facility's time zone only matters for court-day calendars).

- deadline: from the first trigger (or where the rule's `start` says: see domain.clock)
  (or from every trigger when `retrigger`), one of
  `satisfied_by` must happen within the limit (`within_hours`, or `limit_by` a fact: when
  the fact is unknown the strictest limit applies and the explanation says so; "immediately"
  is 0 h plus `grace_hours`). `extended_by` events granted before expiry add their
  `extended_by_hours` (or `delay_hours`), never past `max_hours`. Met in time → met; met
  after → met_late; not met and past due → overdue while in custody, violated once custody
  has ended. Custody ending before the due time: release satisfies rules marked
  `release_satisfies` (custody and judicial limits), other rules no longer apply.
- condition: a trigger event whose details match `violated_when` is a violation at once
  (when the rule has `when_preceded_by`: only if one of those events came at or before it,
  as a confession admitted in court after it was retracted or alleged to be forced).
- track: custody rules end with custody (release or death); accountability rules (the
  complaint, the investigation, the trial) end only at `case_closed`, so their deadlines
  stay pending, then overdue, after release.
- recurring: a first deadline, then a new one `every_hours` after each satisfying event,
  until custody ends; any late cycle makes the rule met_late, a missing current one overdue.
"""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from monitor.domain.calendar import is_court_day
from monitor.domain.clock import clock_start, due_at
from monitor.domain.rules import Rule
from monitor.domain.timeline import Timeline

ENDING = ("release", "death_in_custody")
CASE_END = "case_closed"
_ENDING_TYPES, _CASE_END_TYPES = frozenset(ENDING), frozenset((CASE_END,))
# (status, due, met_at, words): one rule's state, before it becomes a SafeguardResult
Outcome = tuple[str, "datetime | None", "datetime | None", str]
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
    # facility id (str) -> (country, kind), for the facilities its events name
    places: Mapping[str, tuple[str, str]] = field(default_factory=dict)


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
    basis: str = "law"
    track: str = "custody"


def applies(rule: Rule, juvenile: bool) -> bool:
    """Does the rule cover this age group?"""
    return rule.applies_to == "all" or rule.applies_to == ("juvenile" if juvenile else "adult")


def _satisfying(rule: Rule, events: Timeline[Event], start: datetime) -> Event | None:
    """The first satisfying event at or after `start`, or None."""
    satisfies = rule.matchers.satisfied_by
    for event in events.of_types(satisfies.types):
        if event.occurred_at >= start and satisfies(event):
            return event
    return None


def _deadline_occurrence(rule: Rule, case: Case, trigger: datetime, events: Timeline[Event],
                         end: Event | None, now: datetime, country: str) -> Outcome:
    """(status, due, met_at, words) for one deadline triggered at `trigger`."""
    # A custody clock runs on what happened in custody: a hearing recorded after the release
    # (one that "extends" detention, an arrival) neither starts nor lengthens it.
    clock_events = events if end is None or rule.track != "custody" else events.until(end.occurred_at)
    start, start_note = clock_start(rule, case, trigger, clock_events, country)
    due, note = due_at(rule, case, start, clock_events, country)
    note = "; ".join(n for n in (start_note, note) if n)
    done = _satisfying(rule, events, trigger)  # met before a later start is met all the same
    ended = "the case closed" if rule.track == "accountability" else "custody ended"
    if done is not None and (end is None or done.occurred_at <= end.occurred_at):
        status = "met" if done.occurred_at <= due else "met_late"
        return status, due, done.occurred_at, _words(status, note)
    if end is not None:
        if end.occurred_at <= due:
            if rule.release_satisfies and end.type == "release":
                return "met", due, end.occurred_at, _words("released in time", note)
            if rule.track == "accountability":  # closing a case without it is the impunity watched
                return "violated", due, None, _words("the case closed without it", note)
            return "not_applicable", due, None, _words(f"{ended} before it fell due", note)
        return "violated", due, None, _words(f"{ended} past the limit without it", note)
    status = "overdue" if now > due else "pending"
    return status, due, None, _words(status, note)


def _words(state: str, note: str) -> str:
    """One line of explanation."""
    return state + (f" ({note})" if note else "")


def _worst(occurrences: list[Outcome]) -> Outcome:
    """The most serious occurrence; among equals, the latest."""
    return min(reversed(occurrences), key=lambda o: SEVERITY_ORDER.index(o[0]))


def _triggers(rule: Rule, events: Timeline[Event], end: Event | None = None) -> list[Event]:
    """The events that start (or, for a condition, are judged by) the rule; a custody rule
    is not started by what happens after custody ended (an allegation made after release)."""
    starts = rule.matchers.trigger
    candidates = events.of_types(starts.types)
    if end is None or rule.track != "custody":
        return [e for e in candidates if starts(e)]
    return [e for e in candidates if starts(e) and e.occurred_at <= end.occurred_at]



def _deadline(rule: Rule, case: Case, events: Timeline[Event], end: Event | None,
              now: datetime, country: str) -> tuple[Outcome, datetime | None]:
    """Worst occurrence of a deadline, and the next pending due time among them all."""
    triggers = [e.occurred_at for e in _triggers(rule, events, end)]
    if not triggers:
        return ("not_applicable", None, None, "not triggered"), None
    starts = triggers if rule.retrigger else triggers[:1]
    occurrences = [_deadline_occurrence(rule, case, s, events, end, now, country) for s in starts]
    wake = min((o[1] for o in occurrences if o[0] == "pending" and o[1] is not None), default=None)
    return _worst(occurrences), wake


def _condition(rule: Rule, events: Timeline[Event], end: Event | None) -> Outcome:
    """Violated at the first trigger event that breaks the condition."""
    triggered = _triggers(rule, events, end)
    if not triggered:
        return "not_applicable", None, None, "not triggered"
    for event in triggered:
        if not rule.matchers.violated_when(event):
            continue
        if not rule.when_preceded_by:
            return "violated", event.occurred_at, None, f"{event.type} without the safeguard"
        preceding = rule.matchers.when_preceded_by
        prior = next((p for p in events.of_types(preceding.types) if p is not event
                      and p.occurred_at <= event.occurred_at and preceding(p)), None)
        if prior is not None:
            return "violated", event.occurred_at, None, (
                f"{event.type} at {event.occurred_at:%Y-%m-%d %H:%M} UTC after "
                f"{_described(prior)} at {prior.occurred_at:%Y-%m-%d %H:%M} UTC")
    return "met", None, triggered[0].occurred_at, f"{len(triggered)} {triggered[0].type} event(s) compliant"


def _on_day(rule: Rule, case: Case, events: Timeline[Event], country: str) -> Outcome:
    """Violated by a trigger on a day that is not a working day (local time, public holidays
    of the rule set's country): Cameroon's rule that custody is not ordered at weekends."""
    triggered = _triggers(rule, events)
    if not triggered:
        return "not_applicable", None, None, "not triggered"
    code = country or rule.id.split(".")[0].upper()
    zone = ZoneInfo(case.timezone)
    for event in triggered:
        day = event.occurred_at.astimezone(zone).date()
        if not is_court_day(day, code):
            return "violated", event.occurred_at, None, (
                f"{event.type} on {day:%A %Y-%m-%d}, not a working day"
                + (f" ({rule.note})" if rule.note else ""))
    return "met", None, triggered[0].occurred_at, f"{triggered[0].type} on a working day"


def _described(event: Event) -> str:
    """An event named with the details that made it count ('confession (retracted)')."""
    flags = [key for key, value in sorted(event.details.items()) if value is True]
    flags += [f"no {key.removesuffix('_present')}" for key, value in sorted(event.details.items())
              if value is False and key.endswith("_present")]
    return event.type + (f" ({', '.join(flags)})" if flags else "")


def _recurring(rule: Rule, case: Case, events: Timeline[Event], end: Event | None,
               now: datetime, country: str) -> Outcome:
    """A chain of deadlines, each starting at the previous satisfying event."""
    triggers = [e.occurred_at for e in _triggers(rule, events, end)]
    if not triggers:
        return "not_applicable", None, None, "not triggered"
    start, start_note = clock_start(rule, case, triggers[0], events, country)
    due, _ = due_at(rule, case, start, events, country)
    late, last_met, cycle = 0, None, 0
    satisfies = rule.matchers.satisfied_by
    for event in events.of_types(satisfies.types):
        if event.occurred_at < start or not satisfies(event):
            continue
        if end is not None and event.occurred_at > end.occurred_at:
            break
        late += event.occurred_at > due
        last_met, cycle = event.occurred_at, cycle + 1
        due = event.occurred_at + timedelta(hours=rule.every_hours or 0)
    first = f"; first {start_note}" if start_note else ""
    if end is not None:
        if end.occurred_at > due:
            return "violated", due, last_met, f"custody ended with review {cycle + 1} missing{first}"
        return ("met_late" if late else "met"), due, last_met, f"{cycle} review(s), {late} late{first}"
    if now > due:
        return "overdue", due, last_met, f"review {cycle + 1} overdue{first}"
    return ("met_late" if late else "pending"), due, last_met, f"{cycle} review(s), {late} late; next due{first}"


def evaluate_with_next_change(case: Case, rule_sets: Sequence[Any], now: datetime
                              ) -> tuple[list[SafeguardResult], datetime | None]:
    """(results, next change instant or None) in one pass: what the sweep stores."""
    results, wakes = _evaluate(case, rule_sets, now)
    return results, min(wakes, default=None)


def _evaluate(case: Case, rule_sets: Sequence[Any], now: datetime
              ) -> tuple[list[SafeguardResult], list[datetime]]:
    """(results, wake-up times): the evaluation and when each pending part falls due."""
    events = Timeline(sorted(case.events, key=lambda e: (e.occurred_at, e.id)))
    ends = {"custody": next(iter(events.of_types(_ENDING_TYPES)), None),
            "accountability": next(iter(events.of_types(_CASE_END_TYPES)), None)}
    results, wakes = [], []
    for rule_set in rule_sets:
        country = getattr(rule_set, "country", "") or ""
        for rule in rule_set.rules:
            wake, end = None, ends[rule.track]
            exempt = rule.except_when is not None and case.facts.get(rule.except_when) is True
            if not applies(rule, case.juvenile):
                status, due, met, words = "not_applicable", None, None, f"applies to {rule.applies_to} only"
            elif exempt:
                status, due, met, words = "not_applicable", None, None, (
                    f"does not apply: {rule.except_when} = true" + (f" ({rule.note})" if rule.note else ""))
            elif rule.kind == "condition" and rule.violated_on:
                status, due, met, words = _on_day(rule, case, events, country)
            elif rule.kind == "condition":
                status, due, met, words = _condition(rule, events, end)
            elif rule.kind == "recurring":
                status, due, met, words = _recurring(rule, case, events, end, now, country)
                wake = due if end is None and due is not None and due >= now else None
            else:
                (status, due, met, words), wake = _deadline(rule, case, events, end, now, country)
            if rule.except_when is not None and case.facts.get(rule.except_when) is None \
                    and applies(rule, case.juvenile):
                words += f"; {rule.except_when} unknown: the rule applies (strict reading)"
            results.append(SafeguardResult(
                rule=rule.id, safeguard=rule.safeguard, status=status, due_at=due, met_at=met,
                citation=rule.citation, severity=rule.severity, confidence=rule.confidence,
                explanation=f"{rule.title or rule.safeguard}: {words}", basis=rule.basis,
                track=rule.track))
            if wake is not None:
                wakes.append(wake)
    return results, wakes


def evaluate(case: Case, rule_sets: Sequence[Any], now: datetime) -> list[SafeguardResult]:
    """One result per rule of the given sets (national and intl side by side)."""
    return _evaluate(case, rule_sets, now)[0]

