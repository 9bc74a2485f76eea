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
