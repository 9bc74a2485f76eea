"""Schemas for detentions and the persons in them."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from monitor.domain.vocabulary import DETENTION_STATUSES, PERSON_GROUPS, SEXES
from schemas.attachments import AttachmentSchema
from schemas.common import PageArgs
from schemas.events import EventSchema
from schemas.facilities import FacilitySchema
from schemas.fields import Country, StrictBoolean, StrictInteger, StrictUUID, Text, Timestamp

GRAVITY = ("light", "correctional", "afflictive", "capital")


class PersonInSchema(Schema):
    """The detained person as the monitor records them."""

    name = Text(required=True, max_length=300)
    sex = fields.String(load_default="unknown", validate=validate.OneOf(SEXES))
    birth_date = fields.Date(load_default=None, allow_none=True)
    age = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(min=0, max=130))
    # A closed list, never free text: groups reach researchers' exports, where a typed token
    # could identify a person ("ana_lopez_tel_...") or carry a formula.
    groups = fields.List(fields.String(validate=validate.OneOf(PERSON_GROUPS)), load_default=list,
                         validate=validate.Length(max=len(PERSON_GROUPS)))

    @validates_schema
    def _check_birth_date(self, data, **kwargs):
        """A birth date must be plausible."""
        birth = data.get("birth_date")
        if birth is not None and not 1880 <= birth.year <= 2200:
            raise ValidationError("Birth date out of range.", field_name="birth_date")


class DetentionInSchema(Schema):
    """A detention as a client sends it."""

    id = StrictUUID()
    person = fields.Nested(PersonInSchema, required=True)
    facility_id = StrictUUID(required=True)
    arrested_at = Timestamp(required=True)
    arresting_authority = Text(required=True, max_length=300)
    grounds = Text(max_length=5000, load_default="")
    notes = Text(max_length=10000, load_default="")
    offence_gravity = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(GRAVITY),
                                    metadata={"description": "Philippines RPC art. 125 penalty class."})
    organised_crime = StrictBoolean(load_default=None, allow_none=True,
                                    metadata={"description": "Mexico: organised-crime case."})
    # No load_default: a body without it keeps the fingerprint it had before the field existed.
    capital_offence = StrictBoolean(allow_none=True, metadata={
        "description": "Nigeria: arrested on reasonable suspicion of a capital offence "
                       "(Constitution s.35(7)(a)); unknown keeps the 24/48 h limit."})


class PersonSchema(Schema):
    """The person; name and birth date only for roles that see identities."""

    name = fields.String()
    sex = fields.String()
    birth_date = fields.Date(allow_none=True)
    age = fields.Integer(allow_none=True)
    groups = fields.List(fields.String())


class SafeguardSchema(Schema):
    """The state of one safeguard rule for one detention."""

    rule = fields.String()
    safeguard = fields.String()
    status = fields.String()
    due_at = Timestamp(allow_none=True)
    met_at = Timestamp(allow_none=True)
    severity = fields.String()
    citation = fields.String()
    confidence = fields.String()
    explanation = fields.String()
    basis = fields.String(metadata={"description": "What the figure rests on: law, standard, "
                                                   "or this tool's own alert threshold."})
    track = fields.String(metadata={"description": "custody, or accountability (open until "
                                                   "case_closed)."})


class FlagSchema(Schema):
    """A raised flag."""

    id = StrictUUID()
    detention_id = StrictUUID()
    rule = fields.String()
    safeguard = fields.String()
    severity = fields.String()
    country = fields.String()
    facility_id = StrictUUID()
    status = fields.String()
    resolution = fields.String(allow_none=True)
    due_at = Timestamp(allow_none=True)
    raised_at = Timestamp()
    updated_at = Timestamp()
    visibility = fields.String(validate=validate.OneOf(("in_scope", "left_scope")), metadata={
        "description": "Feed only. `left_scope`: the flag's detention was transferred out of "
                       "the countries you read; this is its last change you will see."})


class DetentionSchema(Schema):
    """A stored detention (lists omit `events`)."""

    id = StrictUUID()
    person = fields.Nested(PersonSchema)
    facility_id = StrictUUID()
    facility = fields.Nested(FacilitySchema)
    country = fields.String()
    arrested_at = Timestamp()
    arresting_authority = fields.String()
    grounds = fields.String()
    notes = fields.String()
    offence_gravity = fields.String(allow_none=True)
    organised_crime = fields.Boolean(allow_none=True)
    capital_offence = fields.Boolean(allow_none=True)
    status = fields.String()
    juvenile = fields.Boolean()
    age_at_arrest = fields.Integer(allow_none=True)
    ended_at = Timestamp(allow_none=True)
    received_at = Timestamp()
    recorded_by = StrictUUID(allow_none=True)
    updated_at = Timestamp()
    events = fields.List(fields.Nested(EventSchema))
    safeguards = fields.List(fields.Nested(SafeguardSchema))
    flags = fields.List(fields.Nested(FlagSchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))


class DetentionListArgs(PageArgs):
    """Filters for the detention list."""

    status = fields.String(validate=validate.OneOf(DETENTION_STATUSES))
    facility_id = StrictUUID()
    country = Country()
    flagged = fields.Boolean()


class DetentionSummarySchema(DetentionSchema):
    """A detention in a list: the same shape without `events`."""

    class Meta:
        exclude = ("events",)
