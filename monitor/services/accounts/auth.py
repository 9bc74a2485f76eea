"""Login, refresh, logout and the token checks flask-jwt-extended calls."""
from __future__ import annotations

import uuid
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from flask import current_app, has_request_context, request
from flask_jwt_extended import create_access_token, create_refresh_token
from sqlalchemy import bindparam, select

from monitor.exceptions import Unauthorized
from monitor.extensions import db
from monitor.models import RevokedToken, User
from monitor.services import audit
from monitor.services.access import actor_from_user
from monitor.services.accounts import passwords, throttle

BAD_CREDENTIALS = "Unknown email or wrong password."


def issue_tokens(user: User | TokenUser) -> dict[str, Any]:
    """Issue an access and a refresh token for `user`, of its current token generation."""
    claims = {"role": user.role, "gen": user.token_generation}
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return {
        "access_token": create_access_token(identity=str(user.id), additional_claims=claims),
        "refresh_token": create_refresh_token(identity=str(user.id), additional_claims=claims),
        "token_type": "Bearer",
        "expires_in": int(expires.total_seconds()),
    }


def login(email: str, password: str, address: str | None, now: datetime) -> dict[str, Any]:
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
    return issue_tokens(user)


def refresh(user: TokenUser, refresh_payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Rotate: revoke the presented refresh token and issue a fresh pair."""
    revoke(refresh_payload, user.id, now)
    return issue_tokens(user)


def revoke(payload: dict[str, Any], user_id: uuid.UUID, now: datetime) -> None:
    """Revoke the token described by `payload` (idempotent)."""
    jti = payload["jti"]
    if db.session.get(RevokedToken, jti) is None:
        expires = datetime.fromtimestamp(payload["exp"], timezone.utc)
        db.session.add(RevokedToken(jti=jti, user_id=user_id, expires_at=expires, revoked_at=now))
        db.session.commit()


@dataclass(frozen=True)
class TokenUser:
    """The active user behind a token: what a request needs of the account (its actor, and
    for refresh and logout its id and token generation), read without the ORM."""

    id: uuid.UUID
    role: str
    countries: list[str]
    organization_id: uuid.UUID | None
    token_generation: int


_USERS, _REVOKED = User.__table__, RevokedToken.__table__
# One statement every authenticated request runs: the account and whether the token's jti
# is revoked.
_TOKEN_STATE = (
    select(_USERS.c.id, _USERS.c.role, _USERS.c.countries, _USERS.c.organization_id,
           _USERS.c.active, _USERS.c.token_generation, _REVOKED.c.jti)
    .select_from(_USERS.outerjoin(_REVOKED, _REVOKED.c.jti == bindparam("jti")))
    .where(_USERS.c.id == bindparam("user")))


def _token_state(payload: dict[str, Any]) -> tuple[TokenUser | None, bool]:
    """(active user or None, revoked?) of a decoded token, read in one query and kept for the
    rest of the request (flask-jwt-extended asks twice: blocklist, then user)."""
    cache: MutableMapping[str, Any] = request.environ if has_request_context() else {}
    key = ("monitor.token", payload.get("jti"))
    if cache.get("monitor.token_key") == key:
        return cache["monitor.token_state"]
    state: tuple[TokenUser | None, bool]
    try:
        user_id = uuid.UUID(payload["sub"])
    except (ValueError, TypeError, AttributeError, KeyError):
        state = (None, False)
    else:
        row = db.session.connection().execute(_TOKEN_STATE, {"jti": payload["jti"], "user": user_id}).first()
        # A token of an earlier generation (issued before a deactivation or a password
        # change) is revoked; tokens without the claim count as generation 0.
        state = (None, False) if row is None else (
            TokenUser(row.id, row.role, list(row.countries or ()), row.organization_id,
                      row.token_generation) if row.active else None,
            row.jti is not None or payload.get("gen", 0) != row.token_generation)
    cache["monitor.token_key"], cache["monitor.token_state"] = key, state
    return state


def is_revoked(payload: dict[str, Any]) -> bool:
    """True if the token's jti has been revoked."""
    return not isinstance(payload.get("jti"), str) or _token_state(payload)[1]


def load_active_user(payload: dict[str, Any]) -> TokenUser | None:
    """The active user behind a token, or None (→ 401)."""
    return _token_state(payload)[0]
