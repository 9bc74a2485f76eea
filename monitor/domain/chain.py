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


def verify_chain(entries: Iterable[tuple[int, str, str, Mapping[str, Any]]]) -> int | None:
    """Check (seq, prev_hash, hash, fields) tuples in order; return the first bad seq or None."""
    expected_prev = GENESIS
    for seq, prev_hash, stored_hash, fields in entries:
        if prev_hash != expected_prev or entry_hash(prev_hash, fields) != stored_hash:
            return seq
        expected_prev = stored_hash
    return None
