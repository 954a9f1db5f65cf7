"""Every table cell of the tabled seeds comes out of the index exactly as printed.

The expectations are in fixtures/seed_cells.yaml, transcribed by hand from the
seed files; one test case per table row.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from index.cells import in_yuan

FIXTURES = Path(__file__).parent / "fixtures"
SEED_CELLS = yaml.safe_load((FIXTURES / "seed_cells.yaml").read_text(encoding="utf-8"))
APPLICANTS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
REVIEW_KEYS = tuple(
    f"{block}.{column}"
    for block in ("review", "litigation.direct", "litigation.after_review")
    for column in ("upheld", "corrected", "other", "pending", "total")
)
TABLES = ("表二", "表三", "表四")
_PRINTED_NUMBER = re.compile(r"^(?P<sign>[+-]?)(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>万元|元)?$")


def printed(raw: str) -> tuple[str, float | None]:
    """(kind, value) a cell states, read the way a person reads it (independent of index.cells)."""
    if raw == "":
        return "blank", None
    if raw == "-":
        return "dash", None
    if raw == "/":
        return "slash", None
    match = _PRINTED_NUMBER.match(raw)
    assert match, f"fixture cell {raw!r} is not a number"
    value = float(match["num"])
    return "number", -value if match["sign"] == "-" else value


def expected_rows(seed: str) -> list[tuple[str, str, list[tuple[str, str | None, str, int]]]]:
    """(table, row name, [(metric, applicant, raw, line)]) for every row of a seed's tables."""
    spec = SEED_CELLS[seed]
    step = 1 if spec["one_cell_per_line"] else 0
    rows = []
    for row, cells in spec["proactive"].items():
        line = cells["line"]
        columns = [c for c in cells if c != "line"]
        rows.append(("表二", row, [(f"proactive.{row}.{c}", None, cells[c], line + i * step)
                                  for i, c in enumerate(columns)]))
    for metric, (line, *cells) in spec["apply"].items():
        rows.append(("表三", metric, [(metric, a, raw, line + i * step)
                                     for i, (a, raw) in enumerate(zip(APPLICANTS, cells, strict=True))]))
    line, *cells = spec["review"]
    rows.append(("表四", "review", [(key, None, raw, line + i * step)
                                   for i, (key, raw) in enumerate(zip(REVIEW_KEYS, cells, strict=True))]))
    return rows


CASES = [
    pytest.param(seed, table, cells, id=f"{seed}-{table}-{name}")
    for seed in SEED_CELLS
    for table, name, cells in expected_rows(seed)
]


def table_facts(db, file: str) -> dict[tuple[str, str | None], dict]:
    rows = db.query(
        "select * from facts where file = ? and source_table in ('表二', '表三', '表四')", [file]
    )
    return {(r["metric"], r["applicant"]): r for r in rows}


@pytest.fixture(scope="module")
def facts_of(seed_db):
    cache: dict[str, dict] = {}

    def get(seed: str) -> dict:
        if seed not in cache:
            cache[seed] = table_facts(seed_db, SEED_CELLS[seed]["file"])
        return cache[seed]

    return get


@pytest.mark.parametrize("seed,table,cells", CASES)
def test_row(facts_of, seed, table, cells):
    facts = facts_of(seed)
    for metric, applicant, raw, line in cells:
        fact = facts.get((metric, applicant))
        assert fact is not None, f"{metric} {applicant} missing"
        kind, value = printed(raw)
        got = (fact["raw"], fact["kind"], fact["value"], fact["line"], fact["source_table"])
        assert got == (raw, kind, value, line, table), f"{metric} {applicant}"


@pytest.mark.parametrize("seed", list(SEED_CELLS))
def test_no_other_table_facts(facts_of, seed):
    """Nothing is invented: the index holds exactly the transcribed cells of these tables."""
    expected = {(m, a) for _, _, cells in expected_rows(seed) for m, a, _, _ in cells}
    assert set(facts_of(seed)) == expected


def test_seed_001_records_its_missing_table(seed_db, facts_of):
    report = next(seed_db.query("select * from reports where file = ?", [SEED_CELLS["001"]["file"]]))
    assert json.loads(report["missing_tables"]) == ["表二"]
    assert not [k for k in facts_of("001") if k[0].startswith("proactive.")]


def test_seed_002_typo_row_is_state_secret(facts_of):
    # printed 1. 属于国际秘密 on line 64
    fact = facts_of("002")[("apply.denied.state_secret", "natural")]
    assert (fact["line"], fact["raw"]) == (64, "0")


