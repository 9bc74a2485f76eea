"""Flags raised by the sweep, and the counter that orders their changes for the feed."""
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from monitor.domain.vocabulary import FLAG_STATUSES
from monitor.extensions import db
from monitor.models.types import UTCDateTime

RESOLUTIONS = ("met_late", "cleared", "released", "dismissed")


class Flag(db.Model):
    """One overdue or violated safeguard of one detention (at most one per rule)."""

    __tablename__ = "flags"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    detention_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("detentions.id"), nullable=False)
    rule: Mapped[str] = mapped_column(sa.String(80))
    safeguard: Mapped[str] = mapped_column(sa.String(40))
    severity: Mapped[str] = mapped_column(sa.String(10))
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    facility_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("facilities.id"), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    resolution: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    breach: Mapped[str] = mapped_column(sa.String(20))  # overdue or violated when raised
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    note_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True)  # acknowledge note / dismiss reason
    acted_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("users.id"), nullable=True)
    # Position in the change feed; assigned under the counter lock, so commits are in order.
    change_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, index=True)

    __table_args__ = (
        sa.UniqueConstraint("detention_id", "rule", name="uq_flags_detention_rule"),
        sa.CheckConstraint(f"status IN {FLAG_STATUSES}", name="ck_flags_status"),
        sa.Index("ix_flags_detention_status", "detention_id", "status"),
    )


class FlagExit(db.Model):
    """A flag leaving a country's scope (its detention was transferred abroad): the old
    country's feed shows it once more, as it stood then, and never again."""

    __tablename__ = "flag_exits"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    flag_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("flags.id"), nullable=False, index=True)
    country: Mapped[str] = mapped_column(sa.String(2))  # the scope it left
    to_country: Mapped[str] = mapped_column(sa.String(2))  # only to tell who still sees it
    status: Mapped[str] = mapped_column(sa.String(20))
    safeguard: Mapped[str] = mapped_column(sa.String(40))
    severity: Mapped[str] = mapped_column(sa.String(10))
    view: Mapped[Any] = mapped_column(sa.JSON, nullable=False)  # the flag as it stood when it left
    change_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, index=True)


class Counter(db.Model):
    """Named monotonic counters; the row lock serialises whoever takes a number."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)


class SweepState(db.Model):
    """The sweep lease (one sweeper at a time) and when the last sweep finished."""

    __tablename__ = "sweep_state"
    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    holder: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_sweep_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_result: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
