"""Schemas for the flag change feed."""
from marshmallow import Schema, fields, validate

from monitor.domain.vocabulary import SAFEGUARDS
from schemas.common import PAGE_DEFAULT, PAGE_MAX
from schemas.detentions import FlagSchema
from schemas.fields import Country

# A sealed position: 12-byte nonce, 8-byte position, 16-byte tag, URL-safe base64 unpadded.
FEED_CURSOR = validate.Regexp(r"^[A-Za-z0-9_-]{48}$", error="Not a valid feed cursor.")


class FeedArgs(Schema):
    """`?since=&limit=` plus filters."""

    since = fields.String(load_default=None, validate=FEED_CURSOR, metadata={
        "description": "An opaque `next_cursor` returned by this feed (a sealed position: "
                       "it cannot be read or made; anything else is 422). It moves only "
                       "with changes you can see."})
    cursor = fields.String(load_default=None, validate=FEED_CURSOR,
                           metadata={"description": "Alias of `since`."})
    limit = fields.Integer(load_default=PAGE_DEFAULT, validate=validate.Range(min=1, max=PAGE_MAX))
    status = fields.String(validate=validate.OneOf(("open", "acknowledged", "resolved")))
    country = Country()
    safeguard = fields.String(validate=validate.OneOf(SAFEGUARDS))
    severity = fields.String(validate=validate.OneOf(("high", "medium")))


class FeedPageSchema(Schema):
    """Flags changed after the cursor, in change order; `next_cursor` is never null."""

    items = fields.List(fields.Nested(FlagSchema))
    next_cursor = fields.String()
