"""Schemas for login, tokens, users and organisations."""
from marshmallow import Schema, fields, validate

from monitor.domain.vocabulary import ROLES
from schemas.fields import Country, StrictBoolean, StrictUUID, Text, Timestamp


class LoginSchema(Schema):
    """Credentials."""

    email = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class TokenSchema(Schema):
    """Tokens issued at login or refresh."""

    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class OrganizationSchema(Schema):
    """An organisation."""

    id = StrictUUID()
    name = Text(required=True, max_length=200)
    created_at = Timestamp(dump_only=True)


class UserCreateSchema(Schema):
    """What an admin sends to create a user."""

    id = StrictUUID()
    email = fields.Email(required=True, validate=validate.Length(max=320))
    password = fields.String(required=True, load_only=True,
                             validate=validate.Length(min=12, max=1024))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    countries = fields.List(Country(), load_default=list, validate=validate.Length(max=250))
    organization_id = StrictUUID(load_default=None, allow_none=True)
    active = StrictBoolean(load_default=True)


class UserUpdateSchema(Schema):
    """What an admin may change on a user."""

    role = fields.String(validate=validate.OneOf(ROLES))
    countries = fields.List(Country(), validate=validate.Length(max=250))
    active = StrictBoolean()
    organization_id = StrictUUID(allow_none=True)


class PasswordChangeSchema(Schema):
    """The caller's current password and the new one."""

    current_password = fields.String(required=True, load_only=True,
                                     validate=validate.Length(min=1, max=1024))
    new_password = fields.String(required=True, load_only=True,
                                 validate=validate.Length(min=12, max=1024))


class PasswordResetSchema(Schema):
    """The new password an admin sets."""

    new_password = fields.String(required=True, load_only=True,
                                 validate=validate.Length(min=12, max=1024))


class UserSchema(Schema):
    """A user as shown to clients (never the password hash)."""

    id = StrictUUID()
    email = fields.String()
    role = fields.String()
    countries = fields.List(fields.String())
    organization = fields.Nested(OrganizationSchema, allow_none=True)
    active = fields.Boolean()
    created_at = Timestamp()
    updated_at = Timestamp()
