"""Schemas for custody events, with one details schema per event type."""
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from monitor.domain.disclosure import FREE_TEXT_DETAILS
from monitor.domain.vocabulary import (
    CASE_OUTCOMES,
    COMPLAINT_BY,
    COMPLAINT_TO,
    EVENT_TYPES,
    FORENSIC_CONSISTENCY,
    FORENSIC_EXAMINERS,
)
from monitor.domain.vocabulary import EVENT_SOURCES as SOURCES
from schemas.fields import StrictBoolean, StrictFloat, StrictUUID, Text, Timestamp, format_timestamp


def _text(**kw):
    return Text(max_length=300, **kw)


class _Empty(Schema):
    """No details."""


class ArrivalDetails(Schema):
    facility_id = StrictUUID(required=True)


class LawyerAccessDetails(Schema):
    lawyer_name = _text()
    private = StrictBoolean()


class InterrogationDetails(Schema):
    ended_at = Timestamp()
    lawyer_present = StrictBoolean(required=True)
    interpreter_present = StrictBoolean()
    appropriate_adult_present = StrictBoolean()


class FamilyNotifiedDetails(Schema):
    relationship = _text()


class FamilyContactDetails(Schema):
    kind = fields.String(validate=validate.OneOf(("visit", "call")))


class MedicalExamDetails(Schema):
    examiner = fields.String(validate=validate.OneOf(FORENSIC_EXAMINERS))
    injuries_observed = StrictBoolean()
    consistent_with_ill_treatment = StrictBoolean()
    police_present = StrictBoolean()


class JudicialAppearanceDetails(Schema):
    outcome = fields.String(validate=validate.OneOf(("released", "remanded", "extended")))
    ill_treatment_reported = StrictBoolean(
        metadata={"description": "The detainee told the judge of ill-treatment (an allegation)."})


class DetentionExtendedDetails(Schema):
    authority = _text()
    extended_by_hours = StrictFloat(
        required=True, allow_nan=False, validate=validate.Range(min=0, max=8760, min_inclusive=False))


class DetentionReviewDetails(Schema):
    reviewer = _text()


class TransferDetails(Schema):
    to_facility_id = StrictUUID(required=True)


class ConfessionDetails(Schema):
    lawyer_present = StrictBoolean(required=True)
    retracted = StrictBoolean()
    recorded = StrictBoolean(metadata={"description": "Audio-visual recording made (ng)."})


class IllTreatmentDetails(Schema):
    alleged_by = _text()
    methods = fields.List(_text(), validate=validate.Length(max=50))


class ComplaintFiledDetails(Schema):
    by = fields.String(required=True, validate=validate.OneOf(COMPLAINT_BY))
    to = fields.String(required=True, validate=validate.OneOf(COMPLAINT_TO))


class InvestigationOpenedDetails(Schema):
    body = _text(metadata={"description": "The investigating body (free text: sealed)."})
    independent = StrictBoolean(required=True)


class ForensicReportDetails(Schema):
    examiner = fields.String(required=True, validate=validate.OneOf(FORENSIC_EXAMINERS))
    consistency = fields.String(required=True, validate=validate.OneOf(FORENSIC_CONSISTENCY),
                                metadata={"description": "Istanbul Protocol (2022) para 418."})
    findings = Text(max_length=5000, metadata={"description": "Free text: sealed."})


class CaseClosedDetails(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(CASE_OUTCOMES))


class EvidenceRulingDetails(Schema):
    confession_admitted = StrictBoolean(required=True)


class DelayAuthorisedDetails(Schema):
    authority = _text()
    delay_hours = StrictFloat(allow_nan=False, validate=validate.Range(min=0, max=8760))


