"""Users and organisations."""
from flask import request

from monitor.api.blueprint import Blueprint
from monitor.api.common import authenticated, current_actor, now, page
from monitor.services.accounts import credentials, users
from schemas.accounts import (
    OrganizationSchema,
    PasswordChangeSchema,
    PasswordResetSchema,
    TokenSchema,
    UserCreateSchema,
    UserSchema,
    UserUpdateSchema,
)
from schemas.common import PageArgs, page_of

bp = Blueprint("users", __name__, url_prefix="/api/v1", description="Users and organisations")


@bp.route("/users/me")
@authenticated(bp)
@bp.response(200, UserSchema)
def me():
    """The caller's own account."""
    actor = current_actor()
    return users.get_user(actor, actor.id)


@bp.route("/users/me/password", methods=["POST"])
@authenticated(bp)
@bp.arguments(PasswordChangeSchema)
@bp.response(200, TokenSchema)
def change_own_password(data):
    """Change your password: every other session ends; the answer holds your new tokens."""
    return credentials.change_own_password(current_actor(), data["current_password"],
                                           data["new_password"], request.remote_addr, now())


@bp.route("/users/<uuid:user_id>/password", methods=["POST"])
@authenticated(bp)
@bp.arguments(PasswordResetSchema)
@bp.response(204)
def reset_password(data, user_id):
    """Set a user's password (admin); every token of that user is revoked."""
    credentials.reset_password(current_actor(), user_id, data["new_password"], now())


@bp.route("/users", methods=["POST"])
@authenticated(bp)
@bp.arguments(UserCreateSchema)
@bp.response(201, UserSchema)
def create_user(data):
    """Create a user (admin)."""
    return users.create_user(current_actor(), data, now())


@bp.route("/users")
@authenticated(bp)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(UserSchema, "UserPage"))
def list_users(args):
    """List users (admin)."""
    return page(users.list_users(current_actor(), args["limit"], args["cursor"]))


@bp.route("/users/<uuid:user_id>")
@authenticated(bp)
@bp.response(200, UserSchema)
def get_user(user_id):
    """One user (admin, or yourself)."""
    return users.get_user(current_actor(), user_id)


@bp.route("/users/<uuid:user_id>", methods=["PATCH"])
@authenticated(bp)
@bp.arguments(UserUpdateSchema)
@bp.response(200, UserSchema)
def update_user(data, user_id):
    """Change a user's role, countries, organisation or active flag (admin)."""
    return users.update_user(current_actor(), user_id, data, now())


@bp.route("/organizations", methods=["POST"])
@authenticated(bp)
@bp.arguments(OrganizationSchema)
@bp.response(201, OrganizationSchema)
def create_organization(data):
    """Create an organisation (admin)."""
    return users.create_organization(current_actor(), data, now())


@bp.route("/organizations")
@authenticated(bp)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(OrganizationSchema, "OrganizationPage"))
def list_organizations(args):
    """List organisations (admin)."""
    return page(users.list_organizations(current_actor(), args["limit"], args["cursor"]))
