"""Flags and webhooks as answered."""
from __future__ import annotations

from typing import Any

FLAG_FIELDS = ("id", "detention_id", "rule", "safeguard", "severity", "country", "facility_id",
               "status", "resolution", "due_at", "raised_at", "updated_at")


def flag_view(flag: Any) -> dict[str, Any]:
    """A flag as the contract shows it."""
    return {key: getattr(flag, key) for key in FLAG_FIELDS}


WEBHOOK_FIELDS = ("id", "organization_id", "url", "countries", "active", "created_at")


def webhook_view(hook: Any, secret: str | None = None) -> dict[str, Any]:
    """A webhook as answered; its secret only in the response that created it."""
    body = {k: getattr(hook, k) for k in WEBHOOK_FIELDS}
    return {**body, "secret": secret} if secret else body
