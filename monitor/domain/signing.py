"""Webhook signatures (pure): HMAC-SHA256 over "timestamp.body", so a replayed body with an
old timestamp is detectable by the receiver."""
import hashlib
import hmac

TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Monitor-Signature` header value for `body` sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now_timestamp: float, tolerance: float = TOLERANCE_SECONDS) -> bool:
    """What a receiver does: check the MAC and that the timestamp is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs(now_timestamp - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def backoff_seconds(attempts: int) -> int:
    """Delay before the next try after `attempts` failures: 30 s doubling, capped at 6 h."""
    return min(30 << max(attempts - 1, 0), 6 * 3600)
