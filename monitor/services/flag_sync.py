"""Apply evaluation results to the flags table, numbering every change for the feed."""
import uuid

from sqlalchemy import insert, select, update

from monitor.domain.flagging import plan_flag_changes
from monitor.extensions import db
from monitor.models import Counter, Flag
from monitor.services import webhooks
from monitor.services.presenters import FLAG_FIELDS, flag_view

FEED = "flags"


def take_numbers(count):
    """Reserve `count` feed positions; the counter row stays locked until commit.

    Holding that lock to the end of the transaction is what makes the feed exactly-once:
    a writer with a lower number always commits before one with a higher number starts."""
    if count == 0:
        return iter(())
    counters = Counter.__table__
    top = db.session.execute(
        update(counters).where(counters.c.name == FEED).values(value=counters.c.value + count)
        .returning(counters.c.value)).scalar_one_or_none()
    if top is None:
        db.session.add(Counter(name=FEED, value=count))
        db.session.flush()
        top = count
    return iter(range(top - count + 1, top + 1))


def sync_flags(detention, results, now):
    """Raise, reopen, redate or resolve one detention's flags; returns the changes made."""
    return sync_flags_many([(detention, results)], now)[0]


def sync_flags_many(evaluated, now):
    """Apply [(detention, results)] to the flags table in one pass; returns each one's changes.

    One read of the flags, one block of feed numbers and one multi-row insert for a whole
    batch: the sweep's cost per detention stays small when thousands fall due at once."""
    rows = {}
    with db.session.no_autoflush:
        ids = [detention.id for detention, _ in evaluated]
        for flag in db.session.scalars(select(Flag).where(Flag.detention_id.in_(ids))):
            rows.setdefault(flag.detention_id, {})[flag.rule] = flag
    planned = []
    for detention, results in evaluated:
        mine = rows.get(detention.id, {})
        existing = {rule: (f.status, f.resolution, f.due_at) for rule, f in mine.items()}
        planned.append((detention, mine, plan_flag_changes(results, existing, detention.status)))
    numbers = take_numbers(sum(len(changes) for _, _, changes in planned))
    raised, touched = [], []
    for detention, mine, changes in planned:
        for change in changes:
            seq = next(numbers)
            if change.action == "raise":
                raised.append(_new_flag(detention, change, seq, now))
            else:
                touched.append(_apply_change(mine[change.rule], change, seq, now))
    if raised:
        db.session.execute(insert(Flag.__table__), raised)
    if touched:
        db.session.flush()
    webhooks.enqueue([_view_of_row(row) for row in raised] + [flag_view(f) for f in touched],
                     [row["change_seq"] for row in raised] + [f.change_seq for f in touched], now)
    return [changes for _, _, changes in planned]


def _new_flag(detention, change, seq, now):
    """The row of a newly raised flag (inserted with its batch)."""
    r = change.result
    return {"id": uuid.uuid4(), "detention_id": detention.id, "rule": r.rule,
            "safeguard": r.safeguard, "severity": r.severity, "country": detention.country,
            "facility_id": detention.current_facility_id,
            "status": "resolved" if change.resolution else "open", "resolution": change.resolution,
            "breach": r.status, "due_at": r.due_at, "raised_at": now, "updated_at": now,
            "note": None, "acted_by": None, "change_seq": seq}


def _apply_change(flag, change, seq, now):
    """Reopen, redate or resolve a stored flag; returns it."""
    if change.action == "reopen":
        flag.status, flag.resolution = "open", None
    if change.action in ("reopen", "redate"):
        flag.due_at, flag.breach = change.result.due_at, change.result.status
    if change.action == "resolve":
        flag.status, flag.resolution = "resolved", change.resolution
    flag.updated_at, flag.change_seq = now, seq
    return flag


def _view_of_row(row):
    """flag_view of a row inserted without an ORM object."""
    return {key: row[key] for key in FLAG_FIELDS}
