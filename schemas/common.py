"""Shared schemas: pagination arguments and envelopes, problem bodies."""
from marshmallow import Schema, fields, validate

# Every list's page size: the default and the most a caller may ask for.
PAGE_DEFAULT = 50
PAGE_MAX = 500


class PageArgs(Schema):
    """`?limit=&cursor=` for every list."""

    limit = fields.Integer(load_default=PAGE_DEFAULT, validate=validate.Range(min=1, max=PAGE_MAX))
    cursor = fields.String(load_default=None, validate=validate.Length(max=512), metadata={
        "pattern": "^[A-Za-z0-9_=-]*$",
        "description": "Opaque: only a `next_cursor` the server returned (URL-safe base64)."})


def page_of(item_schema, name):
    """A `{"items": [...], "next_cursor": ...}` envelope schema for `item_schema`."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema)),
         "next_cursor": fields.String(allow_none=True)},
        name=name)


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
