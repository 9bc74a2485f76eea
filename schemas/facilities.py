"""Schemas for facilities."""
from marshmallow import Schema, fields, validate

from monitor.domain.vocabulary import FACILITY_KINDS as KINDS
from schemas.common import PageArgs
from schemas.fields import Country, StrictBoolean, StrictUUID, Text, Timestamp, TimeZone


class FacilityInSchema(Schema):
    """A facility as a monitor records it."""

    id = StrictUUID()
    name = Text(required=True, max_length=300)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    country = Country(required=True)
    timezone = TimeZone(required=True)
    jurisdiction = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    court_within_40km = StrictBoolean(load_default=None, allow_none=True, metadata={
        "description": "Nigeria: is a competent court within 40 km? Unknown → strictest limit."})


class FacilitySchema(FacilityInSchema):
    """A stored facility."""

    created_at = Timestamp(dump_only=True)


class FacilityListArgs(PageArgs):
    """Filters for the facility list."""

    country = Country()
    kind = fields.String(validate=validate.OneOf(KINDS))