DETAILS = {
    "arrest": _Empty, "arrival": ArrivalDetails, "rights_notified": _Empty,
    "lawyer_requested": _Empty, "lawyer_access": LawyerAccessDetails,
    "interrogation": InterrogationDetails, "family_notified": FamilyNotifiedDetails,
    "family_contact": FamilyContactDetails, "medical_exam": MedicalExamDetails,
    "judicial_appearance": JudicialAppearanceDetails,
    "detention_extended": DetentionExtendedDetails, "detention_review": DetentionReviewDetails,
    "transfer": TransferDetails, "confession": ConfessionDetails,
    "ill_treatment_alleged": IllTreatmentDetails, "release": _Empty,
    "death_in_custody": _Empty,
    # Extensions needed by national rules (RULES.md, "What a custody record must hold").
    "registry_entry": _Empty, "social_welfare_notified": _Empty, "charge": _Empty,
    "lawyer_delay_authorised": DelayAuthorisedDetails,
    "family_delay_authorised": DelayAuthorisedDetails,
    "family_notification_requested": _Empty,
    # After custody (issue 15).
    "complaint_filed": ComplaintFiledDetails, "investigation_opened": InvestigationOpenedDetails,
    "forensic_report": ForensicReportDetails, "prosecution_opened": _Empty,
    "case_closed": CaseClosedDetails, "evidence_ruling": EvidenceRulingDetails,
    "charge_filed": _Empty,
}
_DETAIL_LOADERS = {}


def details_schema(kind):
    """A shared instance of the details schema of `kind` (schemas are reusable for loading)."""
    if kind not in _DETAIL_LOADERS:
        _DETAIL_LOADERS[kind] = DETAILS[kind]()
    return _DETAIL_LOADERS[kind]


# Free-text detail fields: sealed at rest with the notes, hidden from partners
# (monitor/domain/disclosure.py, the one list of what may be shown).
PRIVATE_DETAILS = FREE_TEXT_DETAILS
assert set(DETAILS) == set(EVENT_TYPES), "every event type needs a details schema"


def document_details(spec) -> None:
    """Add each event type's details schema to the OpenAPI document (`details` is a free
    object in the event schema: which schema applies depends on `type`)."""
    for schema in dict.fromkeys(DETAILS.values()):
        if schema is not _Empty and schema.__name__ not in spec.components.schemas:
            spec.components.schema(schema.__name__, schema=schema)


DETAILS_BY_TYPE = "; ".join(f"{kind}: {'none' if schema is _Empty else schema.__name__}"
                            for kind, schema in DETAILS.items())


class EventInSchema(Schema):
    """A custody event as a client sends it."""

    id = StrictUUID()
    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    occurred_at = Timestamp(required=True)
    source = fields.String(load_default="monitor_observation", validate=validate.OneOf(SOURCES))
    details = fields.Dict(load_default=dict, metadata={
        "description": "By type, the components schema that validates it: " + DETAILS_BY_TYPE})
    notes = Text(max_length=10000, load_default="")

    @validates_schema(skip_on_field_errors=False)
    def _check_details(self, data, **kwargs):
        """Validate `details` against its type's schema."""
        if data.get("type") not in DETAILS or not isinstance(data.get("details"), dict):
            return
        schema = details_schema(data["type"])
        errors = schema.validate(data["details"])
        if errors:
            raise ValidationError(errors, field_name="details")
        ended = data["details"].get("ended_at")
        if ended and "occurred_at" in data and schema.load(data["details"])["ended_at"] < data["occurred_at"]:
            raise ValidationError({"ended_at": ["Before the interrogation started."]},
                                  field_name="details")

    @post_load
    def _typed_details(self, data, **kwargs):
        """Replace `details` by its typed, JSON-ready form."""
        details = details_schema(data["type"]).load(data["details"])
        data["details"] = {key: format_timestamp(value) if hasattr(value, "tzinfo") else
                           (str(value) if key.endswith("_id") else value)
                           for key, value in details.items()}
        return data


class EventSchema(Schema):
    """A stored custody event."""

    id = StrictUUID()
    detention_id = StrictUUID()
    type = fields.String()
    occurred_at = Timestamp()
    source = fields.String()
    details = fields.Dict()
    notes = fields.String()
    received_at = Timestamp()
    recorded_by = StrictUUID(allow_none=True)
