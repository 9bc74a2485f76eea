"""The rule sets in force, as clients list them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from monitor.domain.rules import rule_to_dict
from monitor.services import runtime

if TYPE_CHECKING:
    from monitor.services.access import Actor


def list_rule_sets(actor: Actor) -> list[dict[str, Any]]:
    """Every loaded rule set with its rules (any authenticated role: the law is public)."""
    return [{"code": rs.code, "name": rs.name, "country": rs.country or None,
             "rules": [rule_to_dict(rule) for rule in rs.rules]}
            for rs in sorted(runtime.rule_sets().values(), key=lambda rs: rs.code)]
