"""Evidence attachments and their sealed content chunks."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from monitor.domain.vocabulary import ATTACHMENT_KINDS, ATTACHMENT_STATUSES
from monitor.extensions import db
from monitor.models.types import UTCDateTime


class Attachment(db.Model):
    """A file attached to a detention (and maybe one of its events), uploaded resumably.

    `key_enc` is the file's own AES-256 key sealed under DATA_KEY; `description_enc` the
    sealed description. `received` bytes and `chunks` rows are stored so far."""

    __tablename__ = "attachments"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    detention_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("detentions.id"), nullable=False, index=True)
    event_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("custody_events.id"), nullable=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    description_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True)
    key_enc: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), default="uploading")
    received: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    chunks: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    keep_metadata: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    gps_present: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("users.id"), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Last byte received: abandoned uploads are found by it (indexed for the scheduler).
    active_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {ATTACHMENT_KINDS}", name="ck_attachments_kind"),
        sa.CheckConstraint(f"status IN {ATTACHMENT_STATUSES}", name="ck_attachments_status"),
    )


class AttachmentChunk(db.Model):
    """One sealed piece of a file: nonce + AES-GCM ciphertext of bytes [start, start+length)."""

    __tablename__ = "attachment_chunks"
    attachment_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("attachments.id"), primary_key=True)
    idx: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    start: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
