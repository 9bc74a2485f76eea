"""Derived custody state (status, end, current facility), recomputed from the events."""
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar


class EventLike(Protocol):
    """What these functions read of an event (a stored row or a domain event)."""

    @property
    def id(self) -> object: ...
    @property
    def type(self) -> str: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def details(self) -> Mapping[str, Any]: ...


E = TypeVar("E", bound=EventLike)

ENDING = {"release": "released", "death_in_custody": "died"}
# The only event types derive_state reads: any other event leaves the derived state as it was.
STATE_EVENTS = frozenset(ENDING) | {"transfer", "arrival"}


def chronological(events: Iterable[E]) -> list[E]:
    """Events in time order, ties broken by id, so results never depend on insertion order."""
    return sorted(events, key=lambda e: (e.occurred_at, str(e.id)))


def location_after(event: EventLike) -> str | None:
    """The facility id an event moves the person to, if any."""
    if event.type == "transfer":
        return event.details.get("to_facility_id")
    if event.type == "arrival":
        return event.details.get("facility_id")
    return None


def derive_state(initial_facility_id: object, events: Iterable[EventLike]) -> tuple[str, datetime | None, str]:
    """Return (status, ended_at, current_facility_id as str) for a list of events."""
    status, ended_at, facility = "in_custody", None, str(initial_facility_id)
    for event in chronological(events):
        moved_to = location_after(event)
        if moved_to:
            facility = moved_to
        if event.type in ENDING and ended_at is None:
            status, ended_at = ENDING[event.type], event.occurred_at
    return status, ended_at, facility
