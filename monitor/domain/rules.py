"""Rule sets: loading and strict validation of the TOML files in seed/rules/ (and RULES_DIR).

A broken file stops the application with a message naming the file and the rule.
"""
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from monitor.domain.vocabulary import (
    CONFIDENCES, EVENT_TYPES, RULE_APPLIES, RULE_KINDS, SAFEGUARDS, SEVERITIES)

KINDS = RULE_KINDS
APPLIES = RULE_APPLIES
REQUIRED = {"id": str, "safeguard": str, "kind": str, "trigger": list, "applies_to": str,
            "severity": str, "citation": str, "confidence": str}
OPTIONAL = {"satisfied_by": list, "within_hours": (int, float), "grace_hours": (int, float),
            "extended_by": list, "max_hours": (int, float), "retrigger": bool,
            "every_hours": (int, float), "violated_when": list, "limit_by": dict,
            "calendar": str, "release_satisfies": bool, "title": str, "note": str}


class RuleFileError(ValueError):
    """A rule file does not validate; the message names the file and the rule."""


@dataclass(frozen=True)
class Match:
    """An event type, optionally with required detail values."""

    type: str
    details: tuple = ()

    def matches(self, event):
        """True if `event` has this type and these detail values."""
        return event.type == self.type and all(event.details.get(k) == v for k, v in self.details)


@dataclass(frozen=True)
class Rule:
    """One safeguard rule of one jurisdiction (see RULES.md for the kinds)."""

    id: str
    safeguard: str
    kind: str
    trigger: tuple
    applies_to: str
    severity: str
    citation: str
    confidence: str
    satisfied_by: tuple = ()
    within_hours: float | None = None
    grace_hours: float = 1.0
    extended_by: tuple = ()
    max_hours: float | None = None
    retrigger: bool = False
    every_hours: float | None = None
    violated_when: tuple = ()
    limit_by: tuple | None = None  # (fact, ((value, hours), ...))
    calendar: str | None = None
    release_satisfies: bool = False
    title: str = ""
    note: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class RuleSet:
    """A jurisdiction's rules."""

    code: str
    name: str
    country: str
    rules: tuple
    source: str = ""


def _fail(path, rule_id, message):
    raise RuleFileError(f"{path}: rule {rule_id or '?'}: {message}")


def _matches(path, rule_id, entries, what):
    """Parse `satisfied_by` / `violated_when`-style entries into Match objects."""
    out = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"type": entry}
        if not isinstance(entry, dict) or entry.get("type") not in EVENT_TYPES:
            _fail(path, rule_id, f"{what}: unknown event type in {entry!r}")
        details = entry.get("details", {})
        if set(entry) - {"type", "details"} or not isinstance(details, dict):
            _fail(path, rule_id, f"{what}: entries take only 'type' and 'details'")
        out.append(Match(entry["type"], tuple(sorted(details.items()))))
    return tuple(out)


