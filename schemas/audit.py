"""Schemas for the audit trail."""
from marshmallow import Schema, fields, validate

from schemas.common import PageArgs
from schemas.fields import StrictUUID, Timestamp


class AuditArgs(PageArgs):
    """Page through the trail, optionally one action."""

    action = fields.String(validate=validate.Length(max=60))


class AuditEntrySchema(Schema):
    """One audit entry."""

    seq = fields.Integer()
    at = Timestamp()
    actor_id = StrictUUID(allow_none=True)
    actor_role = fields.String(allow_none=True)
    action = fields.String()
    target_type = fields.String(allow_none=True)
    target_id = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    detail = fields.Dict(allow_none=True)
    prev_hash = fields.String()
    hash = fields.String()
