"""What cannot be true of a record, judged against `now` (pure: the services pass the clock).

Each check returns field errors ({"field": [message]}), empty when the data is plausible.
The bounds are recorded in docs/DECISIONS.md ("Implausible data").
"""
from datetime import datetime, timedelta

# Phones' clocks run a little fast: the one future tolerance for every time a caller sends
# (arrested_at, occurred_at, started_at, ended_at).
FUTURE_TOLERANCE = timedelta(seconds=300)
# An arrest recorded now is of someone in custody, or just out: not one from a decade ago.
MAX_ARREST_AGE = timedelta(days=3653)  # ten years
MAX_ARREST_AGE_TEXT = "More than 10 years ago: record only current or recent custody."


def arrest_errors(arrested_at: datetime, stated_age: int | None, age_from_birth: int | None,
                  now: datetime) -> dict[str, list[str]]:
    """An arrest far in the past, or a stated age the birth date contradicts."""
    errors = {}
    if arrested_at < now - MAX_ARREST_AGE:
        errors["arrested_at"] = [MAX_ARREST_AGE_TEXT]
    if stated_age is not None and age_from_birth is not None and stated_age != age_from_birth:
        errors["person.age"] = [f"The birth date gives {age_from_birth} at the arrest, "
                                f"not {stated_age}."]
    return errors


def visit_errors(started_at: datetime, ended_at: datetime | None,
                 now: datetime) -> dict[str, list[str]]:
    """A visit that has not started yet, started a decade ago, or ends in the future."""
    errors = {}
    if started_at > now + FUTURE_TOLERANCE:
        errors["started_at"] = ["More than 5 minutes in the future."]
    elif started_at < now - MAX_ARREST_AGE:
        errors["started_at"] = ["More than 10 years ago: record only recent visits."]
    return {**errors, **end_errors("ended_at", ended_at, now)}


def end_errors(field: str, ended_at: datetime | None, now: datetime) -> dict[str, list[str]]:
    """An end (of an interrogation, of a visit) that has not happened yet."""
    if ended_at is not None and ended_at > now + FUTURE_TOLERANCE:
        return {field: ["In the future: record the end once it has happened."]}
    return {}


def transfer_errors(facility_at_the_time: str, to_facility_id: str) -> dict[str, list[str]]:
    """A transfer to the facility the person is already in."""
    if str(facility_at_the_time) == str(to_facility_id):
        return {"details.to_facility_id": ["The person is already in this facility."]}
    return {}
