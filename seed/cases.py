"""Custody stories as registers and monitors record them (pure: random, no database).

Each story is an arrest and what followed: rights read, lawyers asked for and seen (or not),
interrogations with or without counsel, families told in time or late, medical
examinations, allegations of ill-treatment, transfers, court appearances, reviews, releases
and, after release, the complaint, the investigation and the trial. The shares are rough
field proportions chosen so every safeguard is met, met late, pending, overdue and violated
somewhere in a large data set.
"""
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.domain import vocabulary

# (rule-set code, country, time zone, share of detentions). "intl" facilities are in
# countries with no national rule set loaded: only international standards apply.
JURISDICTIONS = [
    ("mx", "MX", "America/Mexico_City", 14), ("ph", "PH", "Asia/Manila", 12),
    ("ng", "NG", "Africa/Lagos", 12), ("ke", "KE", "Africa/Nairobi", 10),
    ("gb", "GB", "Europe/London", 10), ("uz", "UZ", "Asia/Tashkent", 8),
    ("ma", "MA", "Africa/Casablanca", 8), ("cm", "CM", "Africa/Douala", 7),
    ("kz", "KZ", "Asia/Almaty", 7), ("intl", "FR", "Europe/Paris", 6),
    ("intl", "BR", "America/Sao_Paulo", 6),
]
FACILITY_KINDS = ("police_station", "pretrial")  # two per jurisdiction: transfers between them
# After custody (issue 15); only the types this build's vocabulary knows are generated.
AFTERMATH = [t for t in ("complaint_filed", "investigation_opened", "forensic_report",
                         "prosecution_opened", "case_closed") if t in vocabulary.EVENT_TYPES]
EXAMINERS = getattr(vocabulary, "FORENSIC_EXAMINERS", ("independent", "facility"))


@dataclass
class Story:
    """One detention's facts and events [(type, occurred_at, details)] before storage."""

    arrested_at: datetime
    juvenile: bool
    age: int
    sex: str
    released: bool
    events: list = field(default_factory=list)
    transfer_to: int | None = None  # index of the other facility of the jurisdiction
    offence_gravity: str | None = None
    organised_crime: bool | None = None


def _hours(base, low, high, rng):
    return base + timedelta(hours=rng.uniform(low, high))


def story(rng: random.Random, now: datetime, code: str, released_share: float) -> Story:
    """A random detention under rule set `code`, arrested before `now`, events up to `now`."""
    juvenile = rng.random() < 0.08
    released = rng.random() < released_share
    if released:  # history: arrests of the last year, custody of a few hours to ten days
        arrested = now - timedelta(days=rng.uniform(3, 365))
        ended = arrested + timedelta(hours=min(rng.expovariate(1 / 30), 240) + 0.5)
    else:  # still held: arrested within the last three days
        arrested, ended = now - timedelta(hours=rng.uniform(0.2, 72)), None
    s = Story(arrested_at=arrested, juvenile=juvenile, released=released,
              age=rng.randint(12, 17) if juvenile else rng.randint(18, 75),
              sex=rng.choices(("male", "female", "other", "unknown"), (85, 13, 1, 1))[0])
    if code == "ph":
        s.offence_gravity = rng.choice(("light", "correctional", "afflictive", None))
    if code == "mx":
        s.organised_crime = rng.random() < 0.1
    horizon = ended or now
    out = s.events

    def add(kind, at, details=None, p=1.0):
        if rng.random() < p and arrested <= at < horizon:
            out.append((kind, at, details or {}))
            return True
        return False

    out.append(("arrest", arrested, {}))
    add("registry_entry", _hours(arrested, 0, 2, rng), p=0.5)
    add("rights_notified", _hours(arrested, 0.05, 3, rng), p=0.85)
    if code == "gb":
        add("family_notification_requested", _hours(arrested, 0, 1, rng), p=0.5)
    late_family = rng.random() < 0.2
    add("family_notified", _hours(arrested, *((6, 40) if late_family else (0.2, 5)), rng), p=0.8)
    if rng.random() < 0.5:
        asked = _hours(arrested, 0.1, 2, rng)
        if add("lawyer_requested", asked):
            add("lawyer_access", _hours(asked, 0.2, 8, rng), {"private": rng.random() < 0.7}, p=0.75)
    if add("interrogation", _hours(arrested, 1, 12, rng), {"lawyer_present": rng.random() < 0.55}, p=0.6):
        add("confession", _hours(out[-1][1], 0.5, 3, rng),
            {"lawyer_present": rng.random() < 0.5, "recorded": rng.random() < 0.4}, p=0.05)
    add("medical_exam", _hours(arrested, 0.5, 30, rng),
        {"examiner": rng.choice(EXAMINERS), "injuries_observed": rng.random() < 0.1}, p=0.6)
    alleged = add("ill_treatment_alleged", _hours(arrested, 2, 48, rng), p=0.04)
    if alleged:
        add("medical_exam", _hours(out[-1][1], 1, 48, rng),
            {"examiner": "independent", "injuries_observed": rng.random() < 0.6}, p=0.5)
    if juvenile:
        add("social_welfare_notified", _hours(arrested, 0.5, 12, rng), p=0.6)
    if rng.random() < 0.1 and add("transfer", _hours(arrested, 2, 36, rng), {"to_facility_id": None}):
        s.transfer_to = 1
    if code == "gb":  # PACE reviews: first at 6 h, then every 9 h
        at = _hours(arrested, 5, 7, rng)
        while rng.random() < 0.85 and add("detention_review", at, {}):
            at = _hours(at, 7, 10, rng)
    add("detention_extended", _hours(arrested, 20, 40, rng), {"extended_by_hours": 24.0}, p=0.04)
    add("judicial_appearance", _hours(arrested, 6, 60, rng), {"outcome": "remanded"}, p=0.85)
    if ended is not None:
        kind = "death_in_custody" if rng.random() < 0.0005 else "release"
        out.append((kind, ended, {}))
        if (alleged or rng.random() < 0.01) and AFTERMATH and rng.random() < 0.6:
            _aftermath(rng, ended, now, out)
    return s


def _aftermath(rng, ended, now, out):
    """Complaint, investigation, forensic report, prosecution, closure: each may stop the chain."""
    details = {"complaint_filed": lambda: {"by": rng.choice(("detainee", "family", "lawyer", "ngo")),
                                           "to": rng.choice(("prosecutor", "court", "ombudsman"))},
               "investigation_opened": lambda: {"independent": rng.random() < 0.3},
               "forensic_report": lambda: {"examiner": rng.choice(EXAMINERS),
                                           "consistency": rng.choice(("consistent", "not_consistent"))},
               "case_closed": lambda: {"outcome": rng.choice(("conviction", "acquittal", "dismissed"))}}
    at = ended
    for kind in AFTERMATH:
        at = at + timedelta(days=rng.uniform(1, 60))
        if at >= now or rng.random() < 0.3:
            return
        out.append((kind, at, details.get(kind, dict)()))
