"""Schemas for research exports and statistics."""
from datetime import datetime, time, timezone

from marshmallow import Schema, ValidationError, fields, validate

from schemas.fields import Country, parse_timestamp


class DateOrTimestamp(fields.DateTime):
    """A date (the start of that UTC day) or an RFC 3339 timestamp with an offset."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value) == 10:
            try:
                return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(),
                                        tzinfo=timezone.utc)
            except ValueError as exc:
                raise ValidationError("Not a valid date (YYYY-MM-DD).") from exc
        return parse_timestamp(value)


class ResearchArgs(Schema):
    """Filters shared by exports and statistics."""

    country = Country()
    from_ = DateOrTimestamp(data_key="from")
    to = DateOrTimestamp()


class ExportArgs(ResearchArgs):
    """`?format=ndjson|json|csv` plus filters."""

    format = fields.String(load_default="ndjson", validate=validate.OneOf(("ndjson", "json", "csv")))


class StatsArgs(ResearchArgs):
    """`?group_by=` plus filters."""

    group_by = fields.String(load_default="country",
                             validate=validate.OneOf(("country", "facility", "month", "safeguard")))


class SafeguardStatsSchema(Schema):
    """Counts for one safeguard in one group (null when suppressed)."""

    met = fields.Integer(allow_none=True)
    met_late = fields.Integer(allow_none=True)
    pending = fields.Integer(allow_none=True)
    overdue = fields.Integer(allow_none=True)
    violated = fields.Integer(allow_none=True)
    median_hours = fields.Float(allow_none=True)
    suppressed = fields.Boolean()


class GroupStatsSchema(Schema):
    """One group."""

    group = fields.String()
    detentions = fields.Integer(allow_none=True)
    suppressed = fields.Boolean()
    safeguards = fields.Dict(keys=fields.String(), values=fields.Nested(SafeguardStatsSchema))


class ComplianceSchema(Schema):
    """The statistics response."""

    group_by = fields.String()
    min_cell = fields.Integer()
    items = fields.List(fields.Nested(GroupStatsSchema))


class AccountabilityArgs(ResearchArgs):
    """`?group_by=country|year|facility` plus filters."""

    group_by = fields.String(load_default="country", validate=validate.OneOf(("country", "year", "facility")))


class AccountabilityCountsSchema(Schema):
    """Detentions counted in each measure (null when suppressed)."""

    allegation = fields.Integer(allow_none=True, metadata={
        "description": "With an allegation: ill_treatment_alleged, or a hearing with ill_treatment_reported."})
    complaint = fields.Integer(allow_none=True, metadata={"description": "With complaint_filed."})
    investigation = fields.Integer(allow_none=True, metadata={"description": "With investigation_opened."})
    investigation_within_threshold = fields.Integer(allow_none=True, metadata={
        "description": "Investigation opened within the alert threshold of the allegation."})
    prosecution = fields.Integer(allow_none=True, metadata={"description": "With prosecution_opened."})
    conviction = fields.Integer(allow_none=True, metadata={"description": "case_closed with outcome conviction."})
    confession_admitted_after_allegation = fields.Integer(allow_none=True, metadata={
        "description": "evidence_ruling with confession_admitted true at or after an allegation."})


class AccountabilityGroupSchema(Schema):
    """One group of the impunity statistics."""

    group = fields.String()
    detentions = fields.Integer(allow_none=True)
    suppressed = fields.Boolean()
    counts = fields.Nested(AccountabilityCountsSchema)
    suppressed_cells = fields.List(fields.String())
    median_days_to_investigation = fields.Float(allow_none=True)


class AccountabilitySchema(Schema):
    """The impunity statistics response."""

    group_by = fields.String()
    min_cell = fields.Integer()
    threshold_days = fields.Float(metadata={"description": "The tool's alert threshold (not law)."})
    items = fields.List(fields.Nested(AccountabilityGroupSchema))
