"""Sealed storage of attachment content: per-file keys, AES-GCM chunks in the database.

Each file has its own random 256-bit key, kept sealed under DATA_KEY (so `flask keys rotate`
re-wraps it without touching the content). Each stored chunk is nonce + AES-GCM ciphertext;
its associated data binds the file id, the chunk's index and whether it is the file's last
chunk, so chunks cannot be moved between files, reordered, or the file cut short unseen.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any, cast

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import bindparam, delete, insert, select

from monitor.extensions import db
from monitor.models import Attachment, AttachmentChunk
from monitor.services import runtime

# A file as reading sees it: the row, or its detached snapshot() (the same fields).
StoredFile = Attachment | SimpleNamespace

PIECE_BYTES = 1024 * 1024  # plaintext per stored chunk: the unit of memory when reading
_CHUNKS = AttachmentChunk.__table__
_INSERT = insert(_CHUNKS)
_INSERT_PG = "INSERT INTO attachment_chunks (attachment_id, idx, start, data) VALUES (%s, %s, %s, %b)"
_ONE = select(_CHUNKS.c.data, _CHUNKS.c.start).where(
    _CHUNKS.c.attachment_id == bindparam("file"), _CHUNKS.c.idx == bindparam("idx"))
_AT = (select(_CHUNKS.c.idx).where(_CHUNKS.c.attachment_id == bindparam("file"),
                                   _CHUNKS.c.start <= bindparam("position"))
       .order_by(_CHUNKS.c.start.desc()).limit(1))


def key_context(attachment_id: object) -> str:
    """The associated data of a file's sealed key (the prefix keys.rotate uses)."""
    return f"attachment-key:{attachment_id}"


def new_sealed_key(attachment_id: object) -> bytes:
    """A fresh random file key, sealed under DATA_KEY."""
    raw = base64.b64encode(os.urandom(32)).decode()
    return runtime.cipher().seal(raw, key_context(attachment_id))


def file_key(attachment: Attachment) -> AESGCM:
    """The attachment's own AES-GCM key, unwrapped."""
    raw = runtime.cipher().open(attachment.key_enc, key_context(attachment.id))
    return AESGCM(base64.b64decode(raw))


def _aad(attachment_id: object, idx: int, final: bool) -> bytes:
    return f"attachment:{attachment_id}:{idx}:{int(final)}".encode()


def store_pieces(attachment: Attachment, key: AESGCM, pieces: list[bytes]) -> None:
    """Seal and insert `pieces` after what is stored (one statement); the caller updates
    the row's counters and commits."""
    # (the counters are ints; the model does not declare them Mapped[int] yet)
    idx, start = attachment.chunks, attachment.received
    rows: list[dict[str, Any]] = []
    for piece in pieces:
        final = start + len(piece) == attachment.size
        nonce = os.urandom(12)
        rows.append({"attachment_id": attachment.id, "idx": idx, "start": start,
                     "data": nonce + key.encrypt(nonce, piece, _aad(attachment.id, idx, final))})
        idx, start = idx + 1, start + len(piece)
    if rows:
        conn = db.session.connection()
        if conn.dialect.name == "postgresql":  # %b: the bytes go as binary, not as hex text
            driver: Any = conn.connection.driver_connection  # psycopg's connection
            driver.cursor().executemany(_INSERT_PG, [
                (r["attachment_id"], r["idx"], r["start"], r["data"]) for r in rows])
        else:
            conn.execute(_INSERT, rows)
    attachment.chunks, attachment.received = idx, start


def read_chunk(attachment: StoredFile, key: AESGCM, idx: int) -> bytes:
    """Decrypt chunk `idx` (read alone: one chunk in memory at a time)."""
    return _read(attachment, key, idx)[1]


# PostgreSQL sends bytea as hex text unless asked for binary: three times slower to read.
_ONE_PG = "SELECT data, start FROM attachment_chunks WHERE attachment_id = %s AND idx = %s"


