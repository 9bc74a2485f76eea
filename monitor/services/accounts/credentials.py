"""Password change (self-service) and reset (admin); both revoke earlier sessions."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from monitor.exceptions import Invalid, NotFound, found
from monitor.extensions import db
from monitor.models import User
from monitor.services import audit
from monitor.services.access import Actor, require_role
from monitor.services.accounts import auth, passwords, throttle


def change_own_password(actor: Actor, current_password: str, new_password: str, address: str | None,
                        now: datetime) -> dict[str, Any]:
    """Change the caller's password; every other session ends, and the caller gets new tokens.

    A wrong current password counts as a failed login of the account (a stolen token must
    not become a way to guess the password without limit)."""
    user = db.session.get(User, actor.id)
    if user is None or not user.active:
        raise NotFound("No such user.")
    throttle.check_allowed(user.email, address, now)
    if not passwords.verify_password(user.password_hash, current_password):
        db.session.rollback()
        throttle.record_failure(user.email, address, now)
        raise Invalid({"current_password": ["Wrong password."]})
    _set_password(user, new_password, now)
    audit.record(actor, "user.password_change", now, "user", user.id)
    db.session.commit()
    return auth.issue_tokens(user)


def reset_password(actor: Actor, user_id: uuid.UUID, new_password: str, now: datetime) -> None:
    """Set another user's password (admin); every token of that user is revoked."""
    require_role(actor, "admin")
    user = found(db.session.get(User, user_id), "user")
    _set_password(user, new_password, now)
    audit.record(actor, "user.password_reset", now, "user", user.id)
    db.session.commit()


def _set_password(user: User, new_password: str, now: datetime) -> None:
    """Store the new hash and raise the token generation (older tokens die at once)."""
    user.password_hash = passwords.hash_password(new_password)
    user.token_generation += 1
    user.updated_at = now
