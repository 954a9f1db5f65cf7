"""The real published PDF (淮安市人民政府 2024): every table cell, its prose figures, its checks.

Expectations are in fixtures/huaian_cells.yaml, read by hand from the page images.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from index.checks import PASS
from index.read import read_lines

FIXTURES = Path(__file__).parent / "fixtures"
PDF = FIXTURES / "huaian_2024.pdf"
EXPECTED = yaml.safe_load((FIXTURES / "huaian_cells.yaml").read_text(encoding="utf-8"))
APPLICANTS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
REVIEW_KEYS = tuple(
    f"{block}.{column}"
    for block in ("review", "litigation.direct", "litigation.after_review")
    for column in ("upheld", "corrected", "other", "pending", "total")
)


def expected_cells() -> list[tuple[str, str, str | None, str]]:
    """(table, metric, applicant, raw) for every cell of the three tables."""
    out = []
    for row, cells in EXPECTED["proactive"].items():
        out += [("表二", f"proactive.{row}.{column}", None, raw) for column, raw in cells.items()]
    for metric, cells in EXPECTED["apply"].items():
        out += [("表三", metric, a, raw) for a, raw in zip(APPLICANTS, cells, strict=True)]
    out += [("表四", key, None, raw) for key, raw in zip(REVIEW_KEYS, EXPECTED["review"], strict=True)]
    return out


@pytest.fixture(scope="module")
def huaian(tmp_path_factory):
    """The PDF indexed on its own: (database, the PDF's lines as index.read gives them)."""
    import sqlite_utils

    from index.build import build_index

    db_path = tmp_path_factory.mktemp("huaian") / "huaian.db"
    summary = build_index([PDF], db_path)
    assert not summary.failed, summary.failed
    return sqlite_utils.Database(db_path), read_lines(PDF)


@pytest.fixture(scope="module")
def cells(huaian):
    db, _ = huaian
    rows = db.query("select * from facts where source_table in ('表二', '表三', '表四')")
    return {(r["metric"], r["applicant"]): r for r in rows}


def test_report(huaian):
    db, _ = huaian
    report = next(db["reports"].rows)
    got = {k: report[k] for k in ("agency", "year", "format", "province", "city", "phone", "missing_tables")}
    assert got == {
        "agency": EXPECTED["agency"], "year": EXPECTED["year"], "format": EXPECTED["format"],
        "province": "江苏省", "city": "淮安市", "phone": "0517-83605210", "missing_tables": "[]",
    }


@pytest.mark.parametrize("table,metric,applicant,raw", [
    pytest.param(*cell, id=f"{cell[1]}-{cell[2] or ''}") for cell in expected_cells()
])
def test_cell(huaian, cells, table, metric, applicant, raw):
    _, lines = huaian
    fact = cells.get((metric, applicant))
    assert fact is not None, f"{metric} {applicant} missing"
    value = float(raw)
    assert (fact["raw"], fact["kind"], fact["value"], fact["source_table"]) == (raw, "number", value, table)
    assert raw in lines[fact["line"] - 1].split("\t"), f"line {fact['line']} does not print {raw}"


def test_no_other_table_cells(cells):
    assert set(cells) == {(m, a) for _, m, a, _ in expected_cells()}


def test_fees_are_in_wan_yuan(cells):
    assert cells[("proactive.fees.amount", None)]["unit"] == "万元"


def test_row_split_by_the_page_break(huaian, cells):
    """（四）无法提供 is cut into （四）无 / 法提供: its rows on both pages still find their metrics."""
    _, lines = huaian
    before = cells[("apply.unable.not_held", "natural")]["line"]
    after = cells[("apply.unable.need_creation", "natural")]["line"]
    assert after > before + 1  # the page break lies between them
    assert "（四）无" in lines[before - 1].split("\t")
    assert "法提供" in lines[after - 1].split("\t")


@pytest.mark.parametrize("metric", list(EXPECTED["prose"]))
def test_prose_figure(huaian, metric):
    db, lines = huaian
    spec = EXPECTED["prose"][metric]
    rows = list(db.query("select * from facts where source_table = '正文' and metric = ?", [metric]))
    assert [(r["value"], r["raw"]) for r in rows] == [(spec["value"], spec["raw"])]
    number = str(spec["value"])
    assert number in lines[rows[0]["line"] - 1], "the line cited prints the number"


@pytest.mark.parametrize("rule", [1, 2, 3, 4, 5])
def test_rules_pass(huaian, rule):
    db, _ = huaian
    checks = list(db.query("select subject, status, expected, actual from checks where rule = ?", [rule]))
    assert checks
    assert [c for c in checks if c["status"] != PASS] == []
