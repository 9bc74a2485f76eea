"""Schemas for flag actions and the rules listing."""
from marshmallow import Schema, fields

from schemas.fields import Text


class AcknowledgeSchema(Schema):
    """A partner's note when acknowledging."""

    note = Text(max_length=2000, load_default="")


class DismissSchema(Schema):
    """An admin's reason for dismissing."""

    reason = Text(required=True, max_length=2000)


class RuleSetSchema(Schema):
    """One jurisdiction's rule set."""

    code = fields.String()
    name = fields.String()
    country = fields.String(allow_none=True)
    rules = fields.List(fields.Dict())


class RuleSetListSchema(Schema):
    """Every loaded rule set."""

    items = fields.List(fields.Nested(RuleSetSchema))
