"""Cells run together (index/runs.py): split by the tables' own sums, or left unread.

Rows are the real ones of the 平潭综合实验区 crawler text dumps (tests/fixtures/
corpus/textdump), read here by a minimal label finder so the splitter is tested
on its own; every split is compared with the hand-read gold. Negative cases:
runs that several splits fit stay unread.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from pathlib import Path

import pytest

from index import catalogue, runs
from index.catalogue import TABLE_APPLY
from index.runs import Equation, Run, apply_equations, review_sums, row_sums, split_table

TEXTDUMP = Path(__file__).resolve().parent / "fixtures" / "corpus" / "textdump"
GOLD = json.loads((TEXTDUMP / "gold.json").read_text(encoding="utf-8"))
APPLY_WIDTH = 7
SPECIAL = (runs.NEW, runs.CARRIED_OVER, runs.TOTAL, runs.CARRIED_FORWARD)


def _apply_keys(fmt: str) -> list[str]:
    cat = catalogue.load()
    return [m.key for m in cat.metrics.values() if m.table == TABLE_APPLY and fmt in m.formats]


def _apply_table(rows: dict[str, str], fmt: str) -> runs.Outcome:
    keys = _apply_keys(fmt)
    table = [Run(k, rows[k], APPLY_WIDTH, row_sums(APPLY_WIDTH)) for k in keys if k in rows]
    results = [k for k in keys if k not in SPECIAL]
    return split_table(table, apply_equations(rows, results, APPLY_WIDTH))


# --- a minimal label finder: the template's labels in order, the value text after each -----------

_VALUE_TEXT = re.compile(r"^[\d\s.|/+\-—元万]*")


def _label_pattern(label: str) -> re.Pattern:
    return re.compile(r"[^\w]*".join(map(re.escape, label)))


def _rows_after_labels(text: str, labels: list[tuple[str, tuple[str, ...]]]) -> dict[str, str]:
    found, pos = [], 0
    for key, variants in labels:
        hits = [m for v in variants if (m := _label_pattern(v).search(text, pos))]
        if hits:
            best = min(hits, key=lambda m: (m.start(), -len(m.group(0))))
            found.append((key, best))
            pos = best.end()
    out = {}
    for i, (key, m) in enumerate(found):
        end = found[i + 1][1].start() if i + 1 < len(found) else len(text)
        raw = _VALUE_TEXT.match(text[m.end() : end].lstrip("）)”\"")).group(0)
        out[key] = re.sub(r"\d[.．、]\s*$", "", raw)  # the next label's own number (2.其他法律…)
    return out


def _dump(name: str) -> str:
    return unicodedata.normalize("NFKC", (TEXTDUMP / name).read_text(encoding="utf-8"))


def _apply_rows(name: str) -> dict[str, str]:
    text = _dump(name)
    text = text[text.index("申请人情况") :]
    cat = catalogue.load()
    keys = _apply_keys(GOLD[name]["table_format"])
    return _rows_after_labels(text, [(k, cat.metrics[k].rows) for k in keys])


def _review_text(name: str) -> str:
    text = _dump(name)
    table = text[text.index("政府信息公开行政复议") :]
    table = table[: table.index("五、")]
    return _VALUE_TEXT.match(table[table.rindex("总计") + 2 :]).group(0)


# --- single rows -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        ("713000074", ("71", "3", "0", "0", "0", "0", "74")),  # the example
        ("15130000154", ("151", "3", "0", "0", "0", "0", "154")),  # 2025 一
        ("230 000023", ("23", "0", "0", "0", "0", "0", "23")),  # 2019 一: a space between two cells
        ("23 0 00 0 023", ("23", "0", "0", "0", "0", "0", "23")),  # 2019 （七）总计
        ("0 0 00 00 0 ", ("0",) * 7),  # 2019 四
        ("630020469", ("63", "0", "0", "2", "0", "4", "69")),  # 2021 （七）总计
        ("71 3 00 0074", ("71", "3", "0", "0", "0", "0", "74")),  # some cells apart, some run together
    ],
)
def test_a_row_its_own_sum_decides(text, cells):
    out = split_table([Run("apply.new", text, APPLY_WIDTH, row_sums(APPLY_WIDTH))])
    assert out.cells == {"apply.new": cells}
    assert out.recovered == {"apply.new"}


def test_a_row_printed_apart_is_read_as_printed_not_recovered():
    out = split_table([Run("apply.new", "64 0 0 2 0 4 70", APPLY_WIDTH, row_sums(APPLY_WIDTH))])
    assert out.cells["apply.new"] == ("64", "0", "0", "2", "0", "4", "70")
    assert not out.recovered and not out.unreadable


def test_a_row_several_splits_fit_is_unreadable():
    # 2021 （一）予以公开: 27,0,0,2,0,1,30 and 2,7,0,0,20,1,30 both add up within the row
    out = split_table([Run("apply.granted", "270020130", APPLY_WIDTH, row_sums(APPLY_WIDTH))])
    assert out.cells == {} and out.unreadable == {"apply.granted": runs.SEVERAL}


def test_table_2_runs_no_sum_rule_governs_are_unreadable_unless_one_cut_exists():
    # 表二 rows carry no sums (现行有效 is no total of 制发 and 废止): only a cut that can go one way is read
    out = split_table([
        Run("rules", "000", 3), Run("normative_docs", "693665", 3), Run("licensing", "2293", 1),
        Run("fees", "24252.311082", 1), Run("fees_2019", "350", 2), Run("procurement", "13575394432.52元", 2),
    ])
    assert out.cells == {"rules": ("0", "0", "0"), "licensing": ("2293",), "fees": ("24252.311082",)}
    assert out.recovered == {"rules"}
    assert set(out.unreadable) == {"normative_docs", "fees_2019", "procurement"}


def test_a_run_blank_cells_could_explain_differently_is_unreadable_where_no_sum_governs():
    # "150" in three cells: 1,5,0, or a blank cell (printed as nothing) and 15,0, or 150 alone
    out = split_table([Run("proactive.normative_docs", "150", 3), Run("proactive.rules", "000", 3)])
    assert out.unreadable == {"proactive.normative_docs": runs.BLANKS}
    assert out.cells == {"proactive.rules": ("0", "0", "0")}  # 00 is no number: three zeros are three cells


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", runs.NO_VALUES),
        ("12", runs.TOO_FEW),
        ("1200000", runs.NO_FIT),  # 1+2 ≠ 0, and no other cut of seven digits into seven cells
        ("00000002", runs.NO_FIT),  # the next label's "2." taken as a value: 02 and 00 are no numbers
        ("7130000 74 见附件", runs.NOT_NUMBERS),
    ],
)
def test_rows_that_cannot_be_cut_say_why(text, why):
    out = split_table([Run("apply.new", text, APPLY_WIDTH, row_sums(APPLY_WIDTH))])
    assert out.unreadable == {"apply.new": why} and not out.cells


def test_too_many_cuts_is_unreadable_not_slow():
    # 28 digits into 7 cells with no sum to narrow them: hundreds of thousands of cuts
    out = split_table([Run("proactive.x", "1234567891234567891234567891", 7)])
    assert out.unreadable == {"proactive.x": runs.TOO_MANY_CUTS}
    # a whole table of long runs: the work is capped per table, every row unread
    started = time.perf_counter()
    table = [Run(f"r{i}", "12345678912345678", 7, row_sums(7)) for i in range(25)]
    out = split_table(table)
    assert set(out.unreadable.values()) == {runs.TOO_MANY_CUTS} and len(out.unreadable) == 25
    assert time.perf_counter() - started < 10


def test_too_many_ways_to_cut_the_whole_table_is_unreadable():
    # 24 rows each 2,20,…,22 or 22,0,…,22, and a total half of them of each kind fits: millions of ways
    table = [Run(f"r{i}", "220000022", 7, row_sums(7)) for i in range(24)]
    table.append(Run("t", "288 240 0 0 0 0 528", 7, row_sums(7)))
    eqs = [Equation(tuple((f"r{i}", c, 1) for i in range(24)) + (("t", c, -1),)) for c in range(7)]
    out = split_table(table, eqs)
    assert set(out.unreadable.values()) == {runs.TOO_MANY_WAYS} and out.cells == {"t": ("288", "240", "0", "0", "0", "0", "528")}


def test_column_sums_decide_between_two_rows_cuts_and_ambiguity_stays_unread():
    sums = row_sums(3)
    # A and B are each 2,20,22 or 22,0,22; the total row's columns (24, 20, 44) fit A=2,20 B=22,0 and the reverse
    rows = [Run("a", "22022", 3, sums), Run("b", "22022", 3, sums), Run("t", "24 20 44", 3, sums)]
    eq = [Equation((("a", c, 1), ("b", c, 1), ("t", c, -1))) for c in range(3)]
    out = split_table(rows, eq)
    assert set(out.unreadable) == {"a", "b"} and out.cells == {"t": ("24", "20", "44")}
    # with the total 44, 0, 44 only A = B = 22,0,22 fits
    rows[2] = Run("t", "44 0 44", 3, sums)
    out = split_table(rows, eq)
    assert out.cells["a"] == out.cells["b"] == ("22", "0", "22") and out.recovered == {"a", "b"}


def test_when_the_sums_hold_for_no_cut_the_runs_are_unread():
    sums = row_sums(3)
    rows = [Run("a", "22022", 3, sums), Run("t", "5 0 5", 3, sums)]
    eq = [Equation((("a", c, 1), ("t", c, -1))) for c in range(3)]
    out = split_table(rows, eq)
    assert out.unreadable == {"a": runs.SUMS_FAIL} and out.cells == {"t": ("5", "0", "5")}
    # cut one way only (10,0,10) by its own sum, but the column sums say otherwise: not kept either
    out = split_table([Run("a", "10010", 3, sums), rows[1]], eq)
    assert out.unreadable == {"a": runs.SUMS_FAIL}
    # and kept where they hold
    out = split_table([Run("a", "10010", 3, sums), Run("t", "10 0 10", 3, sums)], eq)
    assert out.cells["a"] == ("10", "0", "10") and out.recovered == {"a"}


# --- whole tables of the real text dumps, against the hand-read gold ------------------------------


@pytest.mark.parametrize("name", sorted(GOLD))
def test_table_3_of_each_text_dump_is_split_exactly(name):
    rows = _apply_rows(name)
    fmt = GOLD[name]["table_format"]
    assert set(rows) == set(_apply_keys(fmt))
    out = _apply_table(rows, fmt)
    assert not out.unreadable
    facts = GOLD[name]["facts"]
    for key, cells in out.cells.items():
        assert [int(c) for c in cells] == [facts[f"{key}.{a}"] for a in catalogue.load().applicant_order], key


def test_column_sums_are_what_decides_some_real_rows():
    # 2023 （二）部分公开 "191000020" is 19,1,0,0,0,0,20 or 1,9,10,0,0,0,20 by its own sum; the columns pick one
    alone = split_table([Run("apply.partial", "191000020", APPLY_WIDTH, row_sums(APPLY_WIDTH))])
    assert "apply.partial" in alone.unreadable
    out = _apply_table(_apply_rows("05_pingtan_2023.txt"), "2021")
    assert out.cells["apply.partial"] == ("19", "1", "0", "0", "0", "0", "20")


@pytest.mark.parametrize("name", sorted(GOLD))
def test_table_4_of_each_text_dump_is_split_exactly(name):
    cat = catalogue.load()
    out = split_table([Run("review", _review_text(name), 15, review_sums(15))])
    facts = GOLD[name]["facts"]
    expected = [facts[f"{b}.{c}"] for b in cat.review_blocks for c in cat.review_columns]
    assert [int(c) for c in out.cells["review"]] == expected


def test_a_row_missing_drops_the_column_rule_it_was_part_of():
    rows = _apply_rows("05_pingtan_2023.txt")
    del rows["apply.denied.state_secret"]
    out = _apply_table(rows, "2021")
    # without every row under 三, 予以公开 "220000022" (2,20,… or 22,0,…) is decided by no rule any more
    assert out.unreadable == {"apply.granted": runs.SEVERAL, "apply.partial": runs.SEVERAL}


def test_an_answer_on_a_recovered_figure_says_so():
    from bot.question.compose import figure_notes, replies
    from bot.question.query import Figure

    read = Figure("平潭综合实验区", 2021, "apply.new", "total", 70, "件", "70", kind="number")
    cut = Figure("平潭综合实验区", 2021, "apply.new", "total", 70, "件", "70", kind=runs.RECOVERED)
    note = replies()["note_recovered"]
    assert note not in figure_notes(read)
    assert note in figure_notes(cut)
    # a sum says so when any of its parts was recovered
    assert note in figure_notes(Figure("平潭综合实验区", 2021, "apply.unable", "total", 25, "件", parts=[read, cut]))


# --- through the aligner: a report printed with spaces where a few rows ran together -----------------

APPLY_LABELS_2021 = {
    "apply.new": "一、本年新收政府信息公开申请数量", "apply.carried_over": "二、上年结转政府信息公开申请数量",
    "apply.granted": "三、本年度办理结果 （一）予以公开", "apply.partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "apply.denied.state_secret": "（三）不予公开 1.属于国家秘密", "apply.denied.law_forbidden": "2.其他法律行政法规禁止公开",
    "apply.denied.security_stability": "3.危及“三安全一稳定”", "apply.denied.third_party": "4.保护第三方合法权益",
    "apply.denied.internal_affairs": "5.属于三类内部事务信息", "apply.denied.process_info": "6.属于四类过程性信息",
    "apply.denied.enforcement_file": "7.属于行政执法案卷", "apply.denied.query_matter": "8.属于行政查询事项",
    "apply.unable.not_held": "（四）无法提供 1.本机关不掌握相关政府信息", "apply.unable.need_creation": "2.没有现成信息需要另行制作",
    "apply.unable.unclear": "3.补正后申请内容仍不明确", "apply.not_processed.petition": "（五）不予处理 1.信访举报投诉类申请",
    "apply.not_processed.repeated": "2.重复申请", "apply.not_processed.publication": "3.要求提供公开出版物",
    "apply.not_processed.excessive": "4.无正当理由大量反复申请",
    "apply.not_processed.confirm": "5.要求行政机关确认或重新出具已获取信息",
    "apply.other.no_correction": "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "apply.other.no_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "apply.other.other": "3.其他", "apply.total": "（七）总计", "apply.carried_forward": "四、结转下年度继续办理",
}


def _gold_rows(name: str) -> dict[str, list[int]]:
    facts = GOLD[name]["facts"]
    return {key: [facts[f"{key}.{a}"] for a in catalogue.load().applicant_order] for key in APPLY_LABELS_2021}


def _spaced_report(rows: dict[str, list[int]], run_together: set[str]) -> list[str]:
    """表三 a row a line with spaces between cells, except the rows that run together."""
    lines = ["三、收到和处理政府信息公开申请情况", "申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计"]
    for key, label in APPLY_LABELS_2021.items():
        cells = [str(v) for v in rows[key]]
        lines.append(f"{label} {''.join(cells) if key in run_together else ' '.join(cells)}")
    lines.append("四、政府信息公开行政复议、行政诉讼情况")
    return lines


def test_rows_the_aligner_cannot_fit_are_cut_with_the_rows_it_read():
    from index.parse import parse_lines

    name = "05_pingtan_2023.txt"
    # 予以公开 220000022 and 部分公开 191000020 fit two cuts each by their own sums: the columns decide
    together = {"apply.new", "apply.granted", "apply.partial", "apply.total"}
    report = parse_lines(_spaced_report(_gold_rows(name), together), Path("x.txt"))
    facts = {(f.metric, f.applicant): f for f in report.facts}
    gold = GOLD[name]["facts"]
    for key in together:
        for a in catalogue.load().applicant_order:
            fact = facts[(key, a)]
            assert (fact.value, fact.kind) == (gold[f"{key}.{a}"], runs.RECOVERED), (key, a)
    assert facts[("apply.carried_forward", "total")].kind == "number"  # printed apart: read, not recovered
    assert not [w for w in report.warnings if "unreadable" in w]


def test_a_run_the_aligner_hands_over_that_several_cuts_fit_stays_unread():
    from index.parse import parse_lines

    # 予以公开 2,20,…,22 and 部分公开 22,0,…,22 both print 220000022: swapped, every sum still holds
    rows = {key: [0] * 7 for key in APPLY_LABELS_2021}
    rows["apply.granted"], rows["apply.partial"] = [2, 20, 0, 0, 0, 0, 22], [22, 0, 0, 0, 0, 0, 22]
    rows["apply.total"] = rows["apply.new"] = [24, 20, 0, 0, 0, 0, 44]
    report = parse_lines(_spaced_report(rows, {"apply.granted", "apply.partial"}), Path("x.txt"))
    facts = {(f.metric, f.applicant): f for f in report.facts}
    assert not any(m in ("apply.granted", "apply.partial") for m, _ in facts)
    assert facts[("apply.total", "commercial")].value == 20
    unread = [w for w in report.warnings if "unreadable" in w]
    assert len(unread) == 2 and all(runs.SEVERAL in w for w in unread)
