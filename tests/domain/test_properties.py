"""Invariants of the evaluator, checked on generated custody histories (hypothesis)."""
import random
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.domain.evaluator import Case, Event, evaluate, next_change_at
from monitor.domain.rules import load_rule_sets
from tests.domain.conftest import RULES

SETS = load_rule_sets([RULES])
RANK = {"met": 0, "met_late": 1, "pending": 2, "overdue": 3, "violated": 4}
KINDS = {
    "rights_notified": st.just({}), "lawyer_requested": st.just({}),
    "lawyer_access": st.just({}), "family_notified": st.just({}), "registry_entry": st.just({}),
    "social_welfare_notified": st.just({}), "detention_review": st.just({}),
    "judicial_appearance": st.just({"outcome": "remanded"}),
    "interrogation": st.fixed_dictionaries({"lawyer_present": st.booleans()}),
    "confession": st.fixed_dictionaries({"lawyer_present": st.booleans()}),
    "medical_exam": st.fixed_dictionaries({"examiner": st.sampled_from(["independent", "facility"])}),
    "ill_treatment_alleged": st.just({}),
    "transfer": st.just({"to_facility_id": "f"}),
    "detention_extended": st.fixed_dictionaries({"extended_by_hours": st.integers(1, 48)}),
    "release": st.just({}),
}
# Arrests around the 2026 DST changes in Europe (29 March, 25 October).
arrests = st.sampled_from([datetime(2026, 3, 28, tzinfo=timezone.utc), datetime(2026, 10, 24, tzinfo=timezone.utc)]) \
    .flatmap(lambda base: st.integers(0, 72).map(lambda hh: base + timedelta(hours=hh)))


@st.composite
def histories(draw):
    """(arrest time, events, facts): a plausible custody record."""
    arrested = draw(arrests)
    events = [Event("arrest", arrested, {}, "0")]
    for i in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(sorted(KINDS)))
        at = arrested + timedelta(minutes=15 * draw(st.integers(0, 400)))
        events.append(Event(kind, at, draw(KINDS[kind]), f"e{i}"))
    release = [e for e in events if e.type == "release"]
    if release:  # nothing after the end of custody, as the API guarantees
        end = min(e.occurred_at for e in release)
        events = [e for e in events if e.occurred_at <= end and (e.type != "release" or e.occurred_at == end)]
    facts = {"offence_gravity": draw(st.sampled_from([None, "light", "correctional", "afflictive"])),
             "court_within_40km": draw(st.sampled_from([None, True, False])),
             "organised_crime": draw(st.sampled_from([None, True, False]))}
    return arrested, tuple(events), facts


codes = st.sampled_from(sorted(c for c in SETS if c != "intl"))
nows = st.integers(0, 150).map(lambda hh: timedelta(hours=hh))


def earliest_due(results, safeguard):
    dues = [r.due_at for r in results if r.safeguard == safeguard and r.due_at is not None
            and r.status != "not_applicable"]
    return min(dues, default=None)


@settings(max_examples=150, deadline=None)
@given(histories(), codes, nows)
def test_a_juvenile_never_waits_longer_than_an_adult(history, code, offset):
    arrested, events, facts = history
    # With transfers a restarting rule reports its worst occurrence, which may be a different
    # one for each age group; the per-transfer limits are checked in test_evaluator.
    events = tuple(e for e in events if e.type != "transfer")
    sets = [SETS[code], SETS["intl"]]
    now = arrested + offset
    adult = evaluate(Case(arrested, False, events, "Africa/Nairobi", facts), sets, now)
    child = evaluate(Case(arrested, True, events, "Africa/Nairobi", facts), sets, now)
    for safeguard in {r.safeguard for r in adult}:
        a, c = earliest_due(adult, safeguard), earliest_due(child, safeguard)
        if a is not None and c is not None:
            assert c <= a, safeguard


@settings(max_examples=150, deadline=None)
@given(histories(), codes, nows)
def test_due_times_do_not_move_with_daylight_saving(history, code, offset):
    arrested, events, facts = history
    code = "mx" if code == "ke" else code  # Kenya's court-day calendar is local time by law
    sets = [SETS[code], SETS["intl"]]
    now = arrested + offset
    in_utc = evaluate(Case(arrested, False, events, "UTC", facts), sets, now)
    in_london = evaluate(Case(arrested, False, events, "Europe/London", facts), sets, now)
    assert [(r.rule, r.status, r.due_at) for r in in_utc] == [(r.rule, r.status, r.due_at) for r in in_london]
    for r in in_utc:
        if r.due_at is not None:
            assert (r.due_at - arrested).total_seconds() % 900 == 0  # whole quarter hours, never ±1 h drift


@settings(max_examples=200, deadline=None)
@given(histories(), codes, nows, st.data())
def test_adding_a_satisfying_event_never_makes_a_status_worse(history, code, offset, data):
    arrested, events, facts = history
    if any(e.type == "release" for e in events):
        return  # nothing may be added after the end of custody
    sets = [SETS[code], SETS["intl"]]
    now = arrested + offset
    kind = data.draw(st.sampled_from(["lawyer_access", "family_notified", "judicial_appearance",
                                      "detention_review", "social_welfare_notified", "rights_notified"]))
    at = arrested + timedelta(minutes=15 * data.draw(st.integers(0, offset.total_seconds() // 900)))
    before = evaluate(Case(arrested, False, events, "UTC", facts), sets, now)
    more = events + (Event(kind, at, {"outcome": "remanded"} if kind == "judicial_appearance" else {}, "zz"),)
    after = evaluate(Case(arrested, False, more, "UTC", facts), sets, now)
    for b, a in zip(before, after):
        if b.status in RANK and a.status in RANK:
            assert RANK[a.status] <= RANK[b.status], (b.rule, b.status, a.status)


@settings(max_examples=150, deadline=None)
@given(histories(), codes, nows, st.integers(0, 2 ** 32))
def test_evaluation_does_not_depend_on_insertion_order(history, code, offset, seed):
    arrested, events, facts = history
    sets = [SETS[code], SETS["intl"]]
    shuffled = list(events)
    random.Random(seed).shuffle(shuffled)
    now = arrested + offset
    assert evaluate(Case(arrested, False, events, "UTC", facts), sets, now) == \
        evaluate(Case(arrested, False, tuple(shuffled), "UTC", facts), sets, now)


@settings(max_examples=150, deadline=None)
@given(histories(), codes, nows)
def test_next_change_is_not_in_the_past_and_really_changes_something(history, code, offset):
    arrested, events, facts = history
    sets = [SETS[code], SETS["intl"]]
    now = arrested + offset
    the_case = Case(arrested, False, events, "UTC", facts)
    wake = next_change_at(the_case, sets, now)
    if wake is None:
        return
    assert wake >= now  # the instant after which something changes
    before = evaluate(the_case, sets, wake)
    after = evaluate(the_case, sets, wake + timedelta(seconds=1))
    assert [(r.status, r.due_at) for r in before] != [(r.status, r.due_at) for r in after]
