"""Login, refresh and logout."""
from flask import request
from flask_jwt_extended import get_current_user, get_jwt

from monitor.api.blueprint import Blueprint
from monitor.api.common import authenticated, now
from monitor.services.accounts import auth
from schemas.accounts import LoginSchema, TokenSchema

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Authentication")


@bp.route("/login", methods=["POST"])
@bp.arguments(LoginSchema)
@bp.response(200, TokenSchema)
def login(data):
    """Exchange email and password for tokens (429 after repeated failures)."""
    return auth.login(data["email"], data["password"], request.remote_addr, now())


@bp.route("/refresh", methods=["POST"])
@authenticated(bp, refresh=True)
@bp.response(200, TokenSchema)
def refresh():
    """Exchange a refresh token for new tokens; the presented refresh token is revoked."""
    return auth.refresh(get_current_user(), get_jwt(), now())


@bp.route("/logout", methods=["POST"])
@authenticated(bp, either=True)
@bp.response(204)
def logout():
    """Revoke the presented token (access or refresh) at once."""
    auth.revoke(get_jwt(), get_current_user().id, now())


@bp.route("/logout-refresh", methods=["POST"])
@authenticated(bp, either=True)
@bp.response(204)
def logout_refresh():
    """Alias of /logout, kept for clients that sign out with their refresh token here."""
    auth.revoke(get_jwt(), get_current_user().id, now())
