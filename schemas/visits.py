"""Schemas for monitors' visits."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from monitor.domain.vocabulary import VISIT_ACCESS as ACCESS
from schemas.common import PageArgs
from schemas.fields import StrictBoolean, StrictInteger, StrictUUID, Text, Timestamp


class VisitInSchema(Schema):
    """A visit as a monitor records it."""

    id = StrictUUID()
    facility_id = StrictUUID(required=True)
    started_at = Timestamp(required=True)
    ended_at = Timestamp(load_default=None, allow_none=True)
    access = fields.String(required=True, validate=validate.OneOf(ACCESS))
    register_checked = StrictBoolean(load_default=False)
    detainees_interviewed = StrictInteger(load_default=0, validate=validate.Range(min=0, max=100000))
    summary = Text(max_length=20000, load_default="")
    detention_ids = fields.List(StrictUUID(), load_default=list, validate=validate.Length(max=1000))

    @validates_schema
    def _check_times(self, data, **kwargs):
        """A visit cannot end before it starts."""
        if data.get("ended_at") and data.get("started_at") and data["ended_at"] < data["started_at"]:
            raise ValidationError("Before started_at.", field_name="ended_at")


class VisitSchema(Schema):
    """A stored visit (summary only for roles that see free text)."""

    id = StrictUUID()
    facility_id = StrictUUID()
    country = fields.String()
    started_at = Timestamp()
    ended_at = Timestamp(allow_none=True)
    access = fields.String()
    register_checked = fields.Boolean()
    detainees_interviewed = fields.Integer()
    summary = fields.String()
    detention_ids = fields.List(StrictUUID())
    received_at = Timestamp()
    recorded_by = StrictUUID(allow_none=True)


class VisitListArgs(PageArgs):
    """Filters: facility and the visit's start time."""

    facility_id = StrictUUID()
    access = fields.String(validate=validate.OneOf(ACCESS))
    from_ = Timestamp(data_key="from")
    to = Timestamp()


class SyncSchema(Schema):
    """A phone's batch: every item carries its client id; items are validated one by one."""

    # Items stay raw here so that one malformed item fails alone, not the whole batch.
    # `null` or any other non-object item is accepted here and reported `invalid` alone.
    detentions = fields.List(fields.Raw(allow_none=True, metadata={"type": "object"}),
                             load_default=list)
    events = fields.List(fields.Raw(allow_none=True, metadata={"type": "object"}),
                         load_default=list,
                         metadata={"description": "Event bodies plus `detention_id`."})
    visits = fields.List(fields.Raw(allow_none=True, metadata={"type": "object"}),
                         load_default=list)


class SyncResultSchema(Schema):
    """What happened to one item."""

    kind = fields.String()
    id = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["created", "unchanged", "conflict", "invalid"]})
    errors = fields.Dict(allow_none=True)


class SyncResponseSchema(Schema):
    """One result per item, in the order sent."""

    results = fields.List(fields.Nested(SyncResultSchema))
