"""Users and organisations, managed by admins."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from monitor.exceptions import Conflict, Invalid, found
from monitor.extensions import db
from monitor.models import Organization, User
from monitor.pagination import paginate
from monitor.services import audit
from monitor.services.access import Actor, require_role
from monitor.services.accounts import passwords


def create_organization(actor: Actor, data: dict[str, Any], now: datetime) -> Organization:
    """Create an organisation (admin)."""
    require_role(actor, "admin")
    org = Organization(id=data.get("id") or uuid.uuid4(), name=data["name"], created_at=now)
    _insert(org, "An organisation with this name or id exists.")
    audit.record(actor, "organization.create", now, "organization", org.id, {"name": org.name})
    db.session.commit()
    return org


def _insert(row: Any, conflict_message: str) -> None:
    """Add and flush `row`; a unique violation becomes Conflict (nothing half-stored)."""
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(conflict_message) from None


def list_organizations(actor: Actor, limit: int, cursor: str | None
                       ) -> tuple[Sequence[Organization], str | None]:
    """List organisations (admin)."""
    require_role(actor, "admin")
    return paginate(db.select(Organization), Organization.created_at, Organization.id, limit, cursor)


def _check_organization(org_id: uuid.UUID | None) -> None:
    """Raise Invalid if `org_id` names no organisation."""
    if org_id is not None and db.session.get(Organization, org_id) is None:
        raise Invalid({"organization_id": ["Unknown organisation."]})


def _check_admin_scope(role: str, countries: list[str] | None) -> None:
    """Admins are global (docs/DECISIONS.md): an admin with a country list is refused."""
    if role == "admin" and countries:
        raise Invalid({"countries": ["Admins are global: countries must be [] for an admin."]})


def _keep_an_admin(user: User, data: dict[str, Any]) -> None:
    """Conflict if `data` would leave no active global admin (demoting or deactivating the
    last one, oneself included). The active admins' rows are locked first, so two admins
    demoting each other at once cannot both succeed (PostgreSQL; SQLite serialises writers)."""
    was_admin = user.role == "admin" and user.active and not user.countries
    stays_admin = data.get("role", user.role) == "admin" and data.get("active", user.active)
    if not was_admin or stays_admin:
        return
    admins = select(User.id).where(User.role == "admin", User.active.is_(True))
    ids = db.session.scalars(admins.with_for_update() if db.engine.dialect.name != "sqlite"
                             else admins).all()
    others = db.session.scalar(select(func.count()).select_from(User).where(
        User.id.in_(ids), User.id != user.id))
    if not others:
        raise Conflict("This is the last active admin: make another admin first.")


def create_user(actor: Actor, data: dict[str, Any], now: datetime) -> User:
    """Create a user (admin); the email is unique, case-insensitively."""
    require_role(actor, "admin")
    _check_admin_scope(data["role"], data.get("countries"))
    _check_organization(data.get("organization_id"))
    user = User(
        email=data["email"].strip().lower(), role=data["role"],
        password_hash=passwords.hash_password(data["password"]),
        countries=sorted(set(data.get("countries") or [])),
        organization_id=data.get("organization_id"), active=data.get("active", True),
        created_at=now, updated_at=now)
    user.id = data.get("id") or uuid.uuid4()
    _insert(user, "A user with this email or id exists.")
    audit.record(actor, "user.create", now, "user", user.id, {"role": user.role})
    db.session.commit()
    return user


def list_users(actor: Actor, limit: int, cursor: str | None) -> tuple[Sequence[User], str | None]:
    """List users (admin)."""
    require_role(actor, "admin")
    return paginate(db.select(User), User.created_at, User.id, limit, cursor)


def get_user(actor: Actor, user_id: uuid.UUID) -> User:
    """A user by id (admin), or the caller themself."""
    if actor.id != user_id:
        require_role(actor, "admin")
    return found(db.session.get(User, user_id), "user")


def update_user(actor: Actor, user_id: uuid.UUID, data: dict[str, Any], now: datetime) -> User:
    """Change role, countries, organisation or active flag (admin); takes effect at once."""
    require_role(actor, "admin")
    user = get_user(actor, user_id)
    _check_admin_scope(data.get("role", user.role), data.get("countries", user.countries))
    _keep_an_admin(user, data)
    if "organization_id" in data:
        _check_organization(data["organization_id"])
        user.organization_id = data["organization_id"]
    if "role" in data:
        user.role = data["role"]
    if "countries" in data:
        user.countries = sorted(set(data["countries"]))
    if "active" in data:
        if user.active and not data["active"]:
            user.token_generation += 1  # a seized phone's tokens die now, and stay dead
        user.active = data["active"]
    user.updated_at = now
    audit.record(actor, "user.update", now, "user", user.id, {
        k: v for k, v in data.items() if k in ("role", "countries", "active")})
    db.session.commit()
    return user
