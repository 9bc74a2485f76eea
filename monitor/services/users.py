"""Users and organisations, managed by admins."""
from sqlalchemy.exc import IntegrityError

from monitor.exceptions import Conflict, Invalid, NotFound
from monitor.extensions import db
from monitor.models import Organization, User
from monitor.pagination import paginate
from monitor.services import passwords
from monitor.services.access import require_role


def create_organization(actor, data):
    """Create an organisation (admin)."""
    require_role(actor, "admin")
    org = Organization(name=data["name"], **({"id": data["id"]} if data.get("id") else {}))
    db.session.add(org)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("An organisation with this name or id exists.") from None
    return org


def list_organizations(actor, limit, cursor):
    """List organisations (admin)."""
    require_role(actor, "admin")
    return paginate(db.select(Organization), Organization.created_at, Organization.id, limit, cursor)


def _check_organization(org_id):
    """Raise Invalid if `org_id` names no organisation."""
    if org_id is not None and db.session.get(Organization, org_id) is None:
        raise Invalid({"organization_id": ["Unknown organisation."]})


def create_user(actor, data):
    """Create a user (admin); the email is unique, case-insensitively."""
    require_role(actor, "admin")
    _check_organization(data.get("organization_id"))
    user = User(
        email=data["email"].strip().lower(), role=data["role"],
        password_hash=passwords.hash_password(data["password"]),
        countries=sorted(set(data.get("countries") or [])),
        organization_id=data.get("organization_id"), active=data.get("active", True))
    if data.get("id"):
        user.id = data["id"]
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("A user with this email or id exists.") from None
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


def update_user(actor, user_id, data):
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
    db.session.commit()
    return user
