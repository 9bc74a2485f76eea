"""Users and organisations, managed by admins."""
import uuid

from sqlalchemy.exc import IntegrityError

from monitor.exceptions import Conflict, Invalid, NotFound
from monitor.extensions import db
from monitor.models import Organization, User
from monitor.pagination import paginate
from monitor.services import audit, passwords
from monitor.services.access import require_role


def create_organization(actor, data, now):
    """Create an organisation (admin)."""
    require_role(actor, "admin")
    org = Organization(id=data.get("id") or uuid.uuid4(), name=data["name"], created_at=now)
    _insert(org, "An organisation with this name or id exists.")
    audit.record(actor, "organization.create", now, "organization", org.id, {"name": org.name})
    db.session.commit()
    return org


def _insert(row, conflict_message):
    """Add and flush `row`; a unique violation becomes Conflict (nothing half-stored)."""
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(conflict_message) from None


def list_organizations(actor, limit, cursor):
    """List organisations (admin)."""
    require_role(actor, "admin")
    return paginate(db.select(Organization), Organization.created_at, Organization.id, limit, cursor)


def _check_organization(org_id):
    """Raise Invalid if `org_id` names no organisation."""
    if org_id is not None and db.session.get(Organization, org_id) is None:
        raise Invalid({"organization_id": ["Unknown organisation."]})


def create_user(actor, data, now):
    """Create a user (admin); the email is unique, case-insensitively."""
    require_role(actor, "admin")
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


def list_users(actor, limit, cursor):
    """List users (admin)."""
    require_role(actor, "admin")
    return paginate(db.select(User), User.created_at, User.id, limit, cursor)


def get_user(actor, user_id):
    """A user by id (admin), or the caller themself."""
    if actor.id != user_id:
        require_role(actor, "admin")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def update_user(actor, user_id, data, now):
    """Change role, countries, organisation or active flag (admin); takes effect at once."""
    require_role(actor, "admin")
    user = get_user(actor, user_id)
    if "organization_id" in data:
        _check_organization(data["organization_id"])
        user.organization_id = data["organization_id"]
    if "role" in data:
        user.role = data["role"]
    if "countries" in data:
        user.countries = sorted(set(data["countries"]))
    if "active" in data:
        user.active = data["active"]
    user.updated_at = now
    audit.record(actor, "user.update", now, "user", user.id, {
        k: v for k, v in data.items() if k in ("role", "countries", "active")})
    db.session.commit()
    return user
