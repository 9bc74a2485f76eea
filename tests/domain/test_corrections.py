"""Issue 15 item 3: the corrections of RULES.md's second part, hand-worked to the minute.

Arrest: Monday 2 March 2026 09:00 UTC (tests.helpers.T0) unless a test says otherwise."""
from datetime import datetime, timedelta, timezone

from monitor.domain.evaluator import evaluate
from tests.helpers import T0, case, h

MINUTE = timedelta(minutes=1)


def result(sets, code, the_case, rule, now):
    """The result of one rule of one set."""
    return next(r for r in evaluate(the_case, [sets[code]], now) if r.rule == rule)


def test_ke_advocate_rule_cites_49_1_c_and_runs_from_the_request(sets):
    rule = next(r for r in sets["ke"].rules if r.safeguard == "lawyer_access")
    assert rule.id == "ke.advocate_communication"
    assert rule.citation.endswith("art. 49(1)(c)") and "49(1)(a)" not in rule.citation
    assert rule.basis == "threshold"
    assert result(sets, "ke", case(), rule.id, T0 + h(5)).status == "not_applicable"
    asked = case([("lawyer_requested", 1, {})])
    r = result(sets, "ke", asked, rule.id, T0 + h(2))
    assert r.status == "pending" and r.due_at == T0 + h(3)
    assert result(sets, "ke", asked, rule.id, T0 + h(3) + MINUTE).status == "overdue"
    met = case([("lawyer_requested", 1, {}), ("lawyer_access", 2.5, {})])
    assert result(sets, "ke", met, rule.id, T0 + h(4)).status == "met"


def test_uz_48h_plus_48h_only_by_a_court_96h_at_most(sets):
    rule = "uz.custody_48h_court_96h"
    r = result(sets, "uz", case(), rule, T0 + h(47))
    assert r.status == "pending" and r.due_at == T0 + h(48)
    extended = ("judicial_appearance", 40, {"outcome": "extended"})
    r = result(sets, "uz", case([extended]), rule, T0 + h(50))
    assert r.status == "pending" and r.due_at == T0 + h(96)
    assert result(sets, "uz", case([extended]), rule, T0 + h(96) + MINUTE).status == "overdue"
    # a second extending hearing cannot go past 96 h
    twice = case([extended, ("judicial_appearance", 90, {"outcome": "extended"})])
    assert result(sets, "uz", twice, rule, T0 + h(91)).due_at == T0 + h(96)
    # an extension by anyone but a court adds nothing
    by_police = case([("detention_extended", 40, {"authority": "investigator", "extended_by_hours": 48})])
    assert result(sets, "uz", by_police, rule, T0 + h(48) + MINUTE).status == "overdue"
    remanded = case([extended, ("judicial_appearance", 95, {"outcome": "remanded"})])
    assert result(sets, "uz", remanded, rule, T0 + h(100)).status == "met"
    # the 48 h hearing itself is the judicial review
    assert result(sets, "uz", case([extended]), "uz.judicial_48h", T0 + h(50)).status == "met"


def test_uz_family_notice_is_m_with_its_law(sets):
    rule = next(r for r in sets["uz"].rules if r.id == "uz.family_immediately")
    assert rule.confidence == "M" and "ZRU-617" in rule.citation
    assert result(sets, "uz", case(), rule.id, T0).due_at == T0 + h(1)


def test_ng_capital_offence_carve_out(sets):
    rule = "ng.judicial_24h_48h"
    r = result(sets, "ng", case(capital_offence=True), rule, T0 + h(72))
    assert r.status == "not_applicable" and r.due_at is None
    assert "capital_offence = true" in r.explanation and "s.35(7)(a)" in r.explanation
    unknown = result(sets, "ng", case(), rule, T0 + h(24) + MINUTE)
    assert unknown.status == "overdue" and unknown.due_at == T0 + h(24)
    assert "capital_offence unknown: the rule applies (strict reading)" in unknown.explanation
    not_capital = result(sets, "ng", case(capital_offence=False, court_within_40km=False), rule, T0 + h(30))
    assert not_capital.status == "pending" and not_capital.due_at == T0 + h(48)
    assert "capital_offence" not in not_capital.explanation


