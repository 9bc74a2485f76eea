"""Domain fixtures: the real rule sets, loaded once, and small case builders."""
from datetime import datetime, timedelta, timezone

import pytest

from monitor import BUILTIN_RULES
from monitor.domain.evaluator import Case, Event
from monitor.domain.rules import load_rule_sets

RULES = BUILTIN_RULES
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # Monday 12:00 in Nairobi


@pytest.fixture(scope="session")
def sets():
    """Every built-in rule set by code."""
    return load_rule_sets([RULES])


def one_rule_file(code="zz", name="Test", country="ZZ", rule_id="zz.rule", citation="Test Act s.1"):
    """The text of a rule file with one 24-hour custody-limit rule (arrest to judge)."""
    return f'''code = "{code}"
name = "{name}"
country = "{country}"

[[rules]]
id = "{rule_id}"
safeguard = "custody_limit"
kind = "deadline"
trigger = ["arrest"]
satisfied_by = ["judicial_appearance"]
within_hours = 24
applies_to = "all"
severity = "high"
citation = "{citation}"
confidence = "H"
'''


def h(hours):
    """A timedelta in hours."""
    return timedelta(hours=hours)


def case(events=(), arrested=T0, juvenile=False, tz="UTC", **facts):
    """A Case with an arrest event and the given (type, hours after arrest, details) events."""
    made = [Event("arrest", arrested, {}, "0")]
    made += [Event(kind, arrested + h(after), details, str(i + 1))
             for i, (kind, after, details) in enumerate(events)]
    return Case(arrested_at=arrested, juvenile=juvenile, events=tuple(made), timezone=tz, facts=facts)
