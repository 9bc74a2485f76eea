"""Issue 15: after custody. Hand-worked cases of the accountability rules, to the minute.

The arrest is Monday 2 March 2026 09:00 UTC (tests.helpers.T0). The accountability
track (the complaint, the investigation, the trial) stays open after release until
`case_closed`; a confession admitted after it was retracted or alleged to be forced is a
violation at once."""
from datetime import datetime, timedelta, timezone

from monitor.domain.evaluator import Case, Event, evaluate, evaluate_with_next_change
from monitor.domain.rules import rule_to_dict
from tests.helpers import T0, case, h


def next_change_at(the_case, rule_sets, now):
    """The next change instant alone, as the sweep stores it."""
    return evaluate_with_next_change(the_case, rule_sets, now)[1]

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
INVESTIGATION = "intl.investigation_threshold_30d"
ALLEGED = ("ill_treatment_alleged", 5, {"methods": ["beating"]})
RELEASED = ("release", 10, {})


def result(sets, codes, the_case, rule, now):
    """The result of one rule."""
    return next(r for r in evaluate(the_case, [sets[c] for c in codes], now) if r.rule == rule)


def test_investigation_threshold_30_days_met_late(sets):
    due = T0 + h(5) + 30 * DAY  # Wednesday 1 April 2026 14:00 UTC
    pending = case([ALLEGED, RELEASED])
    r = result(sets, ["intl"], pending, INVESTIGATION, T0 + 10 * DAY)
    assert r.status == "pending" and r.due_at == due == datetime(2026, 4, 1, 14, 0, tzinfo=timezone.utc)
    assert r.basis == "threshold" and r.track == "accountability" and r.safeguard == "investigation"
    # after release the track stays open: overdue (not violated, not "custody ended")
    assert result(sets, ["intl"], pending, INVESTIGATION, due + MINUTE).status == "overdue"
    late = case([ALLEGED, RELEASED, ("investigation_opened", 5 + 31 * 24, {"independent": True})])
    r = result(sets, ["intl"], late, INVESTIGATION, due + 2 * DAY)
    assert r.status == "met_late" and r.met_at == due + DAY
    on_time = case([ALLEGED, RELEASED, ("investigation_opened", 5 + 30 * 24, {"independent": False})])
    assert result(sets, ["intl"], on_time, INVESTIGATION, due + DAY).status == "met"


def test_an_allegation_at_a_hearing_after_release_opens_the_track(sets):
    hearing = ("judicial_appearance", 100, {"outcome": "released", "ill_treatment_reported": True})
    the_case = case([RELEASED, hearing])
    assert result(sets, ["intl"], case([RELEASED]), INVESTIGATION, T0 + h(100)).status == "not_applicable"
    r = result(sets, ["intl"], the_case, INVESTIGATION, T0 + h(101))
    assert r.status == "pending" and r.due_at == T0 + h(100 + 720)
    # the sweep's wake-up: a released detainee is still due for evaluation
    assert next_change_at(the_case, [sets["intl"]], T0 + h(101)) == T0 + h(820)
    assert result(sets, ["intl"], the_case, INVESTIGATION, T0 + h(820) + MINUTE).status == "overdue"
    # a hearing without a report opens nothing
    quiet = case([RELEASED, ("judicial_appearance", 100, {"ill_treatment_reported": False})])
    assert result(sets, ["intl"], quiet, INVESTIGATION, T0 + h(900)).status == "not_applicable"


def test_a_closed_case_ends_the_track(sets):
    closed = ("case_closed", 24 * 40, {"outcome": "no_charges"})
    the_case = case([ALLEGED, RELEASED, closed])
    r = result(sets, ["intl"], the_case, INVESTIGATION, T0 + 50 * DAY)
    assert r.status == "violated" and r.due_at == T0 + h(5) + 30 * DAY
    assert next_change_at(the_case, [sets["intl"]], T0 + 50 * DAY) is None
    # closed within the threshold without any investigation: the impunity the rule watches
    early = case([ALLEGED, RELEASED, ("case_closed", 24 * 10, {"outcome": "dismissed"})])
    r = result(sets, ["intl"], early, INVESTIGATION, T0 + 11 * DAY)
    assert r.status == "violated" and "the case closed without it" in r.explanation
    assert next_change_at(early, [sets["intl"]], T0 + 11 * DAY) is None
    # investigated, then closed: met, and nothing more to wait for
    done = case([ALLEGED, RELEASED, ("investigation_opened", 24 * 3, {"independent": True}), closed])
    assert result(sets, ["intl"], done, INVESTIGATION, T0 + 50 * DAY).status == "met"


ADMITTED = ("evidence_ruling", 24 * 60, {"confession_admitted": True})
CONFESSION = ("confession", 3, {"lawyer_present": True})


