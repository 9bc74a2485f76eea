"""Bulk data for benchmarks and fault tests: N detentions as the field and the sweep leave them.

Stories come from `seed.cases` (jurisdictions, juveniles, transfers, releases, late and
missing safeguards, accountability events). Each is evaluated with the domain evaluator at
`now` exactly as the sweep would (stored outcomes, next due time, flags raised with feed
numbers), then rows go in with multi-row Core inserts, a batch per transaction: the
services would take hours for 10^6 records. Identities are sealed with the app's cipher.

`due` detentions are arrests recorded late (arrested ~49 h before `now`, received an hour
ago, never evaluated): due at once, as any newly written detention is, and past their
judge's deadline, so the next sweep raises their flags.
"""
import random
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert
from tqdm import tqdm

from monitor.domain.custody import derive_state
from monitor.domain.evaluator import Case, Event, evaluate_with_next_change
from monitor.domain.flagging import plan_flag_changes
from monitor.extensions import db
from monitor.models import CustodyEvent, Detention, Facility, Flag, Person
from monitor.services.evaluation.cases import INTL, stored_outcomes
from monitor.services.flags.changes import take_numbers
from monitor.services.research import facts, impunity
from seed.cases import FACILITY_KINDS, JURISDICTIONS, story


def make_facilities(now: datetime, rule_sets) -> list:
    """Two facilities per jurisdiction whose rule set is loaded: [(weight, [facility rows])]."""
    groups, rows = [], []
    for code, country, tz, weight in JURISDICTIONS:
        if code != INTL and code not in rule_sets:
            continue
        pair = [{"id": uuid.uuid4(), "name": f"Bench {country} {kind}", "kind": kind, "country": country,
                 "timezone": tz, "jurisdiction": code, "court_within_40km": k == 0,
                 "fingerprint": "bench", "created_at": now} for k, kind in enumerate(FACILITY_KINDS)]
        groups.append((weight, pair))
        rows += pair
    db.session.execute(insert(Facility.__table__), rows)
    db.session.commit()
    return groups


def _sets_for(facility: dict, rule_sets) -> list:
    """The facility's national rule set and the international one (as records.rule_sets_for)."""
    codes = [facility["jurisdiction"]] if facility["jurisdiction"] != INTL else []
    return [rule_sets[c] for c in codes + [INTL] if c in rule_sets]


def _late_arrest(i, now, facility, cipher):
    """(detention, events): an arrest 49 h ago recorded an hour ago, not yet evaluated."""
    arrested, received = now - timedelta(hours=49), now - timedelta(hours=1)
    return dict(arrested_at=arrested, received_at=received, juvenile=False, age=30, sex="male",
                status="in_custody", ended_at=None, current=facility, next_due_at=received,
                outcomes=[], offence_gravity=None, organised_crime=None), [("arrest", arrested, {})]


def _evaluated(rng, now, pair, rule_sets, released_share):
    """(detention fields, events, results) of a random story evaluated at `now`."""
    s = story(rng, now, pair[0]["jurisdiction"], released_share)
    events = [(kind, at, dict(details, to_facility_id=str(pair[1]["id"])) if kind == "transfer" else details)
              for kind, at, details in s.events]
    ids = [uuid.uuid4() for _ in events]
    domain = [Event(type=k, occurred_at=at, details=d, id=str(e)) for e, (k, at, d) in zip(ids, events, strict=False)]
    status, ended_at, current_id = derive_state(pair[0]["id"], domain)
    current = pair[1] if current_id == str(pair[1]["id"]) else pair[0]
    sets = _sets_for(current, rule_sets)
    case = Case(arrested_at=s.arrested_at, juvenile=s.juvenile, events=tuple(domain),
                timezone=current["timezone"], places={str(f["id"]): (f["country"], f["kind"]) for f in pair},
                facts={"offence_gravity": s.offence_gravity, "organised_crime": s.organised_crime,
                       "court_within_40km": current["court_within_40km"]})
    results, next_due = evaluate_with_next_change(case, sets, now)
    fields = dict(arrested_at=s.arrested_at, received_at=s.arrested_at + timedelta(minutes=rng.uniform(1, 90)),
                  juvenile=s.juvenile, age=s.age, sex=s.sex, status=status, ended_at=ended_at,
                  current=current, next_due_at=next_due, outcomes=stored_outcomes(results, s.juvenile, sets),
                  offence_gravity=s.offence_gravity, organised_crime=s.organised_crime)
    return fields, list(zip(ids, events, strict=False)), results


