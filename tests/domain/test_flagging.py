"""Pure flag planning: raise, resolve, reopen, redate; dismissed stays dismissed."""
from dataclasses import dataclass
from datetime import datetime, timezone

from monitor.domain.flagging import plan_flag_changes

T = datetime(2026, 1, 1, tzinfo=timezone.utc)
T2 = datetime(2026, 1, 2, tzinfo=timezone.utc)


@dataclass
class R:
    rule: str
    status: str
    due_at: datetime = T


def actions(results, existing, custody="in_custody"):
    return [(c.action, c.rule, c.resolution) for c in plan_flag_changes(results, existing, custody)]


def test_breach_raises_once():
    assert actions([R("a", "overdue"), R("b", "pending"), R("c", "violated")], {}) == [
        ("raise", "a", None), ("raise", "c", None)]
    assert actions([R("a", "overdue")], {"a": ("open", None, T)}) == []


def test_met_late_resolves():
    assert actions([R("a", "met_late")], {"a": ("acknowledged", None, T)}) == [("resolve", "a", "met_late")]


def test_release_resolves_and_late_breach_is_raised_resolved():
    assert actions([R("a", "violated"), R("b", "violated")], {"a": ("open", None, T)}, "released") == [
        ("resolve", "a", "released"), ("raise", "b", "released")]


def test_dismissed_is_never_touched():
    assert actions([R("a", "overdue", T2)], {"a": ("resolved", "dismissed", T)}) == []


def test_recurring_breach_reopens_a_met_late_flag():
    assert actions([R("a", "overdue", T2)], {"a": ("resolved", "met_late", T)}) == [("reopen", "a", None)]


def test_new_due_time_redates_an_open_flag():
    assert actions([R("a", "overdue", T2)], {"a": ("open", None, T)}) == [("redate", "a", None)]


def test_open_flag_of_a_rule_no_longer_evaluated_resolves_on_release():
    assert actions([], {"gone": ("open", None, T)}, "released") == [("resolve", "gone", "released")]


def test_death_in_custody_keeps_flags_open():
    assert actions([R("a", "violated")], {"a": ("open", None, T)}, "died") == []


def test_a_flag_shown_false_by_events_recorded_later_is_cleared():
    # a lawyer's visit in time, recorded after the flag was raised: no breach after all
    assert actions([R("a", "met"), R("b", "pending"), R("c", "not_applicable")], {
        "a": ("open", None, T), "b": ("acknowledged", None, T), "c": ("open", None, T)}) == [
        ("resolve", "a", "cleared"), ("resolve", "b", "cleared"), ("resolve", "c", "cleared")]
    # and it opens again if the safeguard is breached after all (an extension ran out)
    assert actions([R("b", "overdue", T2)], {"b": ("resolved", "cleared", T)}) == [("reopen", "b", None)]
