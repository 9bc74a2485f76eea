"""Research output helpers: CSV cells a spreadsheet will never run as formulas."""
import pytest

from monitor.domain.research import CSV_COLUMNS, csv_rows, csv_safe


@pytest.mark.parametrize("value,expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-1+2", "'-1+2"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("political", "political"), ("", ""), ("a=b", "a=b"), (-1.5, -1.5), (None, None), (True, True),
])
def test_csv_safe_quotes_only_formula_like_text(value, expected):
    assert csv_safe(value) == expected


def test_csv_rows_are_formula_safe_and_keep_numbers():
    record = {"person_ref": "p1", "country": "MX", "jurisdiction": "mx", "facility_kind": "prison",
              "sex": "female", "age_at_arrest": 30, "juvenile": False, "arrest_month": "2026-03",
              "status": "in_custody", "groups": ["=cmd|' /C calc'!A0", "political"],
              "events": [{"type": "arrest", "hours_after_arrest": -0.5}],
              "safeguards": [{"rule": "mx.a", "safeguard": "judicial_review", "status": "met",
                              "due_hours": 48.0, "met_hours": 3.0}]}
    rows = list(csv_rows(record))
    assert len(rows) == 2 and all(set(row) <= set(CSV_COLUMNS) for row in rows)
    assert all(row["groups"] == "'=cmd|' /C calc'!A0;political" for row in rows)
    assert rows[0]["hours_after_arrest"] == -0.5 and rows[1]["due_hours"] == 48.0


def test_complementary_suppression_leaves_no_hidden_count_alone():
    from monitor.domain.research import complement
    sizes = {"a": 2, "b": 7, "c": 5, "d": 9}
    assert complement({"a"}, sizes) == {"a", "c"}           # one hidden: the smallest shown joins
    assert complement(set(), sizes) == set()                # nothing hidden: nothing more
    assert complement({"a", "x"}, {"a": 1, "x": 1, "b": 6, "c": 8}) == {"a", "x", "b"}  # 2 < 5
    assert complement({"a"}, {"a": 3}) == {"a"}             # nothing left to add


def test_a_small_safeguard_cell_is_hidden_with_a_complement():
    from datetime import datetime, timezone

    from monitor.domain.research import compliance_table
    arrested = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows = [{"id": f"{country}{i}", "country": country, "arrested_at": arrested,
             "outcomes": [{"rule": "x.r", "safeguard": "judicial_review",
                           "status": "overdue" if country != "C" or i < 2 else "met"}]}
            for country, n in (("A", 9), ("B", 6), ("C", 7)) for i in range(n)]
    # give only 2 of C's detentions a lawyer rule: a cell of 2 inside a group of 7
    for row in rows:
        if row["country"] == "C" and row["id"] in ("C0", "C1"):
            row["outcomes"].append({"rule": "x.l", "safeguard": "lawyer_access", "status": "met"})
        elif row["country"] in ("A", "B"):
            row["outcomes"].append({"rule": "x.l", "safeguard": "lawyer_access", "status": "met"})

    def key_of(row):
        for o in row["outcomes"]:
            yield row["country"], o["safeguard"], o["status"], None
    table = {g["group"]: g for g in compliance_table(rows, key_of)}
    assert all(not g["suppressed"] for g in table.values())
    lawyer = {group: g["safeguards"]["lawyer_access"]["suppressed"] for group, g in table.items()}
    assert lawyer == {"A": False, "B": True, "C": True}  # C's 2 hidden, and B's 6 with it
    assert table["B"]["safeguards"]["judicial_review"]["suppressed"] is False
