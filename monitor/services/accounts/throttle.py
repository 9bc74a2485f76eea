"""Failed-login throttling per account and per address, stored in the database."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from monitor.exceptions import RateLimited
from monitor.extensions import db
from monitor.models import LoginFailure


def _keys(email: str, address: str | None) -> list[tuple[str, int]]:
    """The throttle keys of a login attempt and their limits."""
    cfg = current_app.config
    return [("account:" + email, cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
            ("address:" + (address or "unknown"), cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"])]


def check_allowed(email: str, address: str | None, now: datetime) -> None:
    """Raise RateLimited if the account or the address is locked out."""
    rows = db.session.scalars(
        db.select(LoginFailure).where(LoginFailure.key.in_([k for k, _ in _keys(email, address)])))
    waits = [(row.locked_until - now).total_seconds() for row in rows
             if row.locked_until and row.locked_until > now]
    if waits:
        raise RateLimited(max(1, int(max(waits)) + 1))


def record_failure(email: str, address: str | None, now: datetime) -> None:
    """Count a failed login; retried once if another worker created the row meanwhile."""
    try:
        _count_failure(email, address, now)
    except IntegrityError:
        db.session.rollback()
        _count_failure(email, address, now)


def _count_failure(email: str, address: str | None, now: datetime) -> None:
    """Increment the counters; lock a key for the window once it reaches its limit."""
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    for key, limit in _keys(email, address):
        row = db.session.get(LoginFailure, key, with_for_update=True)
        if row is None:
            row = LoginFailure(key=key, failures=0, window_started_at=now)
            db.session.add(row)
        if row.window_started_at + window < now:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + window
    db.session.commit()


def reset_account(email: str) -> None:
    """A successful login clears the account's counter (the address counter stays)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == "account:" + email))
    db.session.commit()