def test_a_confession_admitted_after_an_allegation_is_a_violation_at_once(sets):
    the_case = case([CONFESSION, ("ill_treatment_alleged", 20, {}), RELEASED, ADMITTED])
    at = T0 + 60 * DAY
    for code in ("intl", "mx", "ng", "ke", "ph"):
        r = result(sets, [code], the_case, f"{code}.confession_excluded", at)
        assert r.status == "violated" and r.due_at == at, code
        assert r.safeguard == "confession_exclusion" and r.track == "accountability"
        assert "after ill_treatment_alleged at 2026-03-03 05:00 UTC" in r.explanation
    assert result(sets, ["intl"], the_case, "intl.confession_excluded", at).severity == "medium"
    assert result(sets, ["ke"], the_case, "ke.confession_excluded", at).severity == "high"


def test_retracted_or_reported_confessions_taint_excluded_ones_do_not(sets):
    at = T0 + 60 * DAY
    retracted = case([("confession", 3, {"lawyer_present": True, "retracted": True}), RELEASED, ADMITTED])
    assert result(sets, ["intl"], retracted, "intl.confession_excluded", at).status == "violated"
    reported = case([CONFESSION, RELEASED, ("judicial_appearance", 24 * 59, {"ill_treatment_reported": True}),
                     ADMITTED])
    assert result(sets, ["ng"], reported, "ng.confession_excluded", at).status == "violated"
    excluded = case([("confession", 3, {"lawyer_present": True, "retracted": True}), RELEASED,
                     ("evidence_ruling", 24 * 60, {"confession_admitted": False})])
    assert result(sets, ["intl"], excluded, "intl.confession_excluded", at).status == "met"
    clean = case([CONFESSION, RELEASED, ADMITTED])
    assert result(sets, ["intl"], clean, "intl.confession_excluded", at).status == "met"
    # an allegation made only after the ruling does not make that ruling a violation
    after = case([CONFESSION, RELEASED, ADMITTED, ("ill_treatment_alleged", 24 * 61, {})])
    assert result(sets, ["intl"], after, "intl.confession_excluded", at + 2 * DAY).status == "met"
    assert result(sets, ["intl"], case([CONFESSION]), "intl.confession_excluded", at).status == "not_applicable"


def test_mx_and_ph_also_exclude_a_confession_made_without_counsel(sets):
    the_case = case([("confession", 3, {"lawyer_present": False}), RELEASED, ADMITTED])
    at = T0 + 60 * DAY
    assert result(sets, ["mx"], the_case, "mx.confession_excluded", at).status == "violated"
    assert result(sets, ["ph"], the_case, "ph.confession_excluded", at).status == "violated"
    assert result(sets, ["intl"], the_case, "intl.confession_excluded", at).status == "met"
    assert result(sets, ["ke"], the_case, "ke.confession_excluded", at).status == "met"


def manila_case(events):
    """A PH detention in Manila with (type, absolute UTC time, details) events."""
    made = [Event("arrest", T0, {}, "0")]
    made += [Event(kind, at, details, str(i + 1)) for i, (kind, at, details) in enumerate(events)]
    return Case(arrested_at=T0, juvenile=False, events=tuple(made), timezone="Asia/Manila")


def test_ph_sixty_working_days_across_holidays(sets):
    # Complaint Monday 2 March 2026 09:00 Manila. Counting from Tuesday 3 March, Monday to
    # Friday, without Eid al-Fitr (20 Mar), Maundy Thursday and Good Friday (2-3 Apr), the
    # Day of Valor (9 Apr), Labor Day (1 May) and Eid al-Adha (27 May): March 20, April 19,
    # May 19 working days, 1 and 2 June the 59th and 60th. Due at the end of Tuesday 2 June,
    # midnight Manila = 2 June 16:00 UTC. (Without the holidays: Monday 25 May.)
    complaint = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
    due = datetime(2026, 6, 2, 16, 0, tzinfo=timezone.utc)
    filed = ("complaint_filed", complaint, {"by": "lawyer", "to": "prosecutor"})
    release = ("release", T0 + h(10), {})
    rule = "ph.investigation_60_working_days"
    r = result(sets, ["ph"], manila_case([release, filed]), rule, complaint + DAY)
    assert r.status == "pending" and r.due_at == due and r.safeguard == "investigation"
    assert result(sets, ["ph"], manila_case([release, filed]), rule, due + MINUTE).status == "overdue"
    met = manila_case([release, filed, ("prosecution_opened", due - MINUTE, {})])
    assert result(sets, ["ph"], met, rule, due + DAY).status == "met"
    late = manila_case([release, filed, ("case_closed", due + MINUTE, {"outcome": "dismissed"})])
    r = result(sets, ["ph"], late, rule, due + DAY)
    assert r.status == "met_late" and r.met_at == due + MINUTE


def test_basis_is_shown_by_rules_and_results(sets):
    shape = rule_to_dict(next(r for r in sets["intl"].rules if r.id == INVESTIGATION))
    assert shape["basis"] == "threshold" and shape["track"] == "accountability"
    assert "not law" in shape["note"]
    bases = {r.rule: r.basis for r in evaluate(case(), list(sets.values()), T0)}
    assert bases["mx.judicial_48h"] == "law" and bases["intl.judicial_48h"] == "standard"
    assert bases["intl.ill_treatment_exam_24h"] == "threshold"
    assert set(bases.values()) <= {"law", "standard", "threshold"}
