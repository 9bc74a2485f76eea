"""Detention records as clients see them: with safeguards evaluated and open flags."""
import uuid

from sqlalchemy import select

from monitor.domain.evaluator import Case, Event, evaluate
from monitor.extensions import db
from monitor.models import CustodyEvent, Facility
from monitor.services import audit, vault
from monitor.services.attachment_views import attachments_of
from monitor.services.flags import open_flags_of
from monitor.services.presenters import detention_view

INTL = "intl"


def rule_sets_for(facility):
    """The facility's national rule set (if any) and the international set, side by side."""
    sets = vault.rule_sets()
    codes = [facility.jurisdiction] if facility.jurisdiction != INTL else []
    return [sets[code] for code in codes + [INTL] if code in sets]


def domain_events(detention_ids):
    """{detention id: [Event]} read with one lean query (no ORM objects): what rules need."""
    grouped = {d: [] for d in detention_ids}
    rows = db.session.execute(select(
        CustodyEvent.detention_id, CustodyEvent.type, CustodyEvent.occurred_at,
        CustodyEvent.details, CustodyEvent.id).where(CustodyEvent.detention_id.in_(list(detention_ids))))
    for detention_id, kind, at, details, event_id in rows:
        grouped[detention_id].append(Event(type=kind, occurred_at=at, details=details or {}, id=str(event_id)))
    return grouped


PLACE_KEYS = ("facility_id", "to_facility_id")


def places_of(event_lists):
    """{facility id: (country, kind)} of the facilities the events name, in one query: a
    clock that starts at the arrival at a station needs the station's country and kind."""
    ids = {str(e.details[k]) for events in event_lists for e in events for k in PLACE_KEYS
           if e.details.get(k)}
    if not ids:
        return {}
    rows = db.session.execute(select(Facility.id, Facility.country, Facility.kind).where(
        Facility.id.in_([uuid.UUID(i) for i in ids])))
    return {str(fid): (country, kind) for fid, country, kind in rows}


def case_of(detention, events=None, places=None):
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


def _event(row):
    """A CustodyEvent row as a domain Event."""
    return Event(type=row.type, occurred_at=row.occurred_at, details=row.details or {}, id=str(row.id))


def _group(detention):
    """The age group a rule's `applies_to` is compared with."""
    return "juvenile" if detention.juvenile else "adult"


def stored_outcomes(results, juvenile, sets):
    """Compact outcomes kept on the detention row for exports and statistics."""
    group = "juvenile" if juvenile else "adult"
    applies = {rule.id: rule.applies_to for rs in sets for rule in rs.rules}
    return [{"rule": r.rule, "safeguard": r.safeguard, "status": r.status, "severity": r.severity,
             "due_at": r.due_at.isoformat() if r.due_at else None,
             "met_at": r.met_at.isoformat() if r.met_at else None}
            for r in results if applies.get(r.rule, "all") in ("all", group)]


def safeguards(detention, now):
    """Evaluate every applicable rule for `detention` at `now`."""
    sets = rule_sets_for(detention.current_facility)
    by_rule = {rule.id: rule for rs in sets for rule in rs.rules}
    results = evaluate(case_of(detention, [_event(e) for e in detention.events]), sets, now)
    group = _group(detention)
    return [_result_dict(r) for r in results if by_rule[r.rule].applies_to in ("all", group)]


def _result_dict(result):
    """A SafeguardResult as a response dict."""
    return {
        "rule": result.rule, "safeguard": result.safeguard, "status": result.status,
        "due_at": result.due_at, "met_at": result.met_at, "citation": result.citation,
        "severity": result.severity, "confidence": result.confidence,
        "explanation": result.explanation, "basis": result.basis, "track": result.track,
    }


def open_flags(detention):
    """The detention's flags that are not resolved."""
    return open_flags_of(detention.id)


def full_view(actor, detention, now, audited=True):
    """A single detention with events, safeguards and open flags; identity reads are audited."""
    view = detention_view(detention, actor, events=detention.events,
                          safeguards=safeguards(detention, now), flags=open_flags(detention))
    view["attachments"] = attachments_of(detention.id, actor)
    if audited:
        audit_identity_read(actor, [detention.id], now)
    return view


def list_views(actor, detentions, now):
    """Detentions for a list page (no events); one audit entry for the page's identities."""
    views = [detention_view(d, actor, safeguards=safeguards(d, now), flags=open_flags(d))
             for d in detentions]
    audit_identity_read(actor, [d.id for d in detentions], now)
    return views


def audit_identity_read(actor, detention_ids, now):
    """Record that `actor` was shown these people's identities (only roles that see them)."""
    if actor.sees_identities and detention_ids:
        ids = [str(i) for i in detention_ids]
        audit.record_alone(actor, "identity.read", now, target_type="detention",
                           target_id=ids[0] if len(ids) == 1 else None, detail={"detentions": ids})
