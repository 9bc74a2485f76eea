"""Where a rule's clock starts, and how far it runs: start events, limits, extensions, calendars.

A clock starts at its trigger, unless the rule has a `start` (rules.Start): then at the first
such event at a facility of the rule set's country, or at the trigger + `cap_hours` if that is
earlier, or at the trigger itself when the event is not recorded (the strict reading: never
later than the law's own start). The explanation says which was used.
"""
from datetime import datetime, timedelta
from typing import Any

from monitor.domain.calendar import court_deadline, working_days_deadline
from monitor.domain.rules import Rule, Start
from monitor.domain.timeline import of_types

FACILITY_KEYS = ("facility_id", "to_facility_id")


def _stamp(moment: datetime) -> str:
    """A UTC instant as 'YYYY-MM-DD HH:MM UTC' for explanations."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _in_jurisdiction(event: Any, case: Any, country: str, kinds: tuple[str, ...]) -> bool:
    """Does the event happen at a facility of `country` (and of one of `kinds`, if given)?"""
    facility = next((event.details.get(k) for k in FACILITY_KEYS if event.details.get(k)), None)
    if facility is None:
        return True  # an event with no place (a charge, a review) belongs to the record
    place = case.places.get(str(facility))
    if place is None:
        return False  # unknown facility: not evidence of a later start (strict reading)
    place_country, place_kind = place
    return (not country or place_country.upper() == country.upper()) and (
        not kinds or place_kind in kinds)


def clock_start(rule: Rule, case: Any, trigger: datetime, events: Any,
                country: str) -> tuple[datetime, str]:
    """(start, note): where the clock of `rule` starts for a trigger at `trigger`."""
    return relevant_time(rule.start, case, trigger, events, country)


def relevant_time(spec: Start | None, case: Any, trigger: datetime, events: Any,
                  country: str) -> tuple[datetime, str]:
    """(instant, note): the first `spec.event` after `trigger` in the jurisdiction, capped
    at trigger + `spec.cap_hours`; `trigger` itself when there is no spec or no such event."""
    if spec is None:
        return trigger, ""
    first = next((e for e in of_types(events, frozenset((spec.event,))) if e.occurred_at >= trigger
                  and _in_jurisdiction(e, case, country, spec.facility_kinds)), None)
    if first is None:
        return trigger, f"from the arrest: no {spec.event} recorded (strict reading)"
    if spec.cap_hours is not None and first.occurred_at > trigger + timedelta(hours=spec.cap_hours):
        capped = trigger + timedelta(hours=spec.cap_hours)
        return capped, (f"from the arrest + {spec.cap_hours:g} h ({_stamp(capped)}), "
                        f"earlier than the {spec.event} at {_stamp(first.occurred_at)}")
    return first.occurred_at, f"from the {spec.event} at {_stamp(first.occurred_at)}"


def limit(rule: Rule, case: Any) -> tuple[float, str]:
    """(hours, note): the rule's limit, choosing by a deciding fact when it has one."""
    if not rule.limit_by:
        return float(rule.within_hours or 0), ""
    fact, table = rule.limit_by
    value = case.facts.get(fact)
    key = None if value is None else str(value).lower()
    hours = dict(table)
    if key in hours:
        return hours[key], f"{fact} = {key}: {hours[key]:g} h"
    strictest = min(hours.values())
    return strictest, f"{fact} unknown: strictest limit ({strictest:g} h) applied"


def due_at(rule: Rule, case: Any, start: datetime, events: Any, country: str) -> tuple[datetime, str]:
    """(due time, note) of a deadline starting at `start`, with extensions and calendar."""
    code = rule.id.split(".")[0].upper()
    if rule.calendar == "working_days" and rule.within_days:
        due = working_days_deadline(start, rule.within_days, case.timezone, country or code)
        return due, f"{rule.within_days} working days, public holidays excluded"
    hours, note = limit(rule, case)
    due = start + timedelta(hours=hours + (rule.grace_hours if hours == 0 else 0))
    ceiling = start + timedelta(hours=rule.max_hours) if rule.max_hours else None
    if ceiling is not None and rule.max_from is not None:
        # the ceiling runs from the arrest's relevant time, not from this clock's start
        # (a delay may not pass it; a request made after it still gets its own grace)
        base, _ = relevant_time(rule.max_from, case, case.arrested_at, events, country)
        if base + timedelta(hours=rule.max_hours or 0) < ceiling:
            ceiling = max(base + timedelta(hours=rule.max_hours or 0), due)
            note = (note + "; " if note else "") + f"delay at most {rule.max_hours:g} h from the relevant time"
    extends = rule.matchers.extended_by
    for event in of_types(events, extends.types):
        if start <= event.occurred_at <= due and extends(event):
            extra = (event.details.get("extended_by_hours") or event.details.get("delay_hours")
                     or rule.extension_hours or 0)
            due += timedelta(hours=float(extra))
            if ceiling is not None:
                due = min(due, ceiling)
    if rule.calendar == "court_days":
        rolled = court_deadline(due, case.timezone, country or code)
        if rolled != due:
            note = (note + "; " if note else "") + "rolled to the end of the next court day"
        due = rolled
    return due, note