def _fetch(attachment_id: object, idx: int) -> tuple[bytes, int]:
    """(sealed bytes, start) of one stored chunk, on the session's connection."""
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        driver: Any = conn.connection.driver_connection  # same connection, same transaction
        data, start = driver.execute(_ONE_PG, (attachment_id, idx), binary=True).fetchone()
        return bytes(data), start
    data, start = conn.execute(_ONE, {"file": attachment_id, "idx": idx}).one()
    return bytes(data), start


def _read(attachment: StoredFile, key: AESGCM, idx: int) -> tuple[int, bytes]:
    """(start, plaintext) of chunk `idx`."""
    data, start = _fetch(attachment.id, idx)
    final = cast(bool, idx == attachment.chunks - 1 and attachment.received == attachment.size)
    return start, key.decrypt(data[:12], data[12:], _aad(attachment.id, idx, final))


def plain_chunks(attachment: StoredFile, key: AESGCM | None = None) -> Iterator[bytes]:
    """The stored content, decrypted chunk by chunk, in order."""
    key = key or file_key(cast(Attachment, attachment))  # a snapshot() comes with its key
    for idx in range(attachment.chunks):
        yield read_chunk(attachment, key, idx)


def sha256_of(attachment: Attachment, key: AESGCM) -> str:
    """SHA-256 of the stored content, streamed (at most two chunks in memory).

    A second thread hashes chunk i while this one reads and decrypts chunk i + 1 (hashlib lets
    go of the GIL for large inputs): about a quarter less time at the last byte of a large file
    (bench/attachments_profile.py)."""
    digest = hashlib.sha256()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256") as hasher:
        pending: Future[None] | None = None
        for chunk in plain_chunks(attachment, key):
            if pending is not None:
                pending.result()
            pending = hasher.submit(digest.update, chunk)
        if pending is not None:
            pending.result()
    return digest.hexdigest()


def head(attachment: Attachment, key: AESGCM, length: int) -> bytes:
    """The first `length` stored bytes."""
    out = bytearray()
    for chunk in plain_chunks(attachment, key):
        out += chunk
        if len(out) >= length:
            break
    return bytes(out[:length])


def snapshot(attachment: Attachment) -> SimpleNamespace:
    """What reading needs of a row, detached from the session (a stream outlives it)."""
    return SimpleNamespace(id=attachment.id, chunks=attachment.chunks,
                           received=attachment.received, size=attachment.size,
                           content_type=attachment.content_type)


def drop_chunks(attachment_id: object) -> None:
    """Delete a file's stored chunks (the caller commits)."""
    db.session.execute(delete(AttachmentChunk).where(AttachmentChunk.attachment_id == attachment_id))


class SealedReader(io.RawIOBase):
    """A read-only, seekable file over the stored chunks (one decrypted chunk cached), so an
    image library can read a file's metadata without the file ever being whole in memory."""

    def __init__(self, attachment: Attachment, key: AESGCM) -> None:
        super().__init__()
        self._file, self._key, self._pos = attachment, key, 0
        self._cached: tuple[int | None, int, bytes] = (None, 0, b"")  # (idx, start, plaintext)

    def readable(self) -> bool:
        """Always readable."""
        return True

    def seekable(self) -> bool:
        """Always seekable."""
        return True

    def tell(self) -> int:
        """The current position."""
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move within the file."""
        end = self._file.received
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: end}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def _chunk_at(self, position: int) -> tuple[int, bytes]:
        """(start, plaintext) of the chunk holding `position`."""
        idx, start, plain = self._cached
        if idx is not None and start <= position < start + len(plain):
            return start, plain
        idx = db.session.connection().execute(
            _AT, {"file": self._file.id, "position": position}).scalar_one()
        start, plain = _read(self._file, self._key, idx)
        self._cached = (idx, start, plain)
        return start, plain

    def readinto(self, buffer: Any) -> int:
        """Fill `buffer` from the current position; 0 at the end."""
        if self._pos >= self._file.received:
            return 0
        start, plain = self._chunk_at(self._pos)
        piece = plain[self._pos - start:self._pos - start + len(buffer)]
        buffer[:len(piece)] = piece
        self._pos += len(piece)
        return len(piece)

