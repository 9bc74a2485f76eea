"""Rule files: all load, carry citations and confidence, and broken files are named."""
import pytest

from monitor.domain.rules import RuleFileError, load_file, load_rule_sets, rule_to_dict
from tests.helpers import RULES, one_rule_file

CODES = {"intl", "gb", "mx", "ph", "ng", "ke", "uz", "ma", "cm", "kz"}


def test_every_jurisdiction_loads(sets):
    assert set(sets) == CODES


def test_every_rule_is_cited_with_confidence_and_unique(sets):
    ids = [r.id for rs in sets.values() for r in rs.rules]
    assert len(ids) == len(set(ids))
    for rs in sets.values():
        for rule in rs.rules:
            assert rule.citation.strip() and rule.confidence in ("H", "M", "L", "H/M", "M/L")
            assert rule.severity == ("medium" if rs.code == "intl" else "high")
            assert rule.id.startswith(rs.code + ".")


def test_api_shape(sets):
    shape = rule_to_dict(sets["ph"].rules[0])
    assert {"id", "safeguard", "kind", "trigger", "satisfied_by", "within_hours", "applies_to",
            "severity", "citation", "confidence"} <= set(shape)
    assert shape["limit_by"]["fact"] == "offence_gravity"




@pytest.mark.parametrize("mutation,needle", [
    (lambda r: r.replace('safeguard = "judicial_review"', 'safeguard = "tea"', 1), "safeguard"),
    (lambda r: r.replace('citation = "ICCPR', 'cited = "ICCPR', 1), "unknown keys"),
    (lambda r: r.replace('trigger = ["arrest"]', 'trigger = ["teleport"]', 1), "unknown event types"),
    (lambda r: r.replace('within_hours = 48', 'within_hours = "soon"', 1), "wrong type"),
    (lambda r: r.replace('id = "intl.judicial_24h_juvenile"', 'id = "intl.judicial_48h"', 1), "duplicate"),
    (lambda r: r + "\n[[rules\n", "cannot be read"),
])
def test_broken_file_is_refused_naming_file_and_rule(tmp_path, mutation, needle):
    broken = tmp_path / "intl.toml"
    broken.write_text(mutation((RULES / "intl.toml").read_text()))
    with pytest.raises(RuleFileError) as err:
        load_file(broken)
    message = str(err.value)
    assert str(broken) in message and needle in message
    if needle not in ("cannot be read",):
        assert "intl." in message


def test_rules_dir_adds_or_overrides_a_set(tmp_path):
    (tmp_path / "fr.toml").write_text(one_rule_file("fr", "France", "FR", "fr.garde_a_vue_24h",
                                                    "Code de procédure pénale art. 63"))
    sets = load_rule_sets([RULES, tmp_path])
    assert sets["fr"].rules[0].id == "fr.garde_a_vue_24h" and "intl" in sets


def test_app_refuses_to_start_with_a_broken_rules_dir(tmp_path):
    from monitor import create_app
    (tmp_path / "xx.toml").write_text('code = "xx"\nname = "X"\ncountry = "XX"\n[[rules]]\nid = "xx.a"\n')
    with pytest.raises(RuleFileError) as err:
        create_app({"RULES_DIR": str(tmp_path), "SECRET_KEY": "s", "JWT_SECRET_KEY": "j" * 32,
                    "DATA_KEY": "a" * 43 + "=", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert "xx.toml" in str(err.value) and "xx.a" in str(err.value)
