"""Answers a journalist can use: a blank 总计 added up, a year known from a later chart, what 去年 meant."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.question import Asker
from index.build import build_index

ROOT = Path(__file__).resolve().parent.parent
SEED_CELLS = yaml.safe_load((ROOT / "tests" / "fixtures" / "seed_cells.yaml").read_text(encoding="utf-8"))
WENDENG = SEED_CELLS["001"]  # one cell per line: cell i of a row on line + i, 总计 the 7th


@pytest.fixture(scope="module")
def blank_total(tmp_path_factory) -> Asker:
    """文登区's report with the 总计 cell of 本年新收 left blank, as some reports print it."""
    base = tmp_path_factory.mktemp("blank_total")
    (base / "seeds").mkdir()
    lines = (ROOT / "seeds" / WENDENG["file"]).read_text(encoding="utf-8").split("\n")
    first = WENDENG["apply"]["apply.new"][0]
    total_line = first + 6
    assert lines[total_line - 1].strip() == WENDENG["apply"]["apply.new"][7]
    lines[total_line - 1] = "\t"
    (base / "seeds" / WENDENG["file"]).write_text("\n".join(lines), encoding="utf-8")
    build_index([base / "seeds"], base / "index.db")
    return Asker(base / "index.db")


def test_a_blank_total_is_the_sum_of_the_applicant_cells_and_says_so(blank_total):
    answer = blank_total.ask("文登区2020年收到多少申请")
    cells = [int(c) for c in WENDENG["apply"]["apply.new"][1:7] if c]
    assert answer.status == "answered" and answer.value == sum(cells)
    assert answer.facts[0]["blank_total"] is True
    assert "总计" in answer.notes[0] and "留空" in answer.notes[0]
    assert [p["applicant"] for p in answer.facts[0]["parts"]][:2] == ["natural", "commercial"]


def test_a_blank_total_counts_in_a_ranking(blank_total):
    answer = blank_total.ask("2020年哪个单位收到的申请最多")
    assert answer.facts[0]["agency"] == "威海市文登区人民政府"
    assert answer.value == sum(int(c) for c in WENDENG["apply"]["apply.new"][1:7] if c)


def test_a_blank_total_with_blank_cells_stays_blank(seed_index):
    # 临港区 prints 部分公开 blank in every column: no number to give
    answer = Asker(seed_index).ask("临港区2019年部分公开多少")
    assert answer.value is None and "blank_total" not in answer.facts[0]


def test_a_year_known_only_from_a_later_chart_says_where_it_comes_from(seed_index):
    asker = Asker(seed_index)
    lines = asker.index.lines(WENDENG["file"])
    answer = asker.ask("文登区2019年收到多少申请")
    source = answer.facts[0]["source"]
    assert answer.status == "answered" and answer.facts[0]["year"] == 2019
    assert str(int(answer.value)) in lines[source["line"] - 1]  # the chart's own row prints it
    assert source["table"] == "图表" and "2020年报告" in answer.text


def test_a_year_no_chart_holds_is_still_no_report(seed_index):
    answer = Asker(seed_index).ask("文登区2016年收到多少申请")
    assert answer.status == "no_data" and answer.value is None


def test_a_chart_is_not_read_for_a_figure_it_does_not_show(seed_index):
    answer = Asker(seed_index).ask("文登区2019年予以公开多少")
    assert answer.status == "no_data" and answer.value is None
