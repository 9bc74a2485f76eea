"""The rule fields of issues 15 and 17 are validated like the others: a bad file is named."""
import pytest

from monitor.domain.rules import RuleFileError, load_file
from tests.helpers import one_rule_file

BASE = one_rule_file()


def load(tmp_path, extra, base=BASE):
    path = tmp_path / "zz.toml"
    path.write_text(base + extra)
    return load_file(path)


def test_a_valid_file_with_every_new_field_loads(tmp_path):
    rules = load(tmp_path, '''basis = "threshold"
track = "accountability"
start = { event = "arrival", cap_hours = 24, facility_kinds = ["police_station"] }
max_from = { event = "arrival" }
extended_by = [{ type = "judicial_appearance", details = { outcome = "extended" } }]
extension_hours = 48
max_hours = 96
except_when = "capital_offence"
''').rules
    rule = rules[0]
    assert rule.basis == "threshold" and rule.track == "accountability"
    assert rule.start.event == "arrival" and rule.start.cap_hours == 24.0
    assert rule.max_from.cap_hours is None and rule.extension_hours == 48
    assert rule.extended_by[0].details == (("outcome", "extended"),)


@pytest.mark.parametrize("extra,needle", [
    ('basis = "opinion"\n', "'basis' must be one of"),
    ('track = "trial"\n', "'track' must be one of"),
    ('start = { event = "teleport" }\n', "'start' needs a known 'event'"),
    ('start = { event = "arrival", when = 1 }\n', "'start' needs a known 'event'"),
    ('start = { event = "arrival", cap_hours = -1 }\n', "'start.cap_hours'"),
    ('start = { event = "arrival", facility_kinds = ["cellar"] }\n', "'start.facility_kinds'"),
    ('within_days = 60\n', "'within_days'"),
    ('calendar = "working_days"\n', "'within_days'"),
    ('calendar = "lunar"\n', "'calendar' may only be"),
    ('violated_on = "non_working_day"\n', "'violated_on'"),
    ('when_preceded_by = ["teleport"]\n', "when_preceded_by: unknown event type"),
    ('extended_by = [{ type = "arrest", extra = 1 }]\n', "extended_by: entries take only"),
    ('trigger_x = 1\n', "unknown keys"),
])
def test_bad_new_fields_are_refused_naming_file_and_rule(tmp_path, extra, needle):
    with pytest.raises(RuleFileError) as err:
        load(tmp_path, extra)
    assert "zz.toml" in str(err.value) and "zz.rule" in str(err.value) and needle in str(err.value)


def test_a_condition_may_be_violated_on_a_non_working_day_only(tmp_path):
    condition = BASE.replace('kind = "deadline"', 'kind = "condition"').replace(
        'satisfied_by = ["judicial_appearance"]\nwithin_hours = 24\n', '')
    rule = load(tmp_path, 'violated_on = "non_working_day"\n', condition).rules[0]
    assert rule.violated_on == "non_working_day" and rule.violated_when == ()
    with pytest.raises(RuleFileError) as err:
        load(tmp_path, '', condition)
    assert "'violated_when' or 'violated_on'" in str(err.value)
