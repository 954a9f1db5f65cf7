"""Crawler text dumps end to end: every gold cell read exactly, or its row reported unreadable; none wrong.

The four 平潭综合实验区 dumps (tests/fixtures/corpus/textdump) print each table
in one paragraph with the cells run together. Cells cut apart by the tables'
sums are facts of kind `recovered`, in the index and in `facts`, and an answer
built on one says so.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path

import pytest
import sqlite_utils

from bot.question.asker import Asker
from bot.question.compose import replies
from index import catalogue, runs
from index.build import build_index
from index.catalogue import TABLE_APPLY, TABLE_PROACTIVE, TABLE_REVIEW
from index.cells import MONEY_UNITS
from index.parse import parse_file, parse_lines
from index.runs_text import row_label, template_rows_of

TEXTDUMP = Path(__file__).resolve().parent / "fixtures" / "corpus" / "textdump"
GOLD = json.loads((TEXTDUMP / "gold.json").read_text(encoding="utf-8"))


def _cell_of(key: str) -> tuple[str, str | None]:
    """A gold key (apply.new.natural, proactive.rules.issued, review.upheld) → (metric, applicant)."""
    metric, _, last = key.rpartition(".")
    if key.startswith("apply.") and last in catalogue.load().applicant_order:
        return metric, last
    return key, None


def _row_of(cell: tuple[str, str | None], fmt: str) -> tuple[str, str]:
    for table in (TABLE_PROACTIVE, TABLE_APPLY, TABLE_REVIEW):
        for key, row in template_rows_of(table, fmt).items():
            if cell in row.cells:
                return table, key
    raise AssertionError(f"{cell} is in no template row")


@pytest.mark.parametrize("name", sorted(GOLD))
def test_every_gold_cell_is_read_exactly_or_its_row_is_reported_unreadable(name):
    gold = GOLD[name]
    report = parse_file(TEXTDUMP / name)
    assert report.format == gold["table_format"]
    facts = {(f.metric, f.applicant): f for f in report.facts if f.table != "正文"}
    units = gold.get("units") or {}
    read, unread, wrong = 0, [], []
    for key, expected in gold["facts"].items():
        cell = _cell_of(key)
        fact = facts.get(cell)
        if fact is None:
            table, row = _row_of(cell, gold["table_format"])
            assert any(f"{table} row {row_label(row)} unreadable" in w for w in report.warnings), (key, report.warnings)
            unread.append(row)
            continue
        value = fact.value
        if key in units:  # money compares in 元 (万元 as the header says, or 元 printed in the cell)
            value, expected = value * MONEY_UNITS[fact.unit], expected * MONEY_UNITS[units[key]]
        if math.isclose(value, expected, abs_tol=1e-6):
            read += 1
        else:
            wrong.append((key, expected, fact.raw))
    assert wrong == []
    # the whole of 表三 and 表四 is read; only 表二 rows, which no sum governs, may stay unread
    assert all(row.startswith("proactive.") for row in unread)
    assert read >= len(gold["facts"]) - (19 if gold["table_format"] == "2019" else 3)


def test_cells_cut_apart_are_recovered_and_cells_printed_alone_are_numbers():
    facts = {(f.metric, f.applicant): f for f in parse_file(TEXTDUMP / "02_pingtan_2021.txt").facts}
    new = facts[("apply.new", "total")]
    assert (new.value, new.kind) == (70, runs.RECOVERED)
    licensing = facts[("proactive.licensing.decisions", None)]  # 行政许可2293: one cell, nothing to cut
    assert (licensing.value, licensing.kind) == (2293, "number")
    fees = facts[("proactive.fees.amount", None)]
    assert (fees.value, fees.unit) == (24252.311082, "万元")


@pytest.fixture(scope="module")
def textdump_index(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("textdump")
    folder = base / "reports"
    folder.mkdir()
    for name in GOLD:
        shutil.copy(TEXTDUMP / name, folder)
    db = base / "textdump.db"
    assert not build_index([folder], db).failed
    return db


def test_the_index_keeps_the_recovered_kind_and_an_answer_says_so(textdump_index):
    db = sqlite_utils.Database(textdump_index)
    kinds = {r["kind"]: r["n"] for r in db.query("select kind, count(*) n from facts group by kind")}
    assert kinds[runs.RECOVERED] > 500 and kinds["number"] > 0
    report = next(db.query("select agency from reports where year = 2023"))
    answer = Asker(textdump_index).ask(f"{report['agency']}2023年收到多少申请")
    assert answer.value == 81
    assert replies()["note_recovered"] in answer.text


def test_a_report_with_figures_only_in_prose_gets_no_stream_rows_and_no_warnings():
    # seed 003 says 行政复议7件 and 受理…申请9件 in sentences: no table printed as a stream
    report = parse_file(Path(__file__).resolve().parent.parent / "seeds" / "003_e7aaa9833632924a.txt")
    assert not [f for f in report.facts if f.table != "正文"]


def test_a_report_with_figures_only_in_prose_warns_of_no_unreadable_row():
    # 行政诉讼8起,其中2件为2018年立案: 2018 is the year a case was filed, not a 表四 cell
    report = parse_file(Path(__file__).resolve().parent.parent / "seeds" / "003_e7aaa9833632924a.txt")
    assert not [w for w in report.warnings if "unreadable" in w]


@pytest.mark.parametrize("name", sorted(GOLD))
def test_the_page_cut_into_lines_anywhere_between_a_label_and_a_value_reads_the_same(name):
    # a crawler may print the page on a few long lines: cut where digits meet words, seeded, five ways
    lines = (TEXTDUMP / name).read_text(encoding="utf-8").split("\n")
    body = max(lines, key=len)
    start, end = body.find("第二十条"), body.find("五、", body.find("第二十条"))
    edges = [i for i in range(start, end) if body[i - 1].isdigit() != body[i].isdigit()]
    whole = {(f.metric, f.applicant): f.value for f in parse_file(TEXTDUMP / name).facts if f.table != "正文"}
    rnd = random.Random(name)
    for _ in range(5):
        cuts = sorted(rnd.sample(edges, 8))
        pieces = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
        text = lines[: lines.index(body)] + pieces + lines[lines.index(body) + 1 :]
        report = parse_lines(text, Path(name))
        cut = {(f.metric, f.applicant): f.value for f in report.facts if f.table != "正文"}
        assert {k: v for k, v in cut.items() if whole.get(k) != v} == {}  # nothing read differently
        assert len(cut) >= len(whole) - 14  # a lost label ("8." cut from 属于行政查询事项) may cost a row or two


@pytest.mark.parametrize(("word", "values"), [
    ("其中2件为2018年立案", ["2"]),  # a year in a sentence is no cell
    ("统计期限自2020年1月1日起至2020年12月31日止", []),
    ("总计00002021年", ["00002021"]),  # cells run together before a year: a run for index.runs, not a date
    ("规章000规范性文件898989", ["000", "898989"]),
])
def test_a_date_in_a_sentence_is_no_cell(word, values):
    from index.align import _unglue

    assert [piece for piece, cell in _unglue(word) if cell is not None] == values
