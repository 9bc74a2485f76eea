"""Attachments as clients see them: partners learn that a file exists, never what it holds."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from monitor.extensions import db
from monitor.models import Attachment
from monitor.services import runtime
from monitor.services.access import Actor

# What a partner may know: that evidence exists, of which kind and size, when, for which event.
PUBLIC_FIELDS = ("id", "detention_id", "event_id", "kind", "content_type", "size", "status",
                 "received_at", "completed_at")


def attachment_view(row: Attachment, actor: Actor) -> dict[str, Any]:
    """An attachment's metadata; hash, description and uploader only for identity readers."""
    view = {key: getattr(row, key) for key in PUBLIC_FIELDS}
    if actor.sees_identities:
        view.update(
            sha256=row.sha256, uploaded_by=row.uploaded_by, upload_offset=row.received,
            gps_present=row.gps_present, keep_metadata=row.keep_metadata,
            description=runtime.cipher().open(row.description_enc, f"attachment:{row.id}") or "")
    return view


def attachments_of(detention_id: uuid.UUID, actor: Actor) -> list[dict[str, Any]]:
    """The detention's attachments in the order they were declared."""
    rows = db.session.scalars(select(Attachment).where(Attachment.detention_id == detention_id)
                              .order_by(Attachment.received_at, Attachment.id))
    return [attachment_view(row, actor) for row in rows]
