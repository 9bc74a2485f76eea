"""The field app's locales: every language has every key English has, and English names
every event type, safeguard, status and form field the app can show."""
import json
import re
from pathlib import Path

import pytest

from monitor.domain.vocabulary import (
    DETENTION_STATUSES,
    EVENT_SOURCES,
    EVENT_TYPES,
    FLAG_STATUSES,
    OUTCOME_STATUSES,
    SAFEGUARDS,
)

STATIC = Path(__file__).resolve().parents[2] / "monitor" / "web" / "static"
LANGS = ("en", "es", "fr", "ar")


def _locale(code):
    return json.loads((STATIC / "locales" / f"{code}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("code", LANGS[1:])
def test_every_locale_has_every_english_key(code):
    english, other = _locale("en"), _locale(code)
    missing = sorted(set(english) - set(other))
    assert not missing, f"{code} lacks {missing}"
    assert not sorted(set(other) - set(english)), f"{code} has keys English lacks"
    assert all(isinstance(v, str) and v.strip() for v in other.values())


@pytest.mark.parametrize("code", LANGS[1:])
def test_placeholders_match_english(code):
    english, other = _locale("en"), _locale(code)
    for key, text in english.items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", other[key])), key


def test_english_names_every_closed_list_value():
    english = _locale("en")
    wanted = ([f"event.{t}" for t in EVENT_TYPES] + [f"safeguard.{s}" for s in SAFEGUARDS]
              + [f"status.{s}" for s in OUTCOME_STATUSES + DETENTION_STATUSES + FLAG_STATUSES]
              + [f"status.{s}" for s in ("created", "unchanged", "invalid", "conflict")]
              + [f"opt.source.{s}" for s in EVENT_SOURCES])
    assert sorted(k for k in wanted if k not in english) == []


def test_english_labels_every_catalogue_field_and_option():
    english = _locale("en")
    catalogue = json.loads((STATIC / "catalogue.json").read_text(encoding="utf-8"))
    fields = list(catalogue["event_common"]) + [f for fs in catalogue["events"].values() for f in fs]
    fields += [f for fs in catalogue["forms"].values() for f in fs]
    missing = []
    for field in fields:
        if f"field.{field['name']}" not in english:
            missing.append(f"field.{field['name']}")
        for option in field.get("options", ()):
            key = f"opt.{field['name'].split('.')[-1]}.{option}"
            if key not in english:
                missing.append(key)
    assert missing == []


def test_the_scripts_use_only_keys_english_has():
    english = _locale("en")
    used = set()
    for path in (STATIC / "js").rglob("*.js"):
        used |= set(re.findall(r"\bt\(\"([a-z_]+\.[a-z_.]+)\"", path.read_text(encoding="utf-8")))
        used |= set(re.findall(r"input\([^)]*\"((?:login|unlock)\.[a-z_]+)\"", path.read_text(encoding="utf-8")))
    assert sorted(used - set(english)) == []