def generate(n, due, now, cipher, batch=5000, seed=7, progress=True, released_share=0.6):
    """Insert `n` detentions (`due` of them late-recorded arrests, due at once) with their
    events, outcomes and flags; `released_share` of the others are history. Returns the
    facility ids.

    The late-recorded arrests are written last, as the field writes them: received an hour
    before `now`, after everything else in the data set, so they sit where a database puts
    its newest rows (the end of the table), not scattered through years of history."""
    rule_sets = current_app.extensions["monitor.rule_sets"]
    rng = random.Random(seed)
    groups = make_facilities(now, rule_sets)
    weights, pairs = [w for w, _ in groups], [p for _, p in groups]
    due_ids = set(rng.sample(range(n), due))
    late = _Batch(now)
    with tqdm(total=n, unit="det", desc="generate", disable=not progress) as bar:
        for start in range(0, n, batch):
            written = _Batch(now)
            for i in range(start, min(n, start + batch)):
                pair = rng.choices(pairs, weights)[0]
                if i in due_ids:
                    d, stored = _late_arrest(i, now, pair[0], cipher)
                    late.add(i, d, pair, [(uuid.uuid4(), e) for e in stored], [], cipher)
                else:
                    d, stored, results = _evaluated(rng, now, pair, rule_sets, released_share)
                    written.add(i, d, pair, stored, results, cipher)
            written.write()
            bar.update(len(written.detentions))
    late.write()
    facts.compact(db.session.connection())  # as the scheduler does after sweeps: a row per key
    db.session.commit()
    return [f["id"] for pair in pairs for f in pair]


class _Batch:
    """The rows of some detentions, written in one transaction."""

    def __init__(self, now):
        self.now = now
        self.persons, self.detentions, self.events, self.planned = [], [], [], []

    def add(self, i, d, pair, stored, results, cipher):
        """A detention (fields `d`) with its person, its events and the flags its results raise."""
        detention_id, person_id = uuid.uuid4(), uuid.uuid4()
        self.persons.append({"id": person_id, "sex": d["sex"], "age": d["age"], "groups": [],
                             "created_at": d["received_at"], "identity_enc": cipher.seal(
                                 {"name": f"Person {i}", "birth_date": None}, f"person:{person_id}")})
        row = {"id": detention_id, "person_id": person_id, "facility_id": pair[0]["id"],
               "current_facility_id": d["current"]["id"], "country": pair[0]["country"],
               "arrested_at": d["arrested_at"],
               "juvenile": d["juvenile"], "age_at_arrest": d["age"], "status": d["status"],
               "ended_at": d["ended_at"], "next_due_at": d["next_due_at"], "outcomes": d["outcomes"],
               "offence_gravity": d["offence_gravity"], "organised_crime": d["organised_crime"],
               "fingerprint": "bench", "received_at": d["received_at"],
               "created_at": d["received_at"], "updated_at": self.now,
               "private_enc": cipher.seal({"grounds": "", "notes": "", "arresting_authority": "police"},
                                          f"detention:{detention_id}")}
        self.detentions.append(row)
        self.events += [{"id": e, "detention_id": detention_id, "type": kind, "occurred_at": at,
                         "source": "custody_register", "details": details, "fingerprint": "bench",
                         "received_at": max(at, d["received_at"])} for e, (kind, at, details) in stored]
        self.planned += [(row, change) for change in plan_flag_changes(results, {}, d["status"])]

    def write(self):
        """Insert the rows, their flags, facts and counts; commit."""
        numbers = take_numbers(len(self.planned))
        flags = [_flag_row(row, change, next(numbers), self.now) for row, change in self.planned]
        # Core inserts on the tables (executemany): the ORM's bulk path costs more than the data.
        for model, rows in ((Person, self.persons), (Detention, self.detentions), (CustodyEvent, self.events),
                            (Flag, flags)):
            if rows:
                db.session.execute(insert(model.__table__), rows)
        # Round the ORM, so round its flush hook: the statistics' facts and counts too.
        facts.refresh(db.session.connection(), [
            (r["id"], r["country"], r["current_facility_id"], r["arrested_at"], r["outcomes"])
            for r in self.detentions])
        impunity.refresh(db.session.connection(), [e["detention_id"] for e in self.events
                                                   if e["type"] in impunity.COUNTED_TYPES])
        db.session.commit()


def _flag_row(detention, change, seq, now):
    """A flag as the sweep raises it (flag_sync._new_flag), dated when it fell due."""
    r = change.result
    raised = min(r.due_at, now) if r.due_at else now
    return {"id": uuid.uuid4(), "detention_id": detention["id"], "rule": r.rule, "safeguard": r.safeguard,
            "severity": r.severity, "country": detention["country"],
            "facility_id": detention["current_facility_id"],
            "status": "resolved" if change.resolution else "open", "resolution": change.resolution,
            "breach": r.status, "due_at": r.due_at, "raised_at": raised, "updated_at": raised,
            "note_enc": None, "acted_by": None, "change_seq": seq}
