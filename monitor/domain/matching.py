"""A rule's event patterns as predicates built once per rule.

The evaluator asks every event of every detention whether it triggers, satisfies, extends or
breaks each rule: tens of thousands of questions in a sweep. Asked of a tuple of `Match`es
one by one (a generator, a method call and a details loop each) they were a third of the
evaluation; a `Matcher` answers from the event's type first and reads details only for
the patterns that require them, with the same answer as any(m.matches(event) for m in ...).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Details = tuple[tuple[str, Any], ...]


class Matcher:
    """Does an event match any of a rule's patterns (type, plus required detail values)?"""

    __slots__ = ("types", "any_details", "detailed")

    def __init__(self, matches: Iterable[Any]) -> None:
        """Group the patterns by event type; a type with a detail-free pattern needs no details."""
        detailed: dict[str, list[Details]] = {}
        for match in matches:
            detailed.setdefault(match.type, []).append(tuple(match.details))
        self.types = frozenset(detailed)
        self.any_details = frozenset(t for t, specs in detailed.items() if () in specs)
        self.detailed = {t: tuple(specs) for t, specs in detailed.items() if t not in self.any_details}

    def __bool__(self) -> bool:
        """False when the rule lists no patterns (as an empty tuple of matches)."""
        return bool(self.types)

    def __call__(self, event: Any) -> bool:
        """True if `event` matches one of the patterns."""
        kind = event.type
        if kind in self.any_details:
            return True
        specs = self.detailed.get(kind)
        if specs is None:
            return False
        details = event.details
        return any(all(details.get(k) == v for k, v in spec) for spec in specs)


@dataclass(frozen=True)
class Matchers:
    """The predicates of one rule, one per list of patterns it has."""

    trigger: Matcher
    satisfied_by: Matcher
    extended_by: Matcher
    violated_when: Matcher
    when_preceded_by: Matcher

    @classmethod
    def of(cls, rule: Any) -> Matchers:
        """Build the predicates of `rule` (a rules.Rule)."""
        return cls(Matcher(rule.trigger), Matcher(rule.satisfied_by), Matcher(rule.extended_by),
                   Matcher(rule.violated_when), Matcher(rule.when_preceded_by))
