"""What the compliance statistics count, kept as outcomes are stored (see
monitor.services.research.facts): one row per detention and safeguard, and running counts.

A request for statistics over 10^6 detentions cannot read 10^6 outcome lists in time; it
reads the counts (a few hundred thousand rows at most, summed by the database) and, for
each median, only the facts of the hour the median falls in.
"""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from monitor.extensions import db
from monitor.models.types import UTCDateTime

# SQLite gives a rowid alias (and autoincrement) only to a column declared INTEGER.
_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class SafeguardFact(db.Model):
    """One safeguard of one detention as statistics count it: its worst status over the
    rules (national and international), the hours to its earliest met time × 100, and the
    detention's grouping keys.

    Clustered on SQLite by detention, so replacing a detention's facts rewrites one page; the
    met times are also in a partial index ordered by (safeguard, hour), where a median reads
    one contiguous range without touching the rows. Safeguards not met (most, for an arrest
    just recorded) add nothing to that index."""

    __tablename__ = "safeguard_facts"
    detention_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("detentions.id"), primary_key=True)
    safeguard: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    bucket: Mapped[int] = mapped_column(sa.Integer)  # whole hours; NO_TIME if never met
    status: Mapped[str] = mapped_column(sa.String(10))
    met_centi: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    country: Mapped[str] = mapped_column(sa.String(2))
    facility_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)  # the detention's current facility
    month: Mapped[str] = mapped_column(sa.String(7))  # of the arrest, UTC, YYYY-MM
    arrested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        sa.Index("ix_safeguard_facts_arrested_at", "arrested_at"),
        sa.Index("ix_safeguard_facts_met", "safeguard", "bucket", "country", "facility_id", "month",
                 "arrested_at", "met_centi", sqlite_where=sa.text("met_centi IS NOT NULL"),
                 postgresql_where=sa.text("met_centi IS NOT NULL")),
        {"sqlite_with_rowid": False},
    )


class ComplianceCount(db.Model):
    """A change (+n or −n) to how many detentions have a safeguard in a status, with a met
    time in an hour: rows are only ever added, by many writers at once without contention,
    and summed by readers; the sweep folds them together now and then."""

    __tablename__ = "compliance_counts"
    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    country: Mapped[str] = mapped_column(sa.String(2))
    facility_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    month: Mapped[str] = mapped_column(sa.String(7))
    safeguard: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(10))
    bucket: Mapped[int] = mapped_column(sa.Integer)
    n: Mapped[int] = mapped_column(sa.Integer)


class ComplianceSize(db.Model):
    """A change to how many detentions have any counted safeguard, per country, facility and
    month (a group's size: safeguards overlap, so it is not a sum of the counts)."""

    __tablename__ = "compliance_sizes"
    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    country: Mapped[str] = mapped_column(sa.String(2))
    facility_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    month: Mapped[str] = mapped_column(sa.String(7))
    n: Mapped[int] = mapped_column(sa.Integer)


class AccountabilityFact(db.Model):
    """What one detention's accountability events show, for the impunity statistics: kept as
    its events are stored (monitor.services.research.impunity.refresh), and only for the
    detentions where they show something (a few in a hundred), so a request reads those
    rather than aggregating every hearing of every detention."""

    __tablename__ = "accountability_facts"
    detention_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("detentions.id"), primary_key=True)
    alleged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    complaint: Mapped[bool] = mapped_column(sa.Boolean)
    investigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    prosecution: Mapped[bool] = mapped_column(sa.Boolean)
    conviction: Mapped[bool] = mapped_column(sa.Boolean)
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
