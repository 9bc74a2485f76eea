"""Encryption of identifying fields at rest (AES-256-GCM) and keyed fingerprints."""
import base64
import binascii
import hashlib
import hmac
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from monitor.secrets import ConfigurationError

_VERSION = b"\x01"


def decode_key(text):
    """Decode a base64 (url-safe or standard) 32-byte key, or raise ConfigurationError."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ConfigurationError("DATA_KEY is not valid base64") from exc
    if len(raw) != 32:
        raise ConfigurationError("DATA_KEY must decode to 32 bytes (AES-256)")
    return raw


class Cipher:
    """AES-GCM sealing bound to a context (the record id), so ciphertexts cannot be swapped."""

    def __init__(self, key_text, mac_secret):
        self._aead = AESGCM(decode_key(key_text))
        # Fingerprints and pseudonyms use SECRET_KEY, not DATA_KEY, so that rotating
        # the data key does not change them.
        self._mac_key = hashlib.sha256(b"fingerprint:" + mac_secret.encode()).digest()

    def seal(self, value, context):
        """Encrypt a JSON-serialisable value; None stays None."""
        if value is None:
            return None
        nonce = os.urandom(12)
        plain = json.dumps(value, separators=(",", ":")).encode()
        return _VERSION + nonce + self._aead.encrypt(nonce, plain, context.encode())

    def open(self, blob, context):
        """Decrypt what `seal` produced."""
        if blob is None:
            return None
        blob = bytes(blob)
        if blob[:1] != _VERSION:
            raise ValueError("unknown ciphertext version")
        plain = self._aead.decrypt(blob[1:13], blob[13:], context.encode())
        return json.loads(plain)

    def fingerprint(self, payload):
        """Keyed hash of a canonical payload: compares replays without a plaintext oracle."""
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hmac.new(self._mac_key, canonical.encode(), hashlib.sha256).hexdigest()

    def pseudonym(self, namespace, value):
        """Keyed, stable pseudonym of `value` within `namespace` (e.g. an organisation)."""
        key = hmac.new(self._mac_key, b"pseudonym:" + namespace.encode(), hashlib.sha256).digest()
        return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:24]
