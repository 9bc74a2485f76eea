"""A rule's Matchers answer exactly as its Match tuples do, for every shipped rule."""
from datetime import datetime, timezone

from monitor.domain.evaluator import Event
from monitor.domain.matching import Matcher
from monitor.domain.rules import Match

AT = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
PATTERNS = ("trigger", "satisfied_by", "extended_by", "violated_when", "when_preceded_by")


def _probes(matches):
    """Events of each pattern's type: with its details, each detail changed, and none."""
    events = []
    for match in matches:
        details = dict(match.details)
        events += [Event(match.type, AT, details), Event(match.type, AT, {}),
                   Event(match.type, AT, {**details, "other": True}), Event("no_such_type", AT, details)]
        events += [Event(match.type, AT, {**details, key: not value if isinstance(value, bool) else None})
                   for key, value in details.items()]
    return events


def test_every_rules_matchers_agree_with_its_matches(sets):
    rules = [rule for rule_set in sets.values() for rule in rule_set.rules]
    probes = _probes([m for rule in rules for name in PATTERNS for m in getattr(rule, name)])
    for rule in rules:
        for name in PATTERNS:
            matches, matcher = getattr(rule, name), getattr(rule.matchers, name)
            assert bool(matcher) == bool(matches)
            for event in probes:
                assert matcher(event) == any(m.matches(event) for m in matches), (rule.id, name, event)


def test_a_detail_free_pattern_matches_whatever_the_details():
    matcher = Matcher([Match("confession", (("retracted", True),)), Match("confession")])
    assert matcher(Event("confession", AT, {"retracted": False}))
    assert not Matcher([Match("confession", (("retracted", True),))])(Event("confession", AT, {}))
    assert not Matcher([])(Event("confession", AT, {}))
