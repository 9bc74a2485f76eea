"""Re-sealing every encrypted value under the current DATA_KEY (key rotation)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from monitor.database import unit_of_work
from monitor.extensions import db
from monitor.models import Attachment, CustodyEvent, Detention, Flag, Person, Visit, Webhook
from monitor.services import runtime

SEALED: list[tuple[Any, str, str]] = [  # (model, column, context prefix)
    (Person, "identity_enc", "person"), (Detention, "private_enc", "detention"),
    (CustodyEvent, "private_enc", "event"), (Visit, "summary_enc", "visit"),
    (Webhook, "secret_enc", "webhook"), (Flag, "note_enc", "flag"),
    # A file's own key is re-wrapped; its content chunks are never touched.
    (Attachment, "key_enc", "attachment-key"), (Attachment, "description_enc", "attachment"),
]


def rotate(batch: int = 1000, progress: Callable[[int], object] | None = None) -> dict[str, int]:
    """Re-seal values not under the current key, batch by batch; returns counts per table."""
    cipher = runtime.cipher()
    counts: dict[str, int] = {}
    for model, column, prefix in SEALED:
        attr, done, last = getattr(model, column), 0, None
        while True:
            with unit_of_work():
                query = select(model.id, attr).order_by(model.id).limit(batch)
                if last is not None:
                    query = query.where(model.id > last)
                rows = db.session.execute(query).all()
                if not rows:
                    db.session.rollback()
                    break
                for row_id, blob in rows:
                    if not cipher.is_current(blob):
                        context = f"{prefix}:{row_id}"
                        value = cipher.seal(cipher.open(blob, context), context)
                        db.session.execute(model.__table__.update().where(
                            model.__table__.c.id == row_id).values({column: value}))
                        done += 1
                last = rows[-1][0]
            if progress:
                progress(len(rows))
        counts[model.__tablename__] = done
    return counts
