"""Impunity statistics, hand-worked: counts per measure, the threshold, the median, suppression."""
from datetime import datetime, timedelta, timezone

from monitor.domain.impunity import AccountabilityFacts as Facts
from monitor.domain.impunity import accountability_table, measures_of

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
THIRTY_DAYS = timedelta(days=30)


def days(n):
    return T0 + timedelta(days=n)


def by_group(table):
    return {item["group"]: item for item in table}


def test_each_measure_of_one_detention():
    full = Facts("MX", alleged_at=T0, complaint=True, investigated_at=days(30), prosecution=True,
                 conviction=True, admitted_at=days(40))
    assert all(measures_of(full, THIRTY_DAYS).values())  # 30 days to the minute: within
    late = Facts("MX", alleged_at=T0, investigated_at=days(30) + timedelta(minutes=1))
    measures = measures_of(late, THIRTY_DAYS)
    assert measures["investigation"] and not measures["investigation_within_threshold"]
    assert not measures["complaint"] and not measures["conviction"]


def test_a_confession_counts_only_when_admitted_at_or_after_an_allegation():
    before = Facts("MX", alleged_at=days(5), admitted_at=days(4))
    same_hearing = Facts("MX", alleged_at=days(5), admitted_at=days(5))
    no_allegation = Facts("MX", admitted_at=days(5))
    assert not measures_of(before, THIRTY_DAYS)["confession_admitted_after_allegation"]
    assert measures_of(same_hearing, THIRTY_DAYS)["confession_admitted_after_allegation"]
    assert not measures_of(no_allegation, THIRTY_DAYS)["confession_admitted_after_allegation"]


def test_an_investigation_without_an_allegation_is_counted_but_not_timed():
    ex_officio = Facts("MX", complaint=True, investigated_at=days(3))
    measures = measures_of(ex_officio, THIRTY_DAYS)
    assert measures["investigation"] and not measures["investigation_within_threshold"]


def test_counts_and_median_days_per_group():
    facts = [Facts("MX", alleged_at=T0, investigated_at=days(d), complaint=True) for d in (2, 10, 20, 40, 50, 60)]
    facts += [Facts("MX", alleged_at=T0)] * 2  # two allegations never investigated
    facts += [Facts("MX", alleged_at=days(10), investigated_at=days(9))]  # already open: 0 days
    table = accountability_table({"MX": 40}, facts, THIRTY_DAYS)
    mx = by_group(table)["MX"]
    assert mx["detentions"] == 40 and not mx["suppressed"]
    assert mx["counts"]["allegation"] == 9 and mx["counts"]["investigation"] == 7
    assert mx["counts"]["complaint"] == 6
    assert mx["counts"]["investigation_within_threshold"] is None  # 4 (2, 10, 20 and 0 days): hidden
    assert mx["counts"]["conviction"] == 0 and mx["counts"]["prosecution"] == 0  # zero is shown
    assert mx["median_days_to_investigation"] == 20.0  # of 0, 2, 10, 20, 40, 50, 60
    assert mx["suppressed_cells"] == ["investigation_within_threshold"]


def test_a_small_group_is_hidden_with_its_smallest_neighbour():
    sizes = {"KE": 3, "MX": 6, "NG": 50}
    facts = [Facts("NG", alleged_at=T0)] * 10 + [Facts("MX", alleged_at=T0)] * 5 + [Facts("KE", alleged_at=T0)] * 3
    table = by_group(accountability_table(sizes, facts, THIRTY_DAYS))
    assert table["KE"]["suppressed"] and table["KE"]["detentions"] is None
    # KE alone could be recovered from a total: MX (the next smallest) is hidden with it.
    assert table["MX"]["suppressed"] and table["MX"]["counts"]["allegation"] is None
    assert not table["NG"]["suppressed"] and table["NG"]["counts"]["allegation"] == 10


def test_a_small_cell_is_hidden_with_a_complementary_one_never_with_a_zero():
    sizes = {"KE": 20, "MX": 20, "NG": 20, "PH": 20}
    facts = ([Facts("KE", conviction=True)] * 2 + [Facts("MX", conviction=True)] * 7
             + [Facts("NG", conviction=True)] * 9)
    table = by_group(accountability_table(sizes, facts, THIRTY_DAYS))
    convictions = {g: table[g]["counts"]["conviction"] for g in sizes}
    # KE's 2 is hidden; PH's 0 would not protect it, so MX's 7 (next smallest) goes too.
    assert convictions == {"KE": None, "MX": None, "NG": 9, "PH": 0}
    assert all(not table[g]["suppressed"] for g in sizes)


def test_a_median_of_fewer_than_five_delays_is_hidden():
    facts = [Facts("MX", alleged_at=T0, investigated_at=days(d)) for d in (1, 2, 3, 4)]
    mx = accountability_table({"MX": 30}, facts, THIRTY_DAYS)[0]
    assert mx["median_days_to_investigation"] is None


def test_groups_without_accountability_events_are_listed_with_zeros():
    table = accountability_table({"KE": 10, "MX": 12}, [], THIRTY_DAYS)
    assert [item["group"] for item in table] == ["KE", "MX"]
    assert all(set(item["counts"].values()) == {0} for item in table)
