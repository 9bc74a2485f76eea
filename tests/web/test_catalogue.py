"""The app's form catalogue mirrors the schemas: same event types, same detail fields, the
same required ones, and the same fields on the facility, detention and visit forms."""
import json
from pathlib import Path

from marshmallow import fields as mfields

from monitor.domain.vocabulary import EVENT_SOURCES, EVENT_TYPES, FACILITY_KINDS, PERSON_GROUPS, SEXES, VISIT_ACCESS
from schemas.detentions import DetentionInSchema, PersonInSchema
from schemas.events import DETAILS
from schemas.facilities import FacilityInSchema
from schemas.visits import VisitInSchema

CATALOGUE = json.loads((Path(__file__).resolve().parents[2] / "monitor" / "web" / "static"
                        / "catalogue.json").read_text(encoding="utf-8"))
# Fields a client never types: ids are made by the app; visits name detentions elsewhere.
NOT_TYPED = {"id", "detention_ids"}


def _spec(schema_cls):
    """{field name: required} of a schema."""
    return {name: f.required for name, f in schema_cls().fields.items() if name not in NOT_TYPED}


def _catalogue(fields):
    return {f["name"]: bool(f.get("required")) for f in fields}


def test_every_event_type_but_arrest_has_a_form():
    assert set(CATALOGUE["events"]) == set(EVENT_TYPES) - {"arrest"}


def test_each_event_form_has_exactly_the_schema_details():
    for kind, fields in CATALOGUE["events"].items():
        assert _catalogue(fields) == _spec(DETAILS[kind]), kind


def test_enum_options_match_the_schemas():
    for kind, fields in CATALOGUE["events"].items():
        schema = DETAILS[kind]()
        for field in fields:
            if field["type"] == "enum":
                assert tuple(field["options"]) == tuple(schema.fields[field["name"]].validate.choices), kind
            if field["type"] == "bool":
                assert isinstance(schema.fields[field["name"]], mfields.Boolean), (kind, field["name"])
    common = {f["name"]: f for f in CATALOGUE["event_common"]}
    assert tuple(common["source"]["options"]) == EVENT_SOURCES
    forms = {name: {f["name"]: f for f in fs} for name, fs in CATALOGUE["forms"].items()}
    assert tuple(forms["facility"]["kind"]["options"]) == FACILITY_KINDS
    assert tuple(forms["detention"]["person.sex"]["options"]) == SEXES
    assert tuple(forms["detention"]["person.groups"]["options"]) == PERSON_GROUPS
    assert tuple(forms["visit"]["access"]["options"]) == VISIT_ACCESS


def test_record_forms_match_their_schemas():
    assert _catalogue(CATALOGUE["forms"]["facility"]) == _spec(FacilityInSchema)
    assert _catalogue(CATALOGUE["forms"]["visit"]) == _spec(VisitInSchema)
    detention = _spec(DetentionInSchema)
    del detention["person"]
    detention.update({f"person.{k}": v for k, v in _spec(PersonInSchema).items()})
    assert _catalogue(CATALOGUE["forms"]["detention"]) == detention


def test_after_release_types_are_the_servers():
    """The new-event form of a released detention offers what the server accepts after release."""
    from monitor.domain.vocabulary import AFTER_RELEASE_EVENT_TYPES
    assert CATALOGUE["after_release"] == list(AFTER_RELEASE_EVENT_TYPES)
