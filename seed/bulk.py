"""Bulk data for benchmarks and fault tests: N detentions with realistic event mixes.

Rows go in through SQLAlchemy Core in batches (the services would take hours for 10^6
records); identities are sealed with the app's real cipher, so the database looks exactly
as the API would leave it. `due` detentions are arrested ~49 h before `now` with no judge
yet (their next_due_at has just passed); the rest have a next due time in the future.
"""
import random
import uuid
from datetime import timedelta

from sqlalchemy import insert
from tqdm import tqdm

from monitor.extensions import db
from monitor.models import CustodyEvent, Detention, Facility, Person

FACILITIES = [("MX", "America/Mexico_City", "mx"), ("PH", "Asia/Manila", "ph"),
              ("NG", "Africa/Lagos", "ng"), ("KE", "Africa/Nairobi", "ke"),
              ("GB", "Europe/London", "gb")]
MIXES = [  # (event type, hours after arrest, details) sequences seen in custody registers
    [("rights_notified", 0.2, {}), ("lawyer_access", 1.5, {"private": True}),
     ("family_notified", 3, {})],
    [("lawyer_requested", 0.5, {}), ("interrogation", 2, {"lawyer_present": False})],
    [("family_notified", 0.8, {}), ("medical_exam", 5, {"examiner": "facility",
                                                      "injuries_observed": False})],
    [("rights_notified", 0.1, {}), ("interrogation", 4, {"lawyer_present": True}),
     ("lawyer_access", 3.5, {"private": False})],
    [],
]


def make_facilities(now):
    """One facility per national rule set; returns [(id, country)]."""
    rows = [{"id": uuid.uuid4(), "name": f"Bench {c}", "kind": "police_station", "country": c,
             "timezone": tz, "jurisdiction": j, "court_within_40km": None, "fingerprint": "bench",
             "created_at": now} for c, tz, j in FACILITIES]
    db.session.execute(insert(Facility), rows)
    db.session.commit()
    return [(r["id"], r["country"]) for r in rows]


def generate(n, due, now, cipher, batch=5000, seed=7, progress=True):
    """Insert `n` open detentions, `due` of them just fallen due; returns the facility ids."""
    rng = random.Random(seed)
    facilities = make_facilities(now)
    due_ids = set(rng.sample(range(n), due))
    with tqdm(total=n, unit="det", desc="generate", disable=not progress) as bar:
        for start in range(0, n, batch):
            persons, detentions, events = [], [], []
            for i in range(start, min(n, start + batch)):
                facility_id, country = facilities[i % len(facilities)]
                detention_id, person_id = uuid.uuid4(), uuid.uuid4()
                if i in due_ids:
                    arrested, next_due, mix = now - timedelta(hours=49), now - timedelta(hours=1), MIXES[4]
                else:
                    arrested = now - timedelta(hours=rng.uniform(0.5, 20))
                    next_due, mix = arrested + timedelta(hours=24), rng.choice(MIXES)
                persons.append({"id": person_id, "sex": rng.choice(["female", "male"]),
                                "age": rng.randint(15, 70), "groups": [], "created_at": now,
                                "identity_enc": cipher.seal({"name": f"Person {i}", "birth_date": None},
                                                            f"person:{person_id}")})
                detentions.append({
                    "id": detention_id, "person_id": person_id, "facility_id": facility_id,
                    "current_facility_id": facility_id, "country": country, "arrested_at": arrested,
                    "arresting_authority": "police", "juvenile": False, "age_at_arrest": 30,
                    "status": "in_custody", "next_due_at": next_due, "fingerprint": "bench",
                    "received_at": now, "created_at": now, "updated_at": now, "outcomes": [],
                    "private_enc": cipher.seal({"grounds": "", "notes": ""}, f"detention:{detention_id}")})
                events.append({"id": uuid.uuid4(), "detention_id": detention_id, "type": "arrest",
                               "occurred_at": arrested, "source": "custody_register", "details": {},
                               "fingerprint": "arrest", "received_at": now})
                for kind, after, details in mix:
                    at = arrested + timedelta(hours=after)
                    if at < now:
                        events.append({"id": uuid.uuid4(), "detention_id": detention_id, "type": kind,
                                       "occurred_at": at, "source": "custody_register",
                                       "details": details, "fingerprint": "bench", "received_at": now})
            db.session.execute(insert(Person), persons)
            db.session.execute(insert(Detention), detentions)
            db.session.execute(insert(CustodyEvent), events)
            db.session.commit()
            bar.update(len(detentions))
    return [f for f, _ in facilities]
