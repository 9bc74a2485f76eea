"""Hand-worked cases for every kind of rule and the jurisdictions' particularities."""
from datetime import datetime, timezone

from monitor.domain.evaluator import evaluate, evaluate_with_next_change
from tests.helpers import T0, case, h


def next_change_at(the_case, rule_sets, now):
    """The next change instant alone, as the sweep stores it."""
    return evaluate_with_next_change(the_case, rule_sets, now)[1]


def result(sets, codes, the_case, rule, now):
    found = [r for r in evaluate(the_case, [sets[c] for c in codes], now) if r.rule == rule]
    assert found, rule
    return found[0]


def test_mx_judicial_48h_pending_overdue_met_late(sets):
    c = case()
    assert result(sets, ["mx"], c, "mx.judicial_48h", T0 + h(10)).status == "pending"
    overdue = result(sets, ["mx"], c, "mx.judicial_48h", T0 + h(49))
    assert overdue.status == "overdue" and overdue.due_at == T0 + h(48)
    late = result(sets, ["mx"], case([("judicial_appearance", 50, {})]), "mx.judicial_48h", T0 + h(60))
    assert (late.status, late.met_at) == ("met_late", T0 + h(50))


def test_mx_organised_crime_96h(sets):
    assert result(sets, ["mx"], case(organised_crime=True), "mx.judicial_48h", T0).due_at == T0 + h(96)


def test_release_in_time_satisfies_release_late_is_a_violation(sets):
    early = result(sets, ["mx"], case([("release", 20, {})]), "mx.judicial_48h", T0 + h(100))
    assert (early.status, early.met_at) == ("met", T0 + h(20))
    late = result(sets, ["mx"], case([("release", 60, {})]), "mx.judicial_48h", T0 + h(100))
    assert late.status == "violated"
    lawyer = result(sets, ["intl"], case([("release", 0.5, {})]), "intl.lawyer_from_outset", T0 + h(5))
    assert lawyer.status == "not_applicable"


def test_ph_offence_gravity_and_the_strictest_limit(sets):
    for gravity, hours in (("light", 12), ("correctional", 18), ("afflictive", 36)):
        r = result(sets, ["ph"], case(offence_gravity=gravity), "ph.judicial_by_penalty", T0)
        assert r.due_at == T0 + h(hours)
    unknown = result(sets, ["ph"], case(), "ph.judicial_by_penalty", T0)
    assert unknown.due_at == T0 + h(12) and "strictest" in unknown.explanation


def test_ng_court_distance(sets):
    assert result(sets, ["ng"], case(court_within_40km=False), "ng.judicial_24h_48h", T0).due_at == T0 + h(48)
    assert result(sets, ["ng"], case(court_within_40km=True), "ng.judicial_24h_48h", T0).due_at == T0 + h(24)
    unknown = result(sets, ["ng"], case(), "ng.judicial_24h_48h", T0)
    assert unknown.due_at == T0 + h(24) and "unknown" in unknown.explanation


def test_ng_confession_must_be_recorded(sets):
    r = result(sets, ["ng"], case([("confession", 3, {"lawyer_present": True, "recorded": False})]),
               "ng.confession_recorded_with_counsel", T0 + h(4))
    assert r.status == "violated" and r.due_at == T0 + h(3)


def test_ke_friday_evening_rolls_to_monday_17h(sets):
    friday_evening = datetime(2026, 3, 6, 16, 0, tzinfo=timezone.utc)  # 19:00 Nairobi, Friday
    r = result(sets, ["ke"], case(arrested=friday_evening - h(24), tz="Africa/Nairobi"),
               "ke.judicial_24h_court_day", friday_evening)
    assert r.due_at == datetime(2026, 3, 9, 14, 0, tzinfo=timezone.utc)  # Monday 17:00 Nairobi
    assert "court day" in r.explanation


def test_ke_public_holiday_is_not_a_court_day(sets):
    # Arrested Thursday 24 Dec 2026 10:00 Nairobi: 24 h ends on Christmas Day, then
    # Boxing Day (Saturday) and Sunday: the next court day is Monday 28 Dec.
    arrested = datetime(2026, 12, 24, 7, 0, tzinfo=timezone.utc)
    r = result(sets, ["ke"], case(arrested=arrested, tz="Africa/Nairobi"), "ke.judicial_24h_court_day", arrested)
    assert r.due_at == datetime(2026, 12, 28, 14, 0, tzinfo=timezone.utc)


def test_ke_within_court_hours_is_unchanged(sets):
    r = result(sets, ["ke"], case(tz="Africa/Nairobi"), "ke.judicial_24h_court_day", T0)
    assert r.due_at == T0 + h(24)  # Tuesday 12:00 Nairobi


def test_gb_custody_extensions_and_hard_maximum(sets):
    base = result(sets, ["gb"], case(), "gb.custody_24h", T0)
    assert base.due_at == T0 + h(24)
    extended = result(sets, ["gb"], case([("detention_extended", 20, {"extended_by_hours": 12})]),
                      "gb.custody_24h", T0)
    assert extended.due_at == T0 + h(36)
    warrants = case([("detention_extended", 20, {"extended_by_hours": 12}),
                     ("detention_extended", 30, {"extended_by_hours": 36}),
                     ("detention_extended", 60, {"extended_by_hours": 36})])
    assert result(sets, ["gb"], warrants, "gb.custody_24h", T0).due_at == T0 + h(96)
    too_late = case([("detention_extended", 30, {"extended_by_hours": 12})])  # after expiry
    assert result(sets, ["gb"], too_late, "gb.custody_24h", T0).due_at == T0 + h(24)


