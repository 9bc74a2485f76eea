"""Hash chaining of audit entries (pure): tampering with any entry breaks every later hash."""
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS = "0" * 64


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's canonical JSON."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + "|" + canonical).encode()).hexdigest()


def verify_chain(entries: Iterable[tuple[int, str, str, Mapping[str, Any]]]) -> tuple[int, int | None]:
    """Walk (seq, prev_hash, hash, fields) tuples from seq 1: (entries checked, first broken seq or None)."""
    checked, expected_prev = 0, GENESIS
    for seq, prev_hash, stored_hash, fields in entries:
        if seq != checked + 1:
            return checked, checked + 1  # a missing entry breaks the chain too
        if prev_hash != expected_prev or entry_hash(prev_hash, fields) != stored_hash:
            return checked, seq
        expected_prev, checked = stored_hash, checked + 1
    return checked, None
