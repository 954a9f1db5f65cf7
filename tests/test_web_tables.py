"""Every table cell of the real web corpus, read as the hand-read gold says (tests/fixtures/corpus/web).

Conventions (the corpus README): a row is in the gold only when all its cells
are visible; a blank or `/` cell is null; money is compared in 元. Prose
figures (`prose` in gold.json) are the prose reader's and not asserted here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from index.cells import in_yuan
from index.parse import parse_file

WEB = Path(__file__).parent / "fixtures" / "corpus" / "web"
GOLD = json.loads((WEB / "gold.json").read_text(encoding="utf-8"))
TABLED = sorted(name for name, entry in GOLD.items() if entry["facts"])


def _key(metric_key: str) -> tuple[str, str | None]:
    parts = metric_key.split(".")
    if parts[0] == "apply":
        return ".".join(parts[:-1]), parts[-1]
    return metric_key, None


@pytest.mark.parametrize("name", TABLED)
def test_every_gold_table_cell(name):
    entry = GOLD[name]
    report = parse_file(WEB / "raw" / name)
    got = {(f.metric, f.applicant): f for f in report.facts if f.table != "正文"}
    wrong = []
    for metric_key, expected in entry["facts"].items():
        fact = got.get(_key(metric_key))
        if fact is None:
            wrong.append((metric_key, expected, "nothing"))
            continue
        unit = entry["units"].get(metric_key)
        if expected is None:
            ok = fact.value is None and fact.raw.strip() in ("", "/", "／")
        elif unit or fact.unit in ("元", "万元"):
            ok = math.isclose(in_yuan(fact.value, fact.unit), in_yuan(expected, unit or "元"))
        else:
            ok = fact.value == expected
        if not ok:
            wrong.append((metric_key, expected, (fact.value, fact.unit, fact.raw)))
    assert wrong == []
    assert report.format == entry["table_format"]


def test_no_table_fact_outside_the_gold_rows_is_a_number_the_gold_contradicts():
    """Rows the gold leaves out (cut, or outside the grid) give no table fact at all."""
    extra = {}
    for name in TABLED:
        gold_keys = {_key(k) for k in GOLD[name]["facts"]}
        report = parse_file(WEB / "raw" / name)
        found = {(f.metric, f.applicant) for f in report.facts if f.table != "正文" and f.year is None}
        if found - gold_keys:
            extra[name] = sorted(found - gold_keys, key=str)[:3]
    assert extra == {}


def test_a_cut_table_says_where_it_ends():
    report = parse_file(WEB / "raw" / "01_huachuan_wjj_2021.txt")
    ends = [w for w in report.warnings if w.startswith("表三 ends after")]
    assert ends == [
        "表三 ends after row 予以公开 (line 153); the 22 rows from 部分公开 on are missing"
    ]
    unreadable = [w for w in report.warnings if "unreadable" in w]
    assert unreadable == ["line 155: 表三 row 部分公开 unreadable (6 values for 7 cells): 0 0 0 0 0 0"]


PROSED = sorted(name for name, entry in GOLD.items() if entry.get("prose"))


@pytest.mark.parametrize("name", PROSED)
def test_every_gold_prose_figure(name):
    """The figures the report's sentences state (申请一件, 受理政府信息公开1件, 行政复议、行政诉讼数量为0件)."""
    report = parse_file(WEB / "raw" / name)
    stated = {f.metric: f.value for f in report.facts if f.table == "正文" and f.applicant in (None, "total")}
    assert {metric: stated.get(metric) for metric in GOLD[name]["prose"]} == GOLD[name]["prose"]
