"""Rule sets: loading and strict validation of the TOML files in monitor/rules/ (and RULES_DIR).

A broken file stops the application with a message naming the file and the rule.
"""
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

from monitor.domain.matching import Matchers
from monitor.domain.vocabulary import (
    CONFIDENCES,
    EVENT_TYPES,
    FACILITY_KINDS,
    RULE_APPLIES,
    RULE_BASES,
    RULE_CALENDARS,
    RULE_KINDS,
    RULE_TRACKS,
    SAFEGUARDS,
    SEVERITIES,
)

KINDS = RULE_KINDS
APPLIES = RULE_APPLIES
REQUIRED: dict[str, type] = {
    "id": str, "safeguard": str, "kind": str, "trigger": list, "applies_to": str,
    "severity": str, "citation": str, "confidence": str}
OPTIONAL: dict[str, type | tuple[type, ...]] = {
            "satisfied_by": list, "within_hours": (int, float), "grace_hours": (int, float),
            "extended_by": list, "max_hours": (int, float), "retrigger": bool,
            "every_hours": (int, float), "violated_when": list, "limit_by": dict,
            "calendar": str, "release_satisfies": bool, "title": str, "note": str,
            "start": dict, "basis": str, "track": str, "when_preceded_by": list,
            "within_days": int, "extension_hours": (int, float), "except_when": str,
            "violated_on": str, "max_from": dict}


class RuleFileError(ValueError):
    """A rule file does not validate; the message names the file and the rule."""


@dataclass(frozen=True)
class Match:
    """An event type, optionally with required detail values."""

    type: str
    details: tuple[tuple[str, Any], ...] = ()

    def matches(self, event: Any) -> bool:
        """True if `event` has this type and these detail values."""
        return event.type == self.type and all(event.details.get(k) == v for k, v in self.details)


@dataclass(frozen=True)
class Start:
    """A clock that starts at the first `event` after the trigger rather than at the trigger.

    The event counts only at a facility of the rule set's country (and of `facility_kinds`
    when given); the clock starts at trigger + `cap_hours` if that is earlier, and at the
    trigger itself when the event is not recorded (the strict reading). PACE s.41(2): the
    relevant time is the arrival at the station, or arrest + 24 h if earlier."""

    event: str
    cap_hours: float | None = None
    facility_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One safeguard rule of one jurisdiction (see RULES.md for the kinds)."""

    id: str
    safeguard: str
    kind: str
    trigger: tuple[Match, ...]
    applies_to: str
    severity: str
    citation: str
    confidence: str
    satisfied_by: tuple[Match, ...] = ()
    within_hours: float | None = None
    grace_hours: float = 1.0
    extended_by: tuple[Match, ...] = ()
    max_hours: float | None = None
    retrigger: bool = False
    every_hours: float | None = None
    violated_when: tuple[Match, ...] = ()
    limit_by: tuple[str, tuple[tuple[str, float], ...]] | None = None  # (fact, ((value, hours), ...))
    calendar: str | None = None
    release_satisfies: bool = False
    title: str = ""
    note: str = ""
    start: Start | None = None
    basis: str = "law"
    track: str = "custody"
    when_preceded_by: tuple[Match, ...] = ()
    within_days: int | None = None
    extension_hours: float | None = None  # an extension event's hours when its details give none
    except_when: str | None = None  # a boolean fact that, when true, takes the case out of the rule
    violated_on: str | None = None  # a condition on the trigger's day: "non_working_day"
    max_from: Start | None = None  # `max_hours` counted from the arrest's relevant time
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def matchers(self) -> Matchers:
        """Its patterns as predicates, built on first use (not a field: no part of equality)."""
        return Matchers.of(self)


@dataclass(frozen=True)
class RuleSet:
    """A jurisdiction's rules."""

    code: str
    name: str
    country: str
    rules: tuple[Rule, ...]
    source: str = ""


def _fail(path: object, rule_id: str | None, message: str) -> NoReturn:
    """Stop loading with a message naming the file and the rule."""
    raise RuleFileError(f"{path}: rule {rule_id or '?'}: {message}")


