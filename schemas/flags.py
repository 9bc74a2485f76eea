"""Schemas for flag actions and the rules listing."""
from marshmallow import Schema, fields

from schemas.fields import Text


class AcknowledgeSchema(Schema):
    """A partner's note when acknowledging."""

    note = Text(max_length=2000, load_default="")


class DismissSchema(Schema):
    """An admin's reason for dismissing."""

    reason = Text(required=True, max_length=2000)


class RuleSchema(Schema):
    """A rule as listed by /rules (kind-specific keys pass through)."""

    class Meta:
        unknown = "include"

    id = fields.String()
    safeguard = fields.String()
    kind = fields.String()
    trigger = fields.Raw()
    satisfied_by = fields.Raw()
    within_hours = fields.Float(allow_none=True)
    applies_to = fields.String()
    severity = fields.String()
    citation = fields.String()
    confidence = fields.String()
    basis = fields.String(metadata={"description": "law, standard, or threshold (this tool's own "
                                                   "alert threshold where the law gives no figure)."})
    track = fields.String(metadata={"description": "custody, or accountability (after custody, "
                                                   "open until case_closed)."})


class RuleSetSchema(Schema):
    """One jurisdiction's rule set."""

    code = fields.String()
    name = fields.String()
    country = fields.String(allow_none=True)
    rules = fields.List(fields.Dict())


class RuleSetListSchema(Schema):
    """Every loaded rule set."""

    items = fields.List(fields.Nested(RuleSetSchema))
