"""Facilities, persons, detentions and their custody events."""
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitor.domain.vocabulary import DETENTION_STATUSES, FACILITY_KINDS  # noqa: F401
from monitor.extensions import db
from monitor.models.types import UTCDateTime, utcnow


class Facility(db.Model):
    """A place of detention, with the country and jurisdiction whose law applies."""

    __tablename__ = "facilities"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[str] = mapped_column(sa.String(30))
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    jurisdiction: Mapped[str] = mapped_column(sa.String(32))
    court_within_40km: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("users.id"), nullable=True)


class Person(db.Model):
    """A detained person; identifying fields are sealed with DATA_KEY."""

    __tablename__ = "persons"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    identity_enc: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)  # {"name", "birth_date"}
    sex: Mapped[str] = mapped_column(sa.String(10))
    age: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    groups: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Detention(db.Model):
    """One deprivation of liberty, from arrest to release or death."""

    __tablename__ = "detentions"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("persons.id"), nullable=False)
    facility_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("facilities.id"), nullable=False)
    current_facility_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("facilities.id"), nullable=False, index=True)
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    arrested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # free text, sealed: {"grounds", "notes", "arresting_authority"} (it can name officers)
    private_enc: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    juvenile: Mapped[bool] = mapped_column(sa.Boolean)
    age_at_arrest: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    offence_gravity: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    organised_crime: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    capital_offence: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)  # ng s.35(7)(a); None: unknown
    status: Mapped[str] = mapped_column(sa.String(20), default="in_custody", index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the sweep must next look at this detention (None: nothing pending). Indexed so a
    # sweep reads only what is due, not every open detention.
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    # Safeguard outcomes of the last evaluation: exact until next_due_at, when the sweep
    # evaluates again. Exports and statistics read these instead of re-evaluating.
    outcomes: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    person = relationship(Person, lazy="joined")
    facility = relationship(Facility, foreign_keys=[facility_id])
    current_facility = relationship(Facility, foreign_keys=[current_facility_id], lazy="joined")
    events = relationship(
        "CustodyEvent", back_populates="detention",
        order_by="(CustodyEvent.occurred_at, CustodyEvent.id)")

    __table_args__ = (
        sa.CheckConstraint(f"status IN {DETENTION_STATUSES}", name="ck_detentions_status"),
        # Detentions counted per country, year of arrest or facility, within a scope and an
        # arrest-time range (the impunity statistics' group sizes), from this index alone.
        sa.Index("ix_detentions_country_arrested_at", "country", "arrested_at", "current_facility_id"),
    )


class CustodyEvent(db.Model):
    """A timestamped stage of arrest and custody; free text sealed in private_enc."""

    __tablename__ = "custody_events"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    detention_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("detentions.id"), nullable=False)
    type: Mapped[str] = mapped_column(sa.String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    source: Mapped[str] = mapped_column(sa.String(40))
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    private_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True)  # notes + free-text details
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("users.id"), nullable=True)

    detention = relationship(Detention, back_populates="events")

    __table_args__ = (
        # `type` too: exports read (detention, time, type) from the index alone.
        sa.Index("ix_custody_events_detention_time_type", "detention_id", "occurred_at", "type"),
    )
