"""Detention records as clients see them: with safeguards evaluated and open flags."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from monitor.domain.evaluator import Event, SafeguardResult, evaluate
from monitor.services import audit
from monitor.services.custody.presenters import detention_view
from monitor.services.evaluation.cases import case_of, rule_sets_for
from monitor.services.evidence.presenters import attachments_of
from monitor.services.flags.actions import open_flags_of

if TYPE_CHECKING:
    import uuid
    
    from monitor.models import Detention, Flag
    from monitor.services.access import Actor


def _event(row: Any) -> Event:
    """A CustodyEvent row as a domain Event."""
    return Event(type=row.type, occurred_at=row.occurred_at, details=row.details or {}, id=str(row.id))


def _group(detention: Detention) -> str:
    """The age group a rule's `applies_to` is compared with."""
    return "juvenile" if detention.juvenile else "adult"


def safeguards(detention: Detention, now: datetime) -> list[dict[str, Any]]:
    """Evaluate every applicable rule for `detention` at `now`."""
    sets = rule_sets_for(detention.current_facility)
    by_rule = {rule.id: rule for rs in sets for rule in rs.rules}
    results = evaluate(case_of(detention, [_event(e) for e in detention.events]), sets, now)
    group = _group(detention)
    return [_result_dict(r) for r in results if by_rule[r.rule].applies_to in ("all", group)]


def _result_dict(result: SafeguardResult) -> dict[str, Any]:
    """A SafeguardResult as a response dict."""
    return {
        "rule": result.rule, "safeguard": result.safeguard, "status": result.status,
        "due_at": result.due_at, "met_at": result.met_at, "citation": result.citation,
        "severity": result.severity, "confidence": result.confidence,
        "explanation": result.explanation, "basis": result.basis, "track": result.track,
    }


def open_flags(detention: Detention) -> Sequence[Flag]:
    """The detention's flags that are not resolved."""
    return open_flags_of(detention.id)


def full_view(actor: Actor, detention: Detention, now: datetime, audited: bool = True) -> dict[str, Any]:
    """A single detention with events, safeguards and open flags; identity reads are audited."""
    view = detention_view(detention, actor, events=detention.events,
                          safeguards=safeguards(detention, now), flags=open_flags(detention))
    view["attachments"] = attachments_of(detention.id, actor)
    if audited:
        audit_identity_read(actor, [detention.id], now)
    return view


def list_views(actor: Actor, detentions: Sequence[Detention], now: datetime) -> list[dict[str, Any]]:
    """Detentions for a list page (no events); one audit entry for the page's identities."""
    views = [detention_view(d, actor, safeguards=safeguards(d, now), flags=open_flags(d))
             for d in detentions]
    audit_identity_read(actor, [d.id for d in detentions], now)
    return views


def audit_identity_read(actor: Actor, detention_ids: Iterable[uuid.UUID], now: datetime) -> None:
    """Record that `actor` was shown these people's identities (only roles that see them)."""
    if actor.sees_identities and detention_ids:
        ids = [str(i) for i in detention_ids]
        audit.record_alone(actor, "identity.read", now, target_type="detention",
                           target_id=ids[0] if len(ids) == 1 else None, detail={"detentions": ids})
