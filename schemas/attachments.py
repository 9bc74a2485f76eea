"""Schemas for evidence attachments."""
from marshmallow import Schema, fields, validate

from monitor.domain.vocabulary import ATTACHMENT_KINDS, ATTACHMENT_STATUSES
from schemas.fields import StrictBoolean, StrictInteger, StrictUUID, Text, Timestamp


class AttachmentInSchema(Schema):
    """A file declared before its bytes are sent (tus: the upload's creation)."""

    id = StrictUUID()
    event_id = StrictUUID(load_default=None, allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(ATTACHMENT_KINDS))
    content_type = fields.String(required=True, validate=validate.Length(min=3, max=100))
    size = StrictInteger(required=True, validate=validate.Range(min=1, max=2 ** 62),
                         metadata={"description": "Bytes; over ATTACHMENT_MAX_BYTES → 413."})
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))
    description = Text(max_length=5000, load_default="")
    keep_metadata = StrictBoolean(load_default=False, metadata={
        "description": "The monitor kept the original file (location and device metadata "
                       "included) for its value as evidence."})


class AttachmentSchema(Schema):
    """A stored attachment (hash, description, uploader and GPS only for monitors/admins)."""

    id = StrictUUID()
    detention_id = StrictUUID()
    event_id = StrictUUID(allow_none=True)
    kind = fields.String(validate=validate.OneOf(ATTACHMENT_KINDS))
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    description = fields.String()
    status = fields.String(validate=validate.OneOf(ATTACHMENT_STATUSES))
    upload_offset = fields.Integer(metadata={"description": "Bytes received so far."})
    gps_present = fields.Boolean(allow_none=True, metadata={
        "description": "The image still carries EXIF GPS tags (null: not an image the "
                       "server can read: HEIC, PDF, audio)."})
    keep_metadata = fields.Boolean()
    uploaded_by = StrictUUID(allow_none=True)
    received_at = Timestamp()
    completed_at = Timestamp(allow_none=True)
