"""Schemas for webhooks and their deliveries."""
from urllib.parse import urlparse

from marshmallow import Schema, ValidationError, fields, validate, validates

from schemas.common import PageArgs
from schemas.fields import Country, StrictUUID, Timestamp


class WebhookInSchema(Schema):
    """What an admin registers."""

    id = StrictUUID()
    organization_id = StrictUUID(required=True)
    url = fields.String(required=True, validate=validate.Length(max=2000))
    secret = fields.String(validate=validate.Length(min=16, max=200), load_only=True,
                           metadata={"description": "Generated (and returned once) if omitted."})
    countries = fields.List(Country(), load_default=list)

    @validates("url")
    def _http_url(self, value, **kwargs):
        """Only absolute http(s) URLs."""
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValidationError("Must be an absolute http or https URL.")


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
