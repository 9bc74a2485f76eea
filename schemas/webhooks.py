"""Schemas for webhooks and their deliveries."""
from marshmallow import Schema, ValidationError, fields, validate

from monitor.services.flags.webhook_targets import url_problem
from schemas.common import PageArgs
from schemas.fields import Country, StrictBoolean, StrictUUID, Timestamp


def _http_url(value):
    """Only absolute http(s) URLs without credentials (where they point: the service)."""
    problem = url_problem(value)
    if problem:
        raise ValidationError(problem)


class WebhookInSchema(Schema):
    """What an admin registers."""

    id = StrictUUID()
    organization_id = StrictUUID(required=True)
    url = fields.String(required=True, validate=[validate.Length(max=2000), _http_url],
                        metadata={"format": "uri", "pattern": "^https?://"})
    secret = fields.String(validate=validate.Length(min=16, max=200), load_only=True,
                           metadata={"description": "Generated (and returned once) if omitted."})
    countries = fields.List(Country(), load_default=list)


class WebhookUpdateSchema(Schema):
    """What an admin may change on a webhook: disable or enable it, its URL, its countries."""

    url = fields.String(validate=[validate.Length(max=2000), _http_url],
                        metadata={"format": "uri", "pattern": "^https?://"})
    countries = fields.List(Country())
    active = StrictBoolean()


class WebhookSchema(Schema):
    """A registered webhook (the secret only in the creation response)."""

    id = StrictUUID()
    organization_id = StrictUUID()
    url = fields.String()
    countries = fields.List(fields.String())
    active = fields.Boolean()
    created_at = Timestamp()
    secret = fields.String(metadata={"description": "Only when just created."})


class DeliverySchema(Schema):
    """One delivery in the outbox."""

    id = StrictUUID()
    webhook_id = StrictUUID()
    flag_id = StrictUUID()
    change_seq = fields.Integer()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = Timestamp(allow_none=True)
    last_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = Timestamp()
    delivered_at = Timestamp(allow_none=True)
    payload = fields.Dict()


class DeliveryListArgs(PageArgs):
    """Filter deliveries by status."""

    status = fields.String(validate=validate.OneOf(("pending", "delivered", "failed")))
