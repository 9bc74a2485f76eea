"""What the evaluator is given and what is kept of its answer: a detention's Case (its events,
the places they name, the facts the rules read), the rule sets of its jurisdiction, and the
re-evaluation that stores outcomes, indexes the next due time and syncs flags. Requests, sync
batches and the sweep all evaluate through here."""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from monitor.domain.evaluator import Case, Event, SafeguardResult, evaluate_with_next_change
from monitor.domain.flagging import FlagChange
from monitor.extensions import db
from monitor.models import CustodyEvent, Facility
from monitor.services import runtime
from monitor.services.flags.changes import sync_flags_many

INTL = "intl"


def rule_sets_for(facility: Any) -> list[Any]:
    """The facility's national rule set (if any) and the international set, side by side."""
    sets = runtime.rule_sets()
    codes = [facility.jurisdiction] if facility.jurisdiction != INTL else []
    return [sets[code] for code in codes + [INTL] if code in sets]


_EVENTS = CustodyEvent.__table__


def domain_events(detention_ids: Iterable[Any]) -> dict[Any, list[Event]]:
    """{detention id: [Event]} read with one lean query (no ORM objects): what rules need."""
    grouped: dict[Any, list[Event]] = {d: [] for d in detention_ids}
    # Core columns on the session's connection (an ORM select of the same columns goes through
    # the ORM's row loading for nothing).
    rows = db.session.connection().execute(select(
        _EVENTS.c.detention_id, _EVENTS.c.type, _EVENTS.c.occurred_at, _EVENTS.c.details, _EVENTS.c.id
    ).where(_EVENTS.c.detention_id.in_(list(grouped))))
    for detention_id, kind, at, details, event_id in rows:
        grouped[detention_id].append(Event(type=kind, occurred_at=at, details=details or {}, id=str(event_id)))
    return grouped


PLACE_KEYS = ("facility_id", "to_facility_id")


def places_of(event_lists: Iterable[Iterable[Event]]) -> dict[str, tuple[str, str]]:
    """{facility id: (country, kind)} of the facilities the events name, in one query: a
    clock that starts at the arrival at a station needs the station's country and kind."""
    ids = {str(e.details[k]) for events in event_lists for e in events for k in PLACE_KEYS
           if e.details.get(k)}
    if not ids:
        return {}
    rows = db.session.execute(select(Facility.id, Facility.country, Facility.kind).where(
        Facility.id.in_([uuid.UUID(i) for i in ids])))
    return {str(fid): (country, kind) for fid, country, kind in rows}


def case_of(detention: Any, events: Sequence[Event] | None = None,
            places: dict[str, tuple[str, str]] | None = None) -> Case:
    """The pure-domain Case of a detention (public details only: free text is never needed)."""
    facility = detention.current_facility
    if events is None:
        events = domain_events([detention.id])[detention.id]
    if places is None:
        places = places_of([events])
    return Case(
        arrested_at=detention.arrested_at, juvenile=detention.juvenile, events=tuple(events),
        timezone=facility.timezone, places=places,
        facts={"offence_gravity": detention.offence_gravity,
               "organised_crime": detention.organised_crime,
               "capital_offence": detention.capital_offence,
               "court_within_40km": facility.court_within_40km})


def stored_outcomes(results: Iterable[SafeguardResult], juvenile: bool, sets: Iterable[Any]
                    ) -> list[dict[str, Any]]:
    """Compact outcomes kept on the detention row for exports and statistics."""
    group = "juvenile" if juvenile else "adult"
    applies = {rule.id: rule.applies_to for rs in sets for rule in rs.rules}
    return [{"rule": r.rule, "safeguard": r.safeguard, "status": r.status, "severity": r.severity,
             "due_at": r.due_at.isoformat() if r.due_at else None,
             "met_at": r.met_at.isoformat() if r.met_at else None}
            for r in results if applies.get(r.rule, "all") in ("all", group)]


def reevaluate(detention: Any, now: datetime, events: Sequence[Event] | None = None) -> list[FlagChange]:
    """Evaluate one detention, sync its flags, store its outcomes, index its next due time."""
    if events is None:
        events = domain_events([detention.id])[detention.id]
    return reevaluate_many([(detention, events)], now)[0]


def reevaluate_many(pairs: Sequence[tuple[Any, Sequence[Event]]], now: datetime) -> list[list[FlagChange]]:
    """reevaluate() for [(detention, events)] at once; returns each detention's flag changes."""
    return sync_flags_many(evaluate_many(pairs, now), now)


def evaluate_many(pairs: Sequence[tuple[Any, Sequence[Event]]], now: datetime
                  ) -> list[tuple[Any, list[SafeguardResult]]]:
    """Evaluate [(detention, events)] and set each one's `next_due_at` and `outcomes` (on an
    ORM object, or on the sweep's plain row); returns [(detention, results)] for the flags."""
    evaluated = []
    places = places_of([events for _, events in pairs])  # one query for the whole batch
    for detention, events in pairs:
        case, sets = case_of(detention, events, places), rule_sets_for(detention.current_facility)
        results, detention.next_due_at = evaluate_with_next_change(case, sets, now)
        detention.outcomes = stored_outcomes(results, detention.juvenile, sets)
        evaluated.append((detention, results))
    return evaluated
