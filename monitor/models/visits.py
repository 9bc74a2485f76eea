"""Monitors' visits to places of detention."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitor.domain.vocabulary import VISIT_ACCESS
from monitor.extensions import db
from monitor.models.types import UTCDateTime, utcnow

visit_detentions = sa.Table(
    "visit_detentions", db.metadata,
    sa.Column("visit_id", sa.Uuid, sa.ForeignKey("visits.id"), primary_key=True),
    sa.Column("detention_id", sa.Uuid, sa.ForeignKey("detentions.id"), primary_key=True),
)


class Visit(db.Model):
    """A visit by a monitor: who got in, what was checked, whom they saw."""

    __tablename__ = "visits"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    facility_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("facilities.id"), nullable=False, index=True)
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    access: Mapped[str] = mapped_column(sa.String(10))
    register_checked: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    detainees_interviewed: Mapped[int] = mapped_column(sa.Integer, default=0)
    summary_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True)  # free text, sealed
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)

    detentions = relationship("Detention", secondary=visit_detentions, lazy="selectin")

    __table_args__ = (
        sa.CheckConstraint(f"access IN {VISIT_ACCESS}", name="ck_visits_access"),
    )