def test_gb_reviews_6h_then_every_9h(sets):
    rule = "gb.review_6h_9h"
    assert result(sets, ["gb"], case(), rule, T0 + h(5)).due_at == T0 + h(6)
    on_time = case([("detention_review", 5, {}), ("detention_review", 13, {})])
    r = result(sets, ["gb"], on_time, rule, T0 + h(15))
    assert (r.status, r.due_at) == ("pending", T0 + h(22))
    missed = result(sets, ["gb"], on_time, rule, T0 + h(23))
    assert missed.status == "overdue"
    late = result(sets, ["gb"], case([("detention_review", 7, {})]), rule, T0 + h(8))
    assert late.status == "met_late" and late.due_at == T0 + h(16)
    assert next_change_at(case([("detention_review", 7, {})]), [sets["gb"]], T0 + h(8)) <= T0 + h(16)


def test_uz_immediately_means_one_hour_of_grace(sets):
    r = result(sets, ["uz"], case(), "uz.family_immediately", T0)
    assert r.due_at == T0 + h(1)
    assert result(sets, ["uz"], case([("family_notified", 0.5, {})]), "uz.family_immediately", T0 + h(2)).status == "met"  # noqa: E501


def test_intl_juvenile_gets_24h_and_adult_rule_does_not_apply(sets):
    child = case(juvenile=True)
    assert result(sets, ["intl"], child, "intl.judicial_24h_juvenile", T0).due_at == T0 + h(24)
    assert result(sets, ["intl"], child, "intl.judicial_48h", T0).status == "not_applicable"


def test_family_notice_restarts_after_each_transfer(sets):
    rule = "intl.family_notice_18h"
    notified_then_moved = case([("family_notified", 2, {}), ("transfer", 10, {"to_facility_id": "x"})])
    r = result(sets, ["intl"], notified_then_moved, rule, T0 + h(12))
    assert (r.status, r.due_at) == ("pending", T0 + h(28))
    assert result(sets, ["intl"], notified_then_moved, rule, T0 + h(29)).status == "overdue"
    told_again = case([("family_notified", 2, {}), ("transfer", 10, {"to_facility_id": "x"}),
                       ("family_notified", 12, {})])
    assert result(sets, ["intl"], told_again, rule, T0 + h(40)).status == "met"


def test_condition_violated_on_interrogation_without_lawyer(sets):
    r = result(sets, ["intl"], case([("interrogation", 2, {"lawyer_present": False}),
                                     ("interrogation", 5, {"lawyer_present": True})]),
               "intl.lawyer_at_interrogation", T0 + h(6))
    assert (r.status, r.due_at) == ("violated", T0 + h(2))
    ok = result(sets, ["intl"], case([("interrogation", 5, {"lawyer_present": True})]),
                "intl.lawyer_at_interrogation", T0 + h(6))
    assert ok.status == "met"
    assert result(sets, ["intl"], case(), "intl.lawyer_at_interrogation", T0).status == "not_applicable"


def test_ill_treatment_needs_an_independent_examiner(sets):
    rule = "intl.ill_treatment_exam_24h"
    by_police_doctor = case([("ill_treatment_alleged", 1, {}), ("medical_exam", 2, {"examiner": "facility"})])
    assert result(sets, ["intl"], by_police_doctor, rule, T0 + h(30)).status == "overdue"
    independent = case([("ill_treatment_alleged", 1, {}), ("medical_exam", 2, {"examiner": "independent"})])
    assert result(sets, ["intl"], independent, rule, T0 + h(30)).status == "met"


def test_death_after_due_is_a_violation(sets):
    r = result(sets, ["mx"], case([("death_in_custody", 50, {})]), "mx.judicial_48h", T0 + h(60))
    assert r.status == "violated"


def test_next_change_at_is_the_earliest_pending_due(sets):
    c = case()
    assert next_change_at(c, [sets["mx"], sets["intl"]], T0) == T0 + h(1)   # lawyer: immediately
    assert next_change_at(c, [sets["mx"], sets["intl"]], T0 + h(30)) == T0 + h(48)
    assert next_change_at(case([("release", 2, {})]), [sets["mx"], sets["intl"]], T0 + h(3)) is None


def test_after_each_transfer_a_child_is_owed_notice_sooner_than_an_adult(sets):
    history = [("family_notified", 1, {}), ("transfer", 10, {"to_facility_id": "x"})]
    child = result(sets, ["intl"], case(history, juvenile=True), "intl.family_notice_juvenile", T0 + h(10.5))
    adult = result(sets, ["intl"], case(history), "intl.family_notice_18h", T0 + h(10.5))
    assert child.due_at == T0 + h(11) and adult.due_at == T0 + h(28)


def test_gb_someone_informed_runs_from_the_request_not_the_arrest(sets):
    rule = "gb.someone_informed"  # PACE s.56(1): "if he so requests"
    assert result(sets, ["gb"], case(), rule, T0 + h(30)).status == "not_applicable"
    asked = case([("family_notification_requested", 10, {})])
    r = result(sets, ["gb"], asked, rule, T0 + h(13))
    assert (r.status, r.due_at) == ("overdue", T0 + h(12))