def _rule(path, code, raw):
    """Validate one [[rules]] table and build the Rule."""
    rule_id = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(raw, dict):
        _fail(path, None, "each rule must be a table")
    unknown = set(raw) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        _fail(path, rule_id, f"unknown keys {sorted(unknown)}")
    for key, kind in REQUIRED.items():
        if not isinstance(raw.get(key), kind) or raw.get(key) in ("", []):
            _fail(path, rule_id, f"'{key}' is required ({kind.__name__})")
    for key, kind in OPTIONAL.items():
        if key in raw and (not isinstance(raw[key], kind) or isinstance(raw[key], bool) != (kind is bool)):
            _fail(path, rule_id, f"'{key}' has the wrong type")
    if not rule_id.startswith(code + "."):
        _fail(path, rule_id, f"ids must start with '{code}.'")
    checks = [("safeguard", SAFEGUARDS), ("kind", KINDS), ("applies_to", APPLIES),
              ("severity", SEVERITIES)]
    for key, allowed in checks:
        if raw[key] not in allowed:
            _fail(path, rule_id, f"'{key}' must be one of {allowed}")
    if raw["confidence"] not in CONFIDENCES:
        _fail(path, rule_id, "'confidence' must be H, M, L, H/M or M/L")
    for key in ("trigger", "extended_by"):
        bad = [t for t in raw.get(key, []) if t not in EVENT_TYPES]
        if bad:
            _fail(path, rule_id, f"'{key}' has unknown event types {bad}")
    kind = raw["kind"]
    if kind in ("deadline", "recurring") and ("within_hours" not in raw and "limit_by" not in raw
                                              or not raw.get("satisfied_by")):
        _fail(path, rule_id, f"a {kind} rule needs 'satisfied_by' and 'within_hours' or 'limit_by'")
    if kind == "recurring" and "every_hours" not in raw:
        _fail(path, rule_id, "a recurring rule needs 'every_hours'")
    if kind == "condition" and not raw.get("violated_when"):
        _fail(path, rule_id, "a condition rule needs 'violated_when'")
    if raw.get("calendar") not in (None, "court_days"):
        _fail(path, rule_id, "'calendar' may only be 'court_days'")
    limit_by = None
    if "limit_by" in raw:
        spec = raw["limit_by"]
        if set(spec) != {"fact", "hours"} or not isinstance(spec["hours"], dict) or not spec["hours"]:
            _fail(path, rule_id, "'limit_by' needs 'fact' and an 'hours' table")
        limit_by = (spec["fact"], tuple(sorted((str(k), float(v)) for k, v in spec["hours"].items())))
    return Rule(
        id=rule_id, safeguard=raw["safeguard"], kind=kind, trigger=tuple(raw["trigger"]),
        applies_to=raw["applies_to"], severity=raw["severity"], citation=raw["citation"],
        confidence=raw["confidence"], satisfied_by=_matches(path, rule_id, raw.get("satisfied_by", []), "satisfied_by"),
        within_hours=raw.get("within_hours"), grace_hours=float(raw.get("grace_hours", 1.0)),
        extended_by=tuple(raw.get("extended_by", [])), max_hours=raw.get("max_hours"),
        retrigger=raw.get("retrigger", False), every_hours=raw.get("every_hours"),
        violated_when=_matches(path, rule_id, raw.get("violated_when", []), "violated_when"),
        limit_by=limit_by, calendar=raw.get("calendar"),
        release_satisfies=raw.get("release_satisfies", False), title=raw.get("title", ""),
        note=raw.get("note", ""), raw=raw)


def load_file(path):
    """Load and validate one rule file."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleFileError(f"{path}: cannot be read: {exc}") from exc
    code = data.get("code")
    if not isinstance(code, str) or not code or set(data) - {"code", "name", "country", "rules"}:
        _fail(path, None, "top level needs 'code', 'name', 'country', 'rules' and nothing else")
    rules = tuple(_rule(path, code, raw) for raw in data.get("rules", []))
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        _fail(path, duplicates[0], "duplicate id")
    return RuleSet(code=code, name=data.get("name", code), country=data.get("country", ""),
                   rules=rules, source=str(path))


def load_rule_sets(dirs):
    """Every *.toml in `dirs`, in order; a later directory may add a code or replace one."""
    sets = {}
    for directory in dirs:
        for path in sorted(Path(directory).glob("*.toml")):
            rule_set = load_file(path)
            sets[rule_set.code] = rule_set
    if "intl" not in sets:
        raise RuleFileError("no 'intl' rule set found: the international standards must load")
    return sets


def rule_to_dict(rule):
    """A rule in the API's shape (kind-specific keys included)."""
    out = {"id": rule.id, "safeguard": rule.safeguard, "kind": rule.kind, "title": rule.title,
           "trigger": list(rule.trigger),
           "satisfied_by": [m.type if not m.details else {"type": m.type, "details": dict(m.details)}
                            for m in rule.satisfied_by],
           "within_hours": rule.within_hours, "applies_to": rule.applies_to,
           "severity": rule.severity, "citation": rule.citation, "confidence": rule.confidence}
    if rule.within_hours == 0:
        out["grace_hours"] = rule.grace_hours
    for key in ("extended_by", "max_hours", "every_hours", "calendar", "note"):
        value = getattr(rule, key)
        if value:
            out[key] = list(value) if isinstance(value, tuple) else value
    if rule.retrigger:
        out["retrigger"] = True
    if rule.release_satisfies:
        out["release_satisfies"] = True
    if rule.violated_when:
        out["violated_when"] = [{"type": m.type, "details": dict(m.details)} for m in rule.violated_when]
    if rule.limit_by:
        out["limit_by"] = {"fact": rule.limit_by[0], "hours": dict(rule.limit_by[1])}
    return out
