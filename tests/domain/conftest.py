"""Domain fixtures: the real rule sets, loaded once."""
import pytest

from monitor.domain.rules import load_rule_sets
from tests.helpers import RULES


@pytest.fixture(scope="session")
def sets():
    """Every built-in rule set, keyed by code."""
    return load_rule_sets([RULES])
