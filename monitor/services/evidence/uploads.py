"""Evidence attachments: create (idempotent), upload resumably, read within scope."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, BinaryIO, cast

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import delete, select

from monitor.database import unit_of_work
from monitor.domain import media
from monitor.exceptions import Conflict, Forbidden, Invalid, NotFound, TooLarge, UnsupportedType
from monitor.extensions import db
from monitor.models import Attachment, AttachmentChunk, CustodyEvent, Detention
from monitor.services import audit, idempotency, runtime
from monitor.services.access import CUSTODY_READERS, CUSTODY_WRITERS, IDENTITY_READERS, Actor, in_scope, require_role
from monitor.services.custody.detentions import get_detention
from monitor.services.evidence import store

# The fields whose difference makes a same-id creation a conflict rather than a replay.
IDENTITY_FIELDS = ("detention_id", "event_id", "kind", "size", "sha256")


def _fingerprint(data: dict[str, Any]) -> str:
    """Keyed fingerprint of what identifies a file (not its description)."""
    return runtime.cipher().fingerprint(idempotency.canonical({k: data.get(k) for k in IDENTITY_FIELDS}))


def _validate(detention: Detention, data: dict[str, Any]) -> None:
    """Size, type and event against the limits and the record."""
    if data["size"] > current_app.config["ATTACHMENT_MAX_BYTES"]:
        raise TooLarge(f"Files are limited to {current_app.config['ATTACHMENT_MAX_BYTES']} bytes.")
    if not media.accepted_type(data["content_type"]):
        raise UnsupportedType("Accepted: JPEG, PNG, WebP, HEIC, PDF, MP3, M4A, Ogg or Opus audio.")
    if not media.fits_kind(data["kind"], data["content_type"]):
        raise Invalid({"content_type": [f"Not a type for a {data['kind']}."]})
    if data.get("event_id") is not None:
        event = db.session.get(CustodyEvent, data["event_id"])
        if event is None or event.detention_id != detention.id:
            raise NotFound("No such event in this detention.")


def create_upload(actor: Actor, detention_id: uuid.UUID, data: dict[str, Any], now: datetime
                  ) -> tuple[Attachment, bool]:
    """Declare a file to upload; returns (row, created). A same-id replay returns the row
    in its current state (409 if its detention, event, kind, size or hash differ)."""
    require_role(actor, *CUSTODY_WRITERS)
    detention = get_detention(actor, detention_id)
    row_id = data.get("id") or uuid.uuid4()
    data = dict(data, id=row_id, detention_id=detention.id)
    fingerprint = _fingerprint(data)
    existing = db.session.get(Attachment, row_id)
    if existing is not None:
        return _replay(actor, existing, fingerprint), False
    _validate(detention, data)
    values = dict(
        id=row_id, detention_id=detention.id, event_id=data.get("event_id"), kind=data["kind"],
        content_type=data["content_type"], size=data["size"], sha256=data["sha256"].lower(),
        description_enc=runtime.cipher().seal(data.get("description", ""), f"attachment:{row_id}"),
        key_enc=store.new_sealed_key(row_id), status="uploading", received=0, chunks=0,
        keep_metadata=bool(data.get("keep_metadata")), fingerprint=fingerprint,
        uploaded_by=actor.id, received_at=now, active_at=now)
    if not idempotency.insert_new(Attachment, values):  # a concurrent creation of the same id
        db.session.commit()
        # the other creation committed it: it exists
        return _replay(actor, cast(Attachment, db.session.get(Attachment, row_id)), fingerprint), False
    audit.record(actor, "attachment.create", now, "attachment", row_id,
                 {"detention_id": str(detention.id), "kind": data["kind"], "size": data["size"]})
    db.session.commit()
    return cast(Attachment, db.session.get(Attachment, row_id)), True


def _replay(actor: Actor, existing: Attachment, fingerprint: str) -> Attachment:
    """The stored row for an identical replay; Conflict otherwise (also when out of scope)."""
    if not in_scope(actor, _country(existing)) or existing.fingerprint != fingerprint:
        raise Conflict("An attachment with this id exists with a different detention, event, "
                       "kind, size or hash.")
    return existing


def _country(attachment: Attachment) -> str:
    """The country of the attachment's detention (where it is now)."""
    # a detention's country is NOT NULL, and the attachment's detention exists (a foreign key)
    return cast(str, db.session.scalar(select(Detention.country).where(Detention.id == attachment.detention_id)))


def _load(actor: Actor, attachment_id: uuid.UUID, for_update: bool = False) -> Attachment:
    """An attachment whose detention is in the actor's scope, else 404 (one query: the row
    and its detention's country; on PostgreSQL `for_update` locks the row)."""
    query = (select(Attachment, Detention.country).join(Detention, Detention.id == Attachment.detention_id)
             .where(Attachment.id == attachment_id))
    if for_update and db.engine.dialect.name != "sqlite":  # SQLite: the write lock is held
        query = query.with_for_update(of=Attachment).execution_options(populate_existing=True)
    found = db.session.execute(query).first()
    if found is None or not in_scope(actor, found[1]):
        raise NotFound("No such attachment.")
    return found[0]


