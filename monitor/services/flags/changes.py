"""Apply evaluation results to the flags table, numbering every change for the feed."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from monitor.bulkwrite import insert_rows
from monitor.domain.evaluator import SafeguardResult
from monitor.domain.flagging import FlagChange, plan_flag_changes
from monitor.domain.ids import time_ordered_id
from monitor.extensions import db
from monitor.models import Counter, Flag, FlagExit
from monitor.services.flags import webhooks
from monitor.services.flags.presenters import FLAG_FIELDS, flag_view

FEED = "flags"


def take_numbers(count: int) -> Iterator[int]:
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


def sync_flags_many(evaluated: Sequence[tuple[Any, Sequence[SafeguardResult]]], now: datetime
                    ) -> list[list[FlagChange]]:
    """Apply [(detention, results)] to the flags table in one pass; returns each one's changes.

    One read of the flags, one block of feed numbers and one multi-row insert for a whole
    batch: the sweep's cost per detention stays small when thousands fall due at once."""
    rows: dict[Any, dict[str, Any]] = {}  # detention id → rule → Flag
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
    raised: list[dict[str, Any]] = []
    touched: list[Flag] = []
    for detention, mine, changes in planned:
        for change in changes:
            seq = next(numbers)
            if change.action == "raise":
                raised.append(_new_flag(detention, change, seq, now))
            else:
                touched.append(_apply_change(mine[change.rule], change, seq, now))
    if raised:
        insert_rows(db.session.connection(), Flag.__table__, raised)
    if touched:
        db.session.flush()
    webhooks.enqueue([_view_of_row(row) for row in raised] + [flag_view(f) for f in touched],
                     [row["change_seq"] for row in raised] + [f.change_seq for f in touched], now)
    return [changes for _, _, changes in planned]


def _new_flag(detention: Any, change: Any, seq: int, now: datetime) -> dict[str, Any]:
    """The row of a newly raised flag (inserted with its batch)."""
    r = change.result
    return {"id": time_ordered_id(now), "detention_id": detention.id, "rule": r.rule,
            "safeguard": r.safeguard, "severity": r.severity, "country": detention.country,
            "facility_id": detention.current_facility_id,
            "status": "resolved" if change.resolution else "open", "resolution": change.resolution,
            "breach": r.status, "due_at": r.due_at, "raised_at": now, "updated_at": now,
            "note_enc": None, "acted_by": None, "change_seq": seq}


def _apply_change(flag: Flag, change: Any, seq: int, now: datetime) -> Flag:
    """Reopen, redate or resolve a stored flag; returns it."""
    if change.action == "reopen":
        flag.status, flag.resolution = "open", None
    if change.action in ("reopen", "redate"):
        flag.due_at, flag.breach = change.result.due_at, change.result.status
    if change.action == "resolve":
        flag.status, flag.resolution = "resolved", change.resolution
    flag.updated_at, flag.change_seq = now, seq
    return flag


def _view_of_row(row: dict[str, Any]) -> dict[str, Any]:
    """flag_view of a row inserted without an ORM object."""
    return {key: row[key] for key in FLAG_FIELDS}


def follow_detention(detention: Any, old_country: str, now: datetime) -> None:
    """Move a detention's flags to its current facility and country (after a transfer).

    Each move is a change of the flag (a new feed position, a webhook delivery to the new
    country). When the country changes, the old country also gets one exit change: the
    flag as it stood, marked `left_scope`, and nothing that happens to it later."""
    flags = db.session.scalars(select(Flag).where(Flag.detention_id == detention.id)
                               .order_by(Flag.raised_at, Flag.rule)).all()
    if not flags:
        return
    abroad = old_country != detention.country
    numbers = take_numbers(len(flags) * (2 if abroad else 1))
    exits: list[FlagExit] = []
    exit_views: list[dict[str, Any]] = []
    for flag in flags:
        if abroad:
            view = dict(flag_view(flag), updated_at=now, visibility="left_scope")
            exit_views.append(view)
            exits.append(FlagExit(flag_id=flag.id, country=old_country, to_country=detention.country,
                                  status=flag.status, safeguard=flag.safeguard,
                                  severity=flag.severity, view=webhooks.json_ready(view),
                                  change_seq=next(numbers)))
        flag.country, flag.facility_id = detention.country, detention.current_facility_id
        flag.updated_at, flag.change_seq = now, next(numbers)
    db.session.add_all(exits)
    db.session.flush()
    webhooks.enqueue(exit_views, [e.change_seq for e in exits], now,
                     event="flag.left_scope", covers=_covered_only_before(detention.country))
    webhooks.enqueue([flag_view(f) for f in flags], [f.change_seq for f in flags], now)


def _covered_only_before(new_country: str) -> Callable[[Any, dict[str, Any]], bool]:
    """Exits go to the webhooks that covered the flag and no longer do."""
    return lambda hook, view: (bool(hook.countries) and view["country"] in hook.countries
                               and new_country not in hook.countries)
