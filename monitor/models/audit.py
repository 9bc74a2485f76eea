"""The audit trail: append-only, each entry chained to the previous one by a hash."""
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from monitor.extensions import db
from monitor.models.types import UTCDateTime


class AuditEntry(db.Model):
    """Who did what, when, from where; `hash` covers this entry and the previous hash."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    actor_role: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    target_type: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    target_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    address: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    detail: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
