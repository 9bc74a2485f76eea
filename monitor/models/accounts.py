"""Organisations, users, revoked tokens and login throttling state."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitor.domain.vocabulary import ROLES  # noqa: F401  (re-exported)
from monitor.extensions import db
from monitor.models.types import UTCDateTime, utcnow


class Organization(db.Model):
    """A monitoring body or partner NGO; the unit research pseudonyms are keyed to."""

    __tablename__ = "organizations"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class User(db.Model):
    """A person who logs in, with one role and a country scope."""

    __tablename__ = "users"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20))
    countries: Mapped[list] = mapped_column(sa.JSON, default=list)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("organizations.id"), nullable=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # Tokens carry the generation they were issued under; raising it (deactivation, a
    # password change or reset) revokes every earlier token at once, for good.
    token_generation: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0,
                                                  server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    organization = relationship(Organization, lazy="joined")

    __table_args__ = (sa.CheckConstraint(f"role IN {ROLES}", name="ck_users_role"),)


class RevokedToken(db.Model):
    """A JWT revoked before its expiry (logout, refresh rotation)."""

    __tablename__ = "revoked_tokens"
    jti: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("users.id"), nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class LoginFailure(db.Model):
    """Failed logins counted per account or per address, shared by every worker."""

    __tablename__ = "login_failures"
    key: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
