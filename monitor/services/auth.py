"""Login, refresh, logout and the token checks flask-jwt-extended calls."""
import uuid
from datetime import datetime, timezone

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token

from monitor.exceptions import Unauthorized
from monitor.extensions import db
from monitor.models import RevokedToken, User
from monitor.services import audit, passwords, throttle
from monitor.services.access import actor_from_user

BAD_CREDENTIALS = "Unknown email or wrong password."


def _tokens(user):
    """Issue an access and a refresh token for `user`."""
    claims = {"role": user.role}
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return {
        "access_token": create_access_token(identity=str(user.id), additional_claims=claims),
        "refresh_token": create_refresh_token(identity=str(user.id), additional_claims=claims),
        "token_type": "Bearer",
        "expires_in": int(expires.total_seconds()),
    }


def login(email, password, address, now):
    """Check credentials (throttled per account and address) and issue tokens."""
    email = email.strip().lower()
    throttle.check_allowed(email, address, now)
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is None:
        passwords.burn_time(password)
        ok = False
    else:
        ok = passwords.verify_password(user.password_hash, password) and user.active
    if not ok:
        throttle.record_failure(email, address, now)
        audit.record_alone(None, "auth.login_failed", now, detail={"email": email})
        raise Unauthorized(BAD_CREDENTIALS)
    throttle.reset_account(email)
    audit.record_alone(actor_from_user(user), "auth.login", now, target_type="user", target_id=user.id)
    return _tokens(user)


def refresh(user, refresh_payload, now):
    """Rotate: revoke the presented refresh token and issue a fresh pair."""
    revoke(refresh_payload, user.id, now)
    return _tokens(user)


def revoke(payload, user_id, now):
    """Revoke the token described by `payload` (idempotent)."""
    jti = payload["jti"]
    if db.session.get(RevokedToken, jti) is None:
        expires = datetime.fromtimestamp(payload["exp"], timezone.utc)
        db.session.add(RevokedToken(jti=jti, user_id=user_id, expires_at=expires, revoked_at=now))
        db.session.commit()


def is_revoked(payload):
    """True if the token's jti has been revoked."""
    return db.session.get(RevokedToken, payload["jti"]) is not None


def load_active_user(identity):
    """The active user behind a token identity, or None (→ 401)."""
    try:
        user = db.session.get(User, uuid.UUID(identity))
    except (ValueError, TypeError, AttributeError):
        return None
    return user if user is not None and user.active else None

