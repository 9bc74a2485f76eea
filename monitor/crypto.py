"""Encryption of identifying fields at rest (AES-256-GCM), keyed fingerprints and pseudonyms.

A sealed value is: version byte, 4-byte key id, 12-byte nonce, ciphertext+tag. The key id
lets old values be opened after DATA_KEY changes (keys listed in DATA_KEYS_OLD) until
`flask keys rotate` has re-sealed them under the new key. The record's own id is bound in
as associated data, so a ciphertext cannot be moved to another record.
"""
import base64
import binascii
import hashlib
import hmac
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from monitor.keyring import ConfigurationError

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


def key_id(raw):
    """A short public identifier of a key."""
    return hashlib.sha256(b"key-id:" + raw).digest()[:4]


class Cipher:
    """AES-GCM sealing under the current key; opening under the current or an old key."""

    def __init__(self, key_text, mac_secret, old_keys=()):
        current = decode_key(key_text)
        self.current_id = key_id(current)
        self._keys = {key_id(raw): AESGCM(raw) for raw in map(decode_key, old_keys)}
        self._keys[self.current_id] = AESGCM(current)
        # Fingerprints and pseudonyms use SECRET_KEY, not DATA_KEY, so that rotating
        # the data key does not change them.
        self._mac_key = hashlib.sha256(b"fingerprint:" + mac_secret.encode()).digest()

    def seal(self, value, context):
        """Encrypt a JSON-serialisable value under the current key; None stays None."""
        if value is None:
            return None
        nonce = os.urandom(12)
        plain = json.dumps(value, separators=(",", ":")).encode()
        sealed = self._keys[self.current_id].encrypt(nonce, plain, context.encode())
        return _VERSION + self.current_id + nonce + sealed

    def open(self, blob, context):
        """Decrypt what `seal` produced, under whichever known key sealed it."""
        if blob is None:
            return None
        blob = bytes(blob)
        if blob[:1] != _VERSION:
            raise ValueError("unknown ciphertext version")
        aead = self._keys.get(blob[1:5])
        if aead is None:
            raise ConfigurationError("a value is sealed under a key that is not configured")
        return json.loads(aead.decrypt(blob[5:17], blob[17:], context.encode()))

    def is_current(self, blob):
        """True if `blob` is sealed under the current key."""
        return blob is None or bytes(blob)[1:5] == self.current_id

    def fingerprint(self, payload):
        """Keyed hash of a canonical payload: compares replays without a plaintext oracle."""
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hmac.new(self._mac_key, canonical.encode(), hashlib.sha256).hexdigest()

    def pseudonym(self, namespace, value):
        """Keyed, stable pseudonym of `value` within `namespace` (e.g. an organisation)."""
        return self.pseudonymizer(namespace)(value)

    def pseudonymizer(self, namespace):
        """pseudonym(namespace, ·) as a function, its key derived once (for many values)."""
        keyed = hmac.new(hmac.new(self._mac_key, b"pseudonym:" + namespace.encode(), hashlib.sha256).digest(),
                         digestmod=hashlib.sha256)

        def pseudonym(value):
            mac = keyed.copy()
            mac.update(value.encode())
            return mac.hexdigest()[:24]
        return pseudonym
