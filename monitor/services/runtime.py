"""Access to the application's cipher and rule sets from the service layer."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app

if TYPE_CHECKING:
    from monitor.crypto import Cipher


def cipher() -> Cipher:
    """The Cipher built from DATA_KEY at start-up."""
    return current_app.extensions["monitor.cipher"]


def rule_sets() -> dict[str, Any]:
    """Loaded rule sets, by code."""
    return current_app.extensions["monitor.rule_sets"]