def require_uploader(actor: Actor) -> None:
    """Only custody writers upload (checked before a body is read)."""
    require_role(actor, *CUSTODY_WRITERS)


def upload_state(actor: Actor, attachment_id: uuid.UUID) -> Attachment:
    """The upload's progress (tus HEAD), for custody writers in scope."""
    require_uploader(actor)
    return _load(actor, attachment_id)


def append(actor: Actor, attachment_id: uuid.UUID, offset: int, pieces: list[bytes], now: datetime) -> Attachment:
    """Store the bytes of one PATCH at `offset`; at the last byte check the whole file's hash.

    All or nothing: a wrong offset (409), bytes past the declared size (413) or a complete
    file (409) store nothing. A signature that does not match the declared type (415)
    discards the upload; a hash mismatch (422) empties it, to be sent again from 0."""
    require_uploader(actor)
    row = _load(actor, attachment_id, for_update=True)
    if row.uploaded_by != actor.id and actor.role != "admin":
        raise Forbidden("Only the monitor who began an upload continues it.")
    if row.status == "complete":
        raise Conflict("This upload is complete.", headers={"Upload-Offset": str(row.received)})
    if offset != row.received:
        raise Conflict(f"The upload is at offset {row.received}, not {offset}.",
                       headers={"Upload-Offset": str(row.received)})
    total = sum(len(p) for p in pieces)
    if row.received + total > row.size:
        raise TooLarge(f"The file was declared as {row.size} bytes; this goes past it.")
    before, key = row.received, store.file_key(row)
    store.store_pieces(row, key, pieces)
    row.active_at = now
    needed = min(row.size, media.SIGNATURE_BYTES)
    if before < needed <= row.received and not media.signature_matches(
            row.content_type, store.head(row, key, needed)):
        _discard(actor, row, now)
        raise UnsupportedType(f"The content is not {row.content_type}; the upload is discarded.")
    if row.received == row.size:
        _complete(actor, row, key, now)
    db.session.commit()
    return row


def _complete(actor: Actor, row: Attachment, key: AESGCM, now: datetime) -> None:
    """Check the whole file's SHA-256 (422 and back to 0 if it differs), then close it."""
    if store.sha256_of(row, key) != row.sha256:
        store.drop_chunks(row.id)
        row.received, row.chunks = 0, 0
        db.session.commit()
        raise Invalid({"sha256": ["The file's SHA-256 differs from the declared one; "
                                  "send it again from offset 0."]},
                      detail="The uploaded file does not match its declared hash.")
    # a readable, seekable binary file (io.RawIOBase), which BinaryIO does not spell
    row.gps_present = media.gps_present(row.content_type, cast(BinaryIO, store.SealedReader(row, key)))
    row.status, row.completed_at = "complete", now
    audit.record(actor, "attachment.complete", now, "attachment", row.id,
                 {"detention_id": str(row.detention_id), "size": row.size})


def _discard(actor: Actor, row: Attachment, now: datetime) -> None:
    """Remove an upload and its chunks, and commit (the caller then raises)."""
    store.drop_chunks(row.id)
    db.session.delete(row)
    audit.record(actor, "attachment.discard", now, "attachment", row.id,
                 {"reason": "signature", "declared": row.content_type})
    db.session.commit()


def get_attachment(actor: Actor, attachment_id: uuid.UUID) -> Attachment:
    """An attachment's metadata, for custody readers in scope (researchers: 403)."""
    require_role(actor, *CUSTODY_READERS)
    return _load(actor, attachment_id)


def open_content(actor: Actor, attachment_id: uuid.UUID, now: datetime
                 ) -> tuple[SimpleNamespace, Iterator[bytes]]:
    """(its metadata, decrypted chunks) of a complete file, for monitors and admins; audited first."""
    require_role(actor, *IDENTITY_READERS)
    row = _load(actor, attachment_id)
    if row.status != "complete":
        raise Conflict("The upload is not complete.")
    key, ref = store.file_key(row), store.snapshot(row)
    audit.record_alone(actor, "attachment.read", now, target_type="attachment",
                       target_id=row.id, detail={"detention_id": str(row.detention_id)})
    return ref, _stream(ref, key)


def _stream(ref: SimpleNamespace, key: AESGCM) -> Iterator[bytes]:
    """The content chunk by chunk; the read transaction ends with the stream."""
    try:
        yield from store.plain_chunks(ref, key)
    finally:
        db.session.rollback()


def remove_abandoned(now: datetime, hours: int) -> int:
    """Delete uploads with no byte received for `hours`; returns how many."""
    with unit_of_work():
        cutoff = now - timedelta(hours=hours)
        ids = list(db.session.scalars(select(Attachment.id).where(
            Attachment.status == "uploading", Attachment.active_at < cutoff)))
        if ids:
            db.session.execute(delete(AttachmentChunk).where(AttachmentChunk.attachment_id.in_(ids)))
            db.session.execute(delete(Attachment).where(Attachment.id.in_(ids)))
            audit.record(None, "attachment.abandoned", now, detail={"count": len(ids)})
    return len(ids)
