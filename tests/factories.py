"""Record factories that call the services with an explicit `now` (no HTTP, no sleeping)."""
import uuid
from dataclasses import dataclass
from datetime import datetime

from monitor.services.custody import detentions, events, facilities
from monitor.services.flags.changes import sync_flags_many
from schemas.detentions import DetentionInSchema
from schemas.events import EventInSchema
from schemas.facilities import FacilityInSchema
from schemas.fields import format_timestamp
from tests.helpers import SECOND, T0, hours  # noqa: F401  (re-exported for the tests)


def make_facility(actor, country="MX", tz="America/Mexico_City", now=T0, **extra):
    """A stored facility."""
    data = FacilityInSchema().load({"name": f"F-{uuid.uuid4().hex[:6]}", "kind": "police_station",
                                    "country": country, "timezone": tz, **extra})
    return facilities.create_facility(actor, data, now)[0]


def make_detention(actor, facility, arrested=T0, now=None, age=30, **extra):
    """A stored detention, created at `now` (default: the arrest time)."""
    data = DetentionInSchema().load({
        "person": {"name": "Test Person", "age": age}, "facility_id": str(facility.id),
        "arrested_at": format_timestamp(arrested), "arresting_authority": "police", **extra})
    return detentions.create_detention(actor, data, now or arrested)[0]


def add(actor, detention, kind, at, now=None, **details):
    """Record an event of `kind` at `at`, sent at `now` (default: `at`)."""
    data = EventInSchema().load({"type": kind, "occurred_at": format_timestamp(at),
                                 "details": details})
    return events.add_event(actor, detention.id, data, now or at)[0]


def sync_flags(detention, results, now):
    """Apply one detention's evaluation results to its flags; returns the changes made."""
    return sync_flags_many([(detention, results)], now)[0]


@dataclass
class Result:
    """An evaluator result as flag changes read it (rule, status, due time, safeguard, severity)."""
    rule: str
    status: str
    due_at: datetime = T0
    safeguard: str = "judicial_review"
    severity: str = "high"
