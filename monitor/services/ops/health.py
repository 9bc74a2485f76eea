"""Health report for `/healthz`."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from monitor.extensions import db
from monitor.models import SweepState
from schemas.fields import format_timestamp

log = logging.getLogger(__name__)


def health_report() -> dict[str, Any]:
    """{"status", "database", "last_sweep_at"}; never raises."""
    try:
        db.session.execute(text("SELECT 1"))
        state = db.session.get(SweepState, "sweep")
        last = state.last_sweep_at if state else None
        db.session.rollback()
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        db.session.rollback()
        return {"status": "degraded", "database": "error", "last_sweep_at": None}
    return {"status": "ok", "database": "ok",
            "last_sweep_at": format_timestamp(last) if last else None}
