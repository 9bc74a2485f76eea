"""Derived custody state (status, end, current facility), recomputed from the events."""

ENDING = {"release": "released", "death_in_custody": "died"}
# The only event types derive_state reads: any other event leaves the derived state as it was.
STATE_EVENTS = frozenset(ENDING) | {"transfer", "arrival"}


def chronological(events):
    """Events in time order, ties broken by id, so results never depend on insertion order."""
    return sorted(events, key=lambda e: (e.occurred_at, str(e.id)))


def location_after(event):
    """The facility id an event moves the person to, if any."""
    if event.type == "transfer":
        return event.details.get("to_facility_id")
    if event.type == "arrival":
        return event.details.get("facility_id")
    return None


def derive_state(initial_facility_id, events):
    """Return (status, ended_at, current_facility_id as str) for a list of events."""
    status, ended_at, facility = "in_custody", None, str(initial_facility_id)
    for event in chronological(events):
        moved_to = location_after(event)
        if moved_to:
            facility = moved_to
        if event.type in ENDING and ended_at is None:
            status, ended_at = ENDING[event.type], event.occurred_at
    return status, ended_at, facility