def test_ph_charge_filed_is_delivery_to_the_judicial_authorities(sets):
    rule = "ph.judicial_by_penalty"
    on_time = case([("charge_filed", 11, {})], offence_gravity="light")
    r = result(sets, "ph", on_time, rule, T0 + h(20))
    assert r.status == "met" and r.met_at == T0 + h(11) and r.due_at == T0 + h(12)
    at_limit = case([("charge_filed", 12, {}), ("charge_filed", 13, {})], offence_gravity="light")
    assert result(sets, "ph", at_limit, rule, T0 + h(20)).status == "met"  # 12:00 exactly is in time
    later = case([("charge_filed", 12.5, {})], offence_gravity="light")
    assert result(sets, "ph", later, rule, T0 + h(20)).status == "met_late"


def cm_case(local_arrest):
    """A Cameroon detention arrested at a Douala (UTC+1) local time."""
    arrested = local_arrest.replace(tzinfo=timezone(timedelta(hours=1))).astimezone(timezone.utc)
    return case(arrested=arrested, tz="Africa/Douala"), arrested


def test_cm_no_police_custody_on_weekends_or_public_holidays(sets):
    rule = "cm.no_custody_on_non_working_days"
    saturday, at = cm_case(datetime(2026, 3, 7, 10, 0))
    r = result(sets, "cm", saturday, rule, at + h(1))
    assert r.status == "violated" and r.due_at == at
    assert "Saturday 2026-03-07" in r.explanation and "caught in the act" in r.explanation
    national_day, at = cm_case(datetime(2026, 5, 20, 10, 0))  # a Wednesday, National Day
    assert result(sets, "cm", national_day, rule, at).status == "violated"
    # Sunday 23:30 UTC is Monday 00:30 in Douala: a working day
    monday, at = cm_case(datetime(2026, 3, 9, 0, 30))
    assert at.weekday() == 6 and result(sets, "cm", monday, rule, at).status == "met"
    assert next(r for r in sets["cm"].rules if r.id == rule).confidence == "M"


def test_intl_exam_after_allegation_is_m_with_the_istanbul_protocol_wording(sets):
    rule = next(r for r in sets["intl"].rules if r.id == "intl.ill_treatment_exam_24h")
    assert rule.confidence == "M" and rule.basis == "threshold"
    assert "Istanbul Protocol (2022)" in rule.citation
    for words in ("no hour figure", "in private with no police present (313)",
                  "not returned to the same custody (317)", "six minimum parts (356)", "(418)"):
        assert words in rule.note
    reported = case([("judicial_appearance", 30, {"ill_treatment_reported": True})])
    r = result(sets, "intl", reported, rule.id, T0 + h(31))
    assert r.status == "pending" and r.due_at == T0 + h(54)
    examined = case([("ill_treatment_alleged", 2, {}),
                     ("forensic_report", 20, {"examiner": "independent", "consistency": "consistent"})])
    assert result(sets, "intl", examined, rule.id, T0 + h(30)).status == "met"


def test_mx_exam_after_a_report_to_the_judge_and_by_forensic_report(sets):
    rule = "mx.independent_exam_after_allegation"
    reported = case([("judicial_appearance", 40, {"outcome": "remanded", "ill_treatment_reported": True})])
    r = result(sets, "mx", reported, rule, T0 + h(41))
    assert r.status == "pending" and r.due_at == T0 + h(64) and r.basis == "threshold"
    examined = case([("judicial_appearance", 40, {"ill_treatment_reported": True}),
                     ("forensic_report", 60, {"examiner": "independent", "consistency": "highly_consistent"})])
    assert result(sets, "mx", examined, rule, T0 + h(70)).status == "met"
    state = case([("ill_treatment_alleged", 1, {}),
                  ("forensic_report", 5, {"examiner": "state_forensic", "consistency": "consistent"})])
    assert result(sets, "mx", state, rule, T0 + h(25) + MINUTE).status == "overdue"


def test_a_court_extension_after_release_does_not_move_the_custody_limit(sets):
    """Custody ended with the release: a hearing recorded afterwards that 'extends' detention
    (a data-entry slip, or a later proceeding) cannot lengthen the limit custody was held
    to. Found by the property test that events after release never change the custody track."""
    rule = "uz.custody_48h_court_96h"
    released = case([("release", 10, {})])
    before = result(sets, "uz", released, rule, T0 + h(200))
    assert (before.status, before.due_at, before.met_at) == ("met", T0 + h(48), T0 + h(10))
    after = case([("release", 10, {}), ("judicial_appearance", 20, {"outcome": "extended"})])
    assert result(sets, "uz", after, rule, T0 + h(200)) == before
    # an extension before the release still counts
    extended = case([("judicial_appearance", 20, {"outcome": "extended"}), ("release", 70, {})])
    assert result(sets, "uz", extended, rule, T0 + h(200)).due_at == T0 + h(96)