def _matches(path: object, rule_id: str, entries: Sequence[Any], what: str) -> tuple[Match, ...]:
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


def _rule(path: object, code: str, raw: Any) -> Rule:
    """Validate one [[rules]] table and build the Rule."""
    if not isinstance(raw, dict):
        _fail(path, None, "each rule must be a table")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        _fail(path, None, "'id' is required (str)")
    unknown = set(raw) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        _fail(path, rule_id, f"unknown keys {sorted(unknown)}")
    for key, required_type in REQUIRED.items():
        if not isinstance(raw.get(key), required_type) or raw.get(key) in ("", []):
            _fail(path, rule_id, f"'{key}' is required ({required_type.__name__})")
    for key, allowed_type in OPTIONAL.items():
        if key in raw and (not isinstance(raw[key], allowed_type)
                           or isinstance(raw[key], bool) != (allowed_type is bool)):
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
        bad = [t for t in raw.get(key, []) if not isinstance(t, dict) and t not in EVENT_TYPES]
        if bad:
            _fail(path, rule_id, f"'{key}' has unknown event types {bad}")
    kind = raw["kind"]
    if kind in ("deadline", "recurring") and (
            not {"within_hours", "limit_by", "within_days"} & set(raw) or not raw.get("satisfied_by")):
        _fail(path, rule_id, f"a {kind} rule needs 'satisfied_by' and 'within_hours', "
                             "'within_days' or 'limit_by'")
    if kind == "recurring" and "every_hours" not in raw:
        _fail(path, rule_id, "a recurring rule needs 'every_hours'")
    if kind == "condition" and not raw.get("violated_when") and not raw.get("violated_on"):
        _fail(path, rule_id, "a condition rule needs 'violated_when' or 'violated_on'")
    if raw.get("violated_on") not in (None, "non_working_day") or (
            "violated_on" in raw and kind != "condition"):
        _fail(path, rule_id, "'violated_on' may only be 'non_working_day', on a condition rule")
    if raw.get("calendar") not in (None, *RULE_CALENDARS):
        _fail(path, rule_id, f"'calendar' may only be one of {RULE_CALENDARS}")
    if ("within_days" in raw) != (raw.get("calendar") == "working_days") or raw.get("within_days", 1) < 1:
        _fail(path, rule_id, "'within_days' (a positive count) goes with calendar 'working_days'")
    for key, allowed in (("basis", RULE_BASES), ("track", RULE_TRACKS)):
        if key in raw and raw[key] not in allowed:
            _fail(path, rule_id, f"'{key}' must be one of {allowed}")
    limit_by = None
    if "limit_by" in raw:
        spec = raw["limit_by"]
        if set(spec) != {"fact", "hours"} or not isinstance(spec["hours"], dict) or not spec["hours"]:
            _fail(path, rule_id, "'limit_by' needs 'fact' and an 'hours' table")
        limit_by = (spec["fact"], tuple(sorted((str(k), float(v)) for k, v in spec["hours"].items())))
    return Rule(
        start=_start(path, rule_id, raw.get("start")), max_from=_start(path, rule_id, raw.get("max_from")),
        basis=raw.get("basis", "law"),
        track=raw.get("track", "custody"),
        when_preceded_by=_matches(path, rule_id, raw.get("when_preceded_by", []), "when_preceded_by"),
        within_days=raw.get("within_days"),
        id=rule_id, safeguard=raw["safeguard"], kind=kind, trigger=_matches(path, rule_id, raw["trigger"], "trigger"),
        applies_to=raw["applies_to"], severity=raw["severity"], citation=raw["citation"],
        confidence=raw["confidence"], satisfied_by=_matches(path, rule_id, raw.get("satisfied_by", []), "satisfied_by"),
        within_hours=raw.get("within_hours"), grace_hours=float(raw.get("grace_hours", 1.0)),
        extended_by=_matches(path, rule_id, raw.get("extended_by", []), "extended_by"),
        extension_hours=raw.get("extension_hours"), except_when=raw.get("except_when"),
        violated_on=raw.get("violated_on"), max_hours=raw.get("max_hours"),
        retrigger=raw.get("retrigger", False), every_hours=raw.get("every_hours"),
        violated_when=_matches(path, rule_id, raw.get("violated_when", []), "violated_when"),
        limit_by=limit_by, calendar=raw.get("calendar"),
        release_satisfies=raw.get("release_satisfies", False), title=raw.get("title", ""),
        note=raw.get("note", ""), raw=raw)


