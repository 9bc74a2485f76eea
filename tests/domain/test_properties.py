"""Invariants of the evaluator, checked on generated custody histories (hypothesis)."""
import random
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.domain import evaluator
from monitor.domain.evaluator import SEVERITY_ORDER, Case, Event, evaluate, evaluate_with_next_change
from monitor.domain.rules import load_rule_sets
from monitor.domain.timeline import Timeline
from monitor.domain.vocabulary import (
    AFTER_RELEASE_EVENT_TYPES,
    CASE_OUTCOMES,
    COMPLAINT_BY,
    COMPLAINT_TO,
    FORENSIC_CONSISTENCY,
    FORENSIC_EXAMINERS,
)
from tests.helpers import RULES

SETS = load_rule_sets([RULES])
# Worse is higher, in the evaluator's own order: a rule restarted by a transfer reports its
# worst occurrence by SEVERITY_ORDER, where a safeguard given late (met_late) outweighs one not
# yet due (pending). Ranked the other way, a notice that turned the late occurrence into a met
# one read as "met_late became pending", though no occurrence got worse.
RANK = {status: len(SEVERITY_ORDER) - i for i, status in enumerate(SEVERITY_ORDER) if status != "not_applicable"}
KINDS = {
    "rights_notified": st.just({}), "lawyer_requested": st.just({}),
    "lawyer_access": st.just({}), "family_notified": st.just({}), "registry_entry": st.just({}),
    "social_welfare_notified": st.just({}), "detention_review": st.just({}),
    "judicial_appearance": st.fixed_dictionaries(
        {"outcome": st.sampled_from(["remanded", "released", "extended"])},
        optional={"ill_treatment_reported": st.booleans()}),
    "interrogation": st.fixed_dictionaries({"lawyer_present": st.booleans()}),
    "confession": st.fixed_dictionaries({"lawyer_present": st.booleans()},
                                        optional={"retracted": st.booleans()}),
    "medical_exam": st.fixed_dictionaries({"examiner": st.sampled_from(["independent", "facility"])}),
    "ill_treatment_alleged": st.just({}),
    "transfer": st.just({"to_facility_id": "f"}),
    "detention_extended": st.fixed_dictionaries({"extended_by_hours": st.integers(1, 48)}),
    "release": st.just({}),
    "arrival": st.fixed_dictionaries({"facility_id": st.sampled_from(["s", "p", "abroad"])}),
    "charge": st.just({}), "charge_filed": st.just({}),
    # After custody (issue 15): also drawn after release, and much later.
    "complaint_filed": st.fixed_dictionaries({"by": st.sampled_from(COMPLAINT_BY),
                                              "to": st.sampled_from(COMPLAINT_TO)}),
    "investigation_opened": st.fixed_dictionaries({"independent": st.booleans()}),
    "forensic_report": st.fixed_dictionaries({"examiner": st.sampled_from(FORENSIC_EXAMINERS),
                                              "consistency": st.sampled_from(FORENSIC_CONSISTENCY)}),
    "prosecution_opened": st.just({}),
    "evidence_ruling": st.fixed_dictionaries({"confession_admitted": st.booleans()}),
    "case_closed": st.fixed_dictionaries({"outcome": st.sampled_from(CASE_OUTCOMES)}),
}
AFTER_CUSTODY = ("complaint_filed", "investigation_opened", "forensic_report", "prosecution_opened",
                 "evidence_ruling", "case_closed")
# Facilities the arrivals name: a station of each country (the rule set's own among them),
# a prison, and a station abroad.
PLACES = {"s": ("GB", "police_station"), "p": ("GB", "prison"), "abroad": ("FR", "police_station")}
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
        reach = 4000 if kind in AFTER_CUSTODY else 400  # accountability events come much later
        at = arrested + timedelta(minutes=15 * draw(st.integers(0, reach)))
        events.append(Event(kind, at, draw(KINDS[kind]), f"e{i}"))
    release = [e for e in events if e.type == "release"]
    if release:  # only what the API accepts after the end of custody
        end = min(e.occurred_at for e in release)
        events = [e for e in events if (e.occurred_at <= end or e.type in AFTER_RELEASE_EVENT_TYPES)
                  and (e.type != "release" or e.occurred_at == end)]
    facts = {"offence_gravity": draw(st.sampled_from([None, "light", "correctional", "afflictive"])),
             "court_within_40km": draw(st.sampled_from([None, True, False])),
             "organised_crime": draw(st.sampled_from([None, True, False])),
             "capital_offence": draw(st.sampled_from([None, True, False]))}
    return arrested, tuple(events), facts


codes = st.sampled_from(sorted(c for c in SETS if c != "intl"))
nows = st.one_of(st.integers(0, 150), st.integers(150, 1200)).map(lambda hh: timedelta(hours=hh))
LOCAL_RULES = {r.id for rs in SETS.values() for r in rs.rules if r.calendar or r.violated_on}