def test_seed_002_signed_change_is_a_number(facts_of):
    fact = facts_of("002")[("proactive.penalty.change", None)]
    assert (fact["value"], fact["raw"], fact["kind"], fact["line"]) == (44, "+44", "number", 46)


@pytest.mark.parametrize(
    "seed,metric,value,unit,yuan",
    [
        ("000", "proactive.procurement.amount", 8937, "万元", 89_370_000),
        ("002", "proactive.procurement.amount", 785901.37, "元", 785901.37),
        ("004", "proactive.fees.amount", 745.94, "万元", 7_459_400),
    ],
)
def test_money_keeps_its_unit(facts_of, seed, metric, value, unit, yuan):
    fact = facts_of(seed)[(metric, None)]
    assert (fact["value"], fact["unit"]) == (value, unit)
    assert in_yuan(fact["value"], fact["unit"]) == pytest.approx(yuan)


@pytest.mark.parametrize(
    "metric,value,line,words",
    [
        ("apply.new", 9, 89, "共受理公民、法人或其他组织申请9件"),
        ("review.total", 7, 97, "开发区共收到因政务信息公开提起行政复议7件"),
        ("litigation.total", 8, 97, "因政府信息公开申请提起行政诉讼8起"),
    ],
)
def test_seed_003_prose_figures(seed_db, metric, value, line, words):
    rows = list(seed_db.query(
        "select * from facts where file = '003_e7aaa9833632924a.txt' and metric = ? and source_table = '正文'",
        [metric],
    ))
    assert len(rows) == 1
    fact = rows[0]
    assert (fact["value"], fact["line"], fact["kind"], fact["approx"]) == (value, line, "number", 0)
    assert words in fact["sentence"]


def test_seed_003_has_no_tables(seed_db):
    report = next(seed_db.query("select * from reports where file = '003_e7aaa9833632924a.txt'"))
    assert report["format"] == "none"
    assert json.loads(report["missing_tables"]) == list(TABLES)
    assert not list(seed_db.query(
        "select 1 from facts where file = '003_e7aaa9833632924a.txt' and source_table in ('表二', '表三', '表四')"
    ))


METADATA = {
    "000_45e9b68dfabc38a8.txt": {
        "agency": "威海临港经济技术开发区", "year": 2019, "format": "2019",
        "province": "山东省", "city": "威海市", "county": "",
        "website": "http://www.wip.gov.cn/", "phone": "0631-5587393",
    },
    "001_114e84585976705a.txt": {
        "agency": "威海市文登区人民政府", "year": 2020, "format": "2019",
        "province": "山东省", "city": "威海市", "county": "文登区",
        "website": "http://www.wendeng.gov.cn/index.html", "phone": "0631-8988877",
    },
    "002_06daf30fbb2e76e1.txt": {
        "agency": "威海市工业和信息化局", "year": 2020, "format": "2019",
        "province": "山东省", "city": "威海市", "county": "",
        "website": "http://gxj.weihai.gov.cn/", "phone": "0631-5231696",
    },
    "003_e7aaa9833632924a.txt": {
        "agency": "临沂经济技术开发区", "year": 2019, "format": "none",
        "province": "山东省", "city": "临沂市", "county": "",
        "website": "http://www.leda.gov.cn/", "phone": "",
    },
    "004_6263b7441e3dec22.txt": {
        "agency": "威海火炬高技术产业开发区管委会", "year": 2023, "format": "2021",
        "province": "山东省", "city": "威海市", "county": "",
        "website": "http://www.whctp.gov.cn", "phone": "0631-3919181",
    },
}


@pytest.mark.parametrize("file", list(METADATA))
def test_metadata(seed_db, file):
    report = next(seed_db.query("select * from reports where file = ?", [file]))
    assert {k: report[k] for k in METADATA[file]} == METADATA[file]


def test_seed_001_chart_of_past_years(seed_db):
    """历年依申请公开件办理情况: the chart's figures are kept, marked as a chart's and dated to their years."""
    rows = seed_db.query(
        "select year, value, raw, line from facts where file = ? and source_table = '图表' order by year",
        [SEED_CELLS["001"]["file"]],
    )
    assert [tuple(r.values()) for r in rows] == [
        (2017, 3, "3", 387), (2018, 8, "8", 389), (2019, 23, "23", 391), (2020, 42, "42", 393),
    ]