def _start(path: object, rule_id: str, spec: object) -> Start | None:
    """Validate a rule's `start` table (see Start)."""
    if spec is None:
        return None
    if not isinstance(spec, dict) or spec.get("event") not in EVENT_TYPES or set(spec) - {
            "event", "cap_hours", "facility_kinds"}:
        _fail(path, rule_id, "'start' needs a known 'event' and takes only 'cap_hours' and 'facility_kinds'")
    cap = spec.get("cap_hours")
    kinds = spec.get("facility_kinds", [])
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, (int, float)) or cap < 0):
        _fail(path, rule_id, "'start.cap_hours' must be a non-negative number")
    if not isinstance(kinds, list) or any(k not in FACILITY_KINDS for k in kinds):
        _fail(path, rule_id, f"'start.facility_kinds' must list kinds of {FACILITY_KINDS}")
    return Start(event=spec["event"], cap_hours=None if cap is None else float(cap),
                 facility_kinds=tuple(kinds))


def _entry(match: Match) -> object:
    """A Match in the API's shape: the bare type, or the type with its details."""
    return match.type if not match.details else {"type": match.type, "details": dict(match.details)}


def load_file(path: str | Path) -> RuleSet:
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


def load_rule_sets(dirs: Sequence[str | Path]) -> dict[str, RuleSet]:
    """Every *.toml in `dirs`, in order; a later directory may add a code or replace one."""
    sets: dict[str, RuleSet] = {}
    for directory in dirs:
        for path in sorted(Path(directory).glob("*.toml")):
            rule_set = load_file(path)
            sets[rule_set.code] = rule_set
    if "intl" not in sets:
        raise RuleFileError("no 'intl' rule set found: the international standards must load")
    return sets


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """A rule in the API's shape (kind-specific keys included)."""
    out: dict[str, Any] = {"id": rule.id, "safeguard": rule.safeguard, "kind": rule.kind, "title": rule.title,
           "trigger": [_entry(m) for m in rule.trigger],
           "satisfied_by": [_entry(m) for m in rule.satisfied_by],
           "within_hours": rule.within_hours, "applies_to": rule.applies_to,
           "severity": rule.severity, "citation": rule.citation, "confidence": rule.confidence,
           "basis": rule.basis, "track": rule.track}
    if rule.within_hours == 0:
        out["grace_hours"] = rule.grace_hours
    if rule.extended_by:
        out["extended_by"] = [_entry(m) for m in rule.extended_by]
    for key in ("max_hours", "every_hours", "calendar", "note", "within_days", "extension_hours",
                "except_when", "violated_on"):
        value = getattr(rule, key)
        if value:
            out[key] = list(value) if isinstance(value, tuple) else value
    if rule.retrigger:
        out["retrigger"] = True
    if rule.release_satisfies:
        out["release_satisfies"] = True
    if rule.violated_when:
        out["violated_when"] = [{"type": m.type, "details": dict(m.details)} for m in rule.violated_when]
    if rule.when_preceded_by:
        out["when_preceded_by"] = [_entry(m) for m in rule.when_preceded_by]
    for key in ("start", "max_from"):
        spec = getattr(rule, key)
        if spec is not None:
            out[key] = {"event": spec.event, "cap_hours": spec.cap_hours,
                        "facility_kinds": list(spec.facility_kinds)}
    if rule.limit_by:
        out["limit_by"] = {"fact": rule.limit_by[0], "hours": dict(rule.limit_by[1])}
    return out
