"""Partner webhooks and their durable delivery outbox."""
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from monitor.domain.vocabulary import DELIVERY_STATUSES
from monitor.extensions import db
from monitor.models.types import UTCDateTime


class Webhook(db.Model):
    """A URL an organisation receives flag changes at, signed with its secret."""

    __tablename__ = "webhooks"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("organizations.id"), nullable=False)
    url: Mapped[str] = mapped_column(sa.String(2000))
    secret_enc: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    countries: Mapped[list] = mapped_column(sa.JSON, default=list)  # [] = every country
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # Keyed hash of the registration as sent (secret included): a same-id replay is compared
    # against it. None for webhooks registered before it existed.
    fingerprint: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)


class WebhookDelivery(db.Model):
    """One flag change to deliver to one webhook, retried with back-off until acknowledged."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    webhook_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("webhooks.id"), nullable=False, index=True)
    flag_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("flags.id"), nullable=False)
    change_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    payload: Mapped[Any] = mapped_column(sa.JSON, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(12), default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        sa.CheckConstraint(f"status IN {DELIVERY_STATUSES}", name="ck_webhook_deliveries_status"),
    )
