"""Apply evaluation results to the flags table, numbering every change for the feed."""
import uuid

from sqlalchemy import select, update

from monitor.domain.flagging import plan_flag_changes
from monitor.extensions import db
from monitor.models import Counter, Flag
from monitor.services import webhooks
from monitor.services.presenters import flag_view

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
    """Raise, reopen, redate or resolve the detention's flags; returns the changes made."""
    rows = {f.rule: f for f in db.session.scalars(
        select(Flag).where(Flag.detention_id == detention.id))}
    existing = {rule: (f.status, f.resolution, f.due_at) for rule, f in rows.items()}
    changes = plan_flag_changes(results, existing, detention.status)
    numbers = take_numbers(len(changes))
    touched = []
    for change in changes:
        seq = next(numbers)
        flag = rows.get(change.rule)
        if change.action == "raise":
            r = change.result
            flag = Flag(
                id=uuid.uuid4(), detention_id=detention.id, rule=r.rule, safeguard=r.safeguard,
                severity=r.severity, country=detention.country,
                facility_id=detention.current_facility_id,
                status="resolved" if change.resolution else "open", resolution=change.resolution,
                breach=r.status, due_at=r.due_at, raised_at=now, updated_at=now, change_seq=seq)
            db.session.add(flag)
            touched.append(flag)
            continue
        if change.action == "reopen":
            flag.status, flag.resolution = "open", None
        if change.action in ("reopen", "redate"):
            flag.due_at, flag.breach = change.result.due_at, change.result.status
        if change.action == "resolve":
            flag.status, flag.resolution = "resolved", change.resolution
        flag.updated_at, flag.change_seq = now, seq
        touched.append(flag)
    if touched:
        db.session.flush()
        webhooks.enqueue(touched, now, flag_view)
    return changes