def case_of(arrested, juvenile, events, tz, facts):
    """A Case with the generated facilities."""
    return Case(arrested, juvenile, events, tz, facts, PLACES)


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
    adult = evaluate(case_of(arrested, False, events, "Africa/Nairobi", facts), sets, now)
    child = evaluate(case_of(arrested, True, events, "Africa/Nairobi", facts), sets, now)
    for safeguard in {r.safeguard for r in adult}:
        a, c = earliest_due(adult, safeguard), earliest_due(child, safeguard)
        if a is not None and c is not None:
            assert c <= a, safeguard


@settings(max_examples=150, deadline=None)
@given(histories(), codes, nows)
def test_due_times_do_not_move_with_daylight_saving(history, code, offset):
    arrested, events, facts = history
    # Calendar rules (Kenya's court days, Cameroon's weekends, the Philippine working days)
    # are local time by law: left out here.
    sets = [SETS[code], SETS["intl"]]
    now = arrested + offset
    in_utc = [r for r in evaluate(case_of(arrested, False, events, "UTC", facts), sets, now)
              if r.rule not in LOCAL_RULES]
    in_london = [r for r in evaluate(case_of(arrested, False, events, "Europe/London", facts), sets, now)
                 if r.rule not in LOCAL_RULES]
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
    before = evaluate(case_of(arrested, False, events, "UTC", facts), sets, now)
    more = events + (Event(kind, at, {"outcome": "remanded"} if kind == "judicial_appearance" else {}, "zz"),)
    after = evaluate(case_of(arrested, False, more, "UTC", facts), sets, now)
    for b, a in zip(before, after, strict=False):
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
    assert evaluate(case_of(arrested, False, events, "UTC", facts), sets, now) == \
        evaluate(case_of(arrested, False, tuple(shuffled), "UTC", facts), sets, now)


@settings(max_examples=150, deadline=None)
@given(histories(), codes, nows)
def test_next_change_is_not_in_the_past_and_really_changes_something(history, code, offset):
    arrested, events, facts = history
    sets = [SETS[code], SETS["intl"]]
    now = arrested + offset
    the_case = case_of(arrested, False, events, "UTC", facts)
    wake = evaluate_with_next_change(the_case, sets, now)[1]
    if wake is None:
        return
    assert wake >= now  # the instant after which something changes
    before = evaluate(the_case, sets, wake)
    after = evaluate(the_case, sets, wake + timedelta(seconds=1))
    assert [(r.status, r.due_at) for r in before] != [(r.status, r.due_at) for r in after]


@settings(max_examples=150, deadline=None)
@given(histories(), codes, nows, st.data())
def test_events_after_release_never_change_the_custody_track(history, code, offset, data):
    arrested, events, facts = history
    release = [e for e in events if e.type == "release"]
    if not release:
        return
    end = release[0].occurred_at
    sets = [SETS[code], SETS["intl"]]
    later = [Event(kind, end + timedelta(minutes=15 * data.draw(st.integers(1, 4000))),
                   data.draw(KINDS[kind]), f"late{i}")
             for i, kind in enumerate(data.draw(st.lists(st.sampled_from(AFTER_RELEASE_EVENT_TYPES),
                                                         max_size=4)))]
    now = end + offset
    custody = lambda results: [r for r in results if r.track == "custody"]  # noqa: E731
    before = custody(evaluate(case_of(arrested, False, events, "UTC", facts), sets, now))
    after = custody(evaluate(case_of(arrested, False, events + tuple(later), "UTC", facts), sets, now))
    assert before == after


@settings(max_examples=150, deadline=None)
@given(histories(), codes, nows)
def test_an_open_accountability_track_is_never_violated_by_a_deadline(history, code, offset):
    """Before case_closed an accountability deadline is pending, met, met late or overdue."""
    arrested, events, facts = history
    if any(e.type == "case_closed" for e in events):
        return
    sets = [SETS[code], SETS["intl"]]
    results = evaluate(case_of(arrested, False, events, "UTC", facts), sets, arrested + offset)
    by_id = {r.id: r for rs in sets for r in rs.rules}
    for r in results:
        if r.track == "accountability" and by_id[r.rule].kind == "deadline":
            assert r.status in ("not_applicable", "pending", "met", "met_late", "overdue"), r


@settings(max_examples=200, deadline=None)
@given(histories(), codes, nows, st.booleans())
def test_rules_read_through_the_type_index_as_through_every_event(history, code, offset, juvenile):
    """The evaluator looks only at the events of the types a rule names (domain.timeline);
    with a timeline that passes over every event for every question, it must answer the same."""
    arrested, events, facts = history
    sets = [SETS[code], SETS["intl"]]
    the_case = case_of(arrested, juvenile, events, "UTC", facts)
    indexed = evaluate_with_next_change(the_case, sets, arrested + offset)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evaluator, "Timeline", _EveryEvent)
        plain = evaluate_with_next_change(the_case, sets, arrested + offset)
    assert indexed == plain


class _EveryEvent(Timeline):
    """A timeline without its index or its kept answers: a pass over every event each time."""

    def of_types(self, types):
        return [e for e in self if e.type in types]

    def until(self, moment):
        return _EveryEvent(e for e in self if e.occurred_at <= moment)
