"""Other agencies' tables: small synthetic reports in the layouts and label variants real reports use.

One national 2021-format report (its figures add up) is printed in many ways;
every way must give the same cells. Nothing here is fitted to the seeds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.parse import parse_lines

T = "\t"
APPLICANTS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
ZERO = [0] * 7

# (group cell, row label, metric, values natural … total), as the 2021 template prints 表三
APPLY_2021 = [
    ("", "一、本年新收政府信息公开申请数量", "apply.new", [10, 2, 0, 0, 1, 0, 13]),
    ("", "二、上年结转政府信息公开申请数量", "apply.carried_over", [1, 0, 0, 0, 0, 0, 1]),
    ("三、本年度办理结果", "（一）予以公开", "apply.granted", [4, 1, 0, 0, 0, 0, 5]),
    ("", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "apply.partial", [1, 0, 0, 0, 0, 0, 1]),
    ("（三）不予公开", "1.属于国家秘密", "apply.denied.state_secret", ZERO),
    ("", "2.其他法律行政法规禁止公开", "apply.denied.law_forbidden", [1, 0, 0, 0, 0, 0, 1]),
    ("", "3.危及“三安全一稳定”", "apply.denied.security_stability", ZERO),
    ("", "4.保护第三方合法权益", "apply.denied.third_party", ZERO),
    ("", "5.属于三类内部事务信息", "apply.denied.internal_affairs", ZERO),
    ("", "6.属于四类过程性信息", "apply.denied.process_info", ZERO),
    ("", "7.属于行政执法案卷", "apply.denied.enforcement_file", ZERO),
    ("", "8.属于行政查询事项", "apply.denied.query_matter", ZERO),
    ("（四）无法提供", "1.本机关不掌握相关政府信息", "apply.unable.not_held", [1, 0, 0, 0, 1, 0, 2]),
    ("", "2.没有现成信息需要另行制作", "apply.unable.need_creation", ZERO),
    ("", "3.补正后申请内容仍不明确", "apply.unable.unclear", ZERO),
    ("（五）不予处理", "1.信访举报投诉类申请", "apply.not_processed.petition", [1, 0, 0, 0, 0, 0, 1]),
    ("", "2.重复申请", "apply.not_processed.repeated", ZERO),
    ("", "3.要求提供公开出版物", "apply.not_processed.publication", ZERO),
    ("", "4.无正当理由大量反复申请", "apply.not_processed.excessive", ZERO),
    ("", "5.要求行政机关确认或重新出具已获取信息", "apply.not_processed.confirm", ZERO),
    ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
     "apply.other.no_correction", [0, 1, 0, 0, 0, 0, 1]),
    ("", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "apply.other.no_fee", ZERO),
    ("", "3.其他", "apply.other.other", [1, 0, 0, 0, 0, 0, 1]),
    ("", "（七）总计", "apply.total", [9, 2, 0, 0, 1, 0, 12]),
    ("", "四、结转下年度继续办理", "apply.carried_forward", [2, 0, 0, 0, 0, 0, 2]),
]
APPLY_HEADER = [
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "申请人情况"],
    ["", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
    ["", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
]
REVIEW = {
    "review": [1, 0, 1, 0, 2],
    "litigation.direct": [0, 1, 0, 0, 1],
    "litigation.after_review": [1, 0, 0, 1, 2],
}
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
REVIEW_HEADS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
PROACTIVE_2021 = {
    (metric, None): raw for metric, raw in {
        "proactive.rules.issued": "1", "proactive.rules.repealed": "0", "proactive.rules.in_force": "11",
        "proactive.normative_docs.issued": "2", "proactive.normative_docs.repealed": "1",
        "proactive.normative_docs.in_force": "30", "proactive.licensing.decisions": "500",
        "proactive.penalty.decisions": "40", "proactive.coercion.decisions": "3", "proactive.fees.amount": "12.5",
    }.items()
}
TITLE = "某某市某某区人民政府2023年政府信息公开工作年度报告"


def parse(lines: list[str]):
    return parse_lines(lines, Path("synthetic.txt"))


def cells_of(report, tables=("表二", "表三", "表四")) -> dict[tuple[str, str | None], str]:
    return {(f.metric, f.applicant): f.raw for f in report.facts if f.table in tables}


def expected_apply(rows=APPLY_2021) -> dict:
    return {(m, a): str(v) for _, _, m, values in rows for a, v in zip(APPLICANTS, values, strict=True)}


def expected_review() -> dict:
    return {(f"{b}.{c}", None): str(v) for b, vs in REVIEW.items() for c, v in zip(REVIEW_COLUMNS, vs, strict=True)}


def review_15_rows() -> list[list[str]]:
    values = [str(v) for vs in REVIEW.values() for v in vs]
    return [
        ["行政复议", "", "", "", "", "行政诉讼"] + [""] * 9,
        REVIEW_HEADS + ["未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
        [""] * 5 + REVIEW_HEADS + REVIEW_HEADS,
        values,
    ]


def tab_report(apply_rows: list[list[str]], review_rows: list[list[str]] | None = None) -> list[str]:
    lines = [TITLE, "三、收到和处理政府信息公开申请情况"]
    lines += [T.join(r) for r in APPLY_HEADER + apply_rows]
    lines += ["四、政府信息公开行政复议、行政诉讼情况"]
    lines += [T.join(r) for r in (review_rows or review_15_rows())]
    return lines + ["五、存在的主要问题及改进情况", "无。"]


def apply_tab_rows(label=lambda group, label: [group, label], rows=APPLY_2021) -> list[list[str]]:
    return [label(g, lab) + [str(v) for v in values] for g, lab, _, values in rows]


# --- 表三: label variants ---------------------------------------------------------------------

RENUMBERINGS = {
    "dot": lambda s: s,
    "dunhao": lambda s: re.sub(r"^(\d)\.", r"\1、", s),
    "paren": lambda s: re.sub(r"^(\d)\.", r"（\1）", s),
    "ascii-paren": lambda s: re.sub(r"^(\d)\.", r"(\1)", s).replace("（", "(").replace("）", ")"),
    "fullwidth-digit": lambda s: re.sub(r"^(\d)\.", lambda m: chr(ord(m[1]) + 0xFEE0) + "．", s),
    "spaced": lambda s: " ".join(s),
    "no-number": lambda s: re.sub(r"^(?:[（(]?[一二三四五六七八九十\d]+[)）、.]?)", "", s),
}


@pytest.mark.parametrize("name", list(RENUMBERINGS))
def test_apply_labels_numbered_differently(name):
    renumber = RENUMBERINGS[name]
    rows = apply_tab_rows(lambda g, lab: [renumber(g), renumber(lab)])
    assert cells_of(parse(tab_report(rows)), ("表三",)) == expected_apply()


@pytest.mark.parametrize("join", [
    lambda g, lab: f"{g} {lab}".strip(),
    lambda g, lab: " ".join(f"{g}{lab}"),
    lambda g, lab: f"{g}\u3000{RENUMBERINGS['dunhao'](lab)}".strip(),
], ids=["space", "spaced-characters", "ideographic-space-and-dunhao"])
def test_apply_group_and_row_in_one_cell(join):
    """（三）不予公开 1.属于国家秘密 in one cell, as a merged HTML/Word cell comes out."""
    rows = apply_tab_rows(lambda g, lab: [join(g, lab)])
    report = parse(tab_report(rows))
    assert cells_of(report, ("表三",)) == expected_apply()
    assert report.format == "2021"


def test_apply_group_only_on_its_first_row_and_label_split_over_two_columns():
    rows = apply_tab_rows(lambda g, lab: [g, "", lab])
    assert cells_of(parse(tab_report(rows)), ("表三",)) == expected_apply()


def test_apply_rows_with_extra_empty_cells_are_aligned_by_the_sums():
    """Exports add empty cells for merged columns: the values still land under the right applicants."""
    rows = [[g, lab, ""] + [str(v) for v in values] + [""] for g, lab, _, values in APPLY_2021]
    assert cells_of(parse(tab_report(rows)), ("表三",)) == expected_apply()


def test_apply_2019_format_other_row():
    rows_2019 = [r for r in APPLY_2021 if not r[2].startswith("apply.other.")]
    at = [r[2] for r in rows_2019].index("apply.total")
    rows_2019.insert(at, ("", "（六）其他处理", "apply.other", [1, 1, 0, 0, 0, 0, 2]))
    report = parse(tab_report(apply_tab_rows(rows=rows_2019)))
    assert cells_of(report, ("表三",)) == expected_apply(rows_2019)
    assert report.format == "2019"


def test_apply_blank_and_slash_cells_stay_what_they_say():
    rows = apply_tab_rows()
    rows[0] = ["", "一、本年新收政府信息公开申请数量", "10", "2", "", "/", "1", "-", "13"]
    got = parse(tab_report(rows))
    kinds = {f.applicant: (f.raw, f.kind, f.value) for f in got.facts if f.metric == "apply.new"}
    assert kinds == {
        "natural": ("10", "number", 10), "commercial": ("2", "number", 2), "research": ("", "blank", None),
        "social": ("/", "slash", None), "legal": ("1", "number", 1), "other_org": ("-", "dash", None),
        "total": ("13", "number", 13),
    }


# --- 表三 and 表四 in other layouts --------------------------------------------------------------


def test_markdown_tables():
    lines = [TITLE, "三、收到和处理政府信息公开申请情况"]
    rows = APPLY_HEADER + apply_tab_rows()
    lines += ["| " + " | ".join(rows[0] + [""] * 6) + " |", "|" + "---|" * 9]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    lines += ["四、政府信息公开行政复议、行政诉讼情况"]
    review = review_15_rows()
    lines += ["| " + " | ".join(review[0]) + " |", "|" + "---|" * 15]
    lines += ["| " + " | ".join(r) + " |" for r in review[1:]]
    got = cells_of(parse(lines))
    assert got == {**expected_apply(), **expected_review()}


def test_one_cell_per_line():
    lines = [TITLE, "三、收到和处理政府信息公开申请情况", ""]
    for row in APPLY_HEADER + apply_tab_rows() + [["四、政府信息公开行政复议、行政诉讼情况"]]:
        if len(row) == 1:
            lines += [row[0], ""]
            continue
        lines += ["\t" + c for c in row] + [""]
    for row in review_15_rows():
        lines += ["\t" + c for c in row] + [""]
    got = cells_of(parse(lines))
    assert got == {**expected_apply(), **expected_review()}


def test_rows_printed_with_spaces():
    """Text taken from a PDF without ruling lines: label, then values, one space apart."""
    lines = [TITLE, "三、收到和处理政府信息公开申请情况", "申请人情况", "自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计"]
    lines += [f"{g}{lab} " + " ".join(str(v) for v in values) for g, lab, _, values in APPLY_2021]
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 行政诉讼", " ".join(REVIEW_HEADS)]
    lines += [" ".join(str(v) for vs in REVIEW.values() for v in vs)]
    lines += ["五、存在的主要问题及改进情况", "全年共办理 3 5"]
    got = cells_of(parse(lines))
    assert got == {**expected_apply(), **expected_review()}


def test_prose_ending_in_numbers_inside_a_table_section_is_no_row():
    lines = [TITLE, "三、收到和处理政府信息公开申请情况", "本年新收政府信息公开申请数量同比增长 12", "无。"]
    assert cells_of(parse(lines)) == {}


# --- 表四 variants ----------------------------------------------------------------------------


def _review_report(review_rows: list[list[str]]) -> list[str]:
    return tab_report(apply_tab_rows(), review_rows)


REVIEW_LAYOUTS = {
    "three labelled rows of five": [
        ["", *REVIEW_HEADS],
        ["行政复议", *map(str, REVIEW["review"])],
        ["行政诉讼（未经复议直接起诉）", *map(str, REVIEW["litigation.direct"])],
        ["行政诉讼（复议后起诉）", *map(str, REVIEW["litigation.after_review"])],
    ],
    "a header over each row of five": [
        ["行政复议", *REVIEW_HEADS], ["", *map(str, REVIEW["review"])],
        ["未经复议直接起诉", *REVIEW_HEADS], ["", *map(str, REVIEW["litigation.direct"])],
        ["复议后起诉", *REVIEW_HEADS], ["", *map(str, REVIEW["litigation.after_review"])],
    ],
    "five then ten": [
        ["行政复议", "", "", "", ""], REVIEW_HEADS, list(map(str, REVIEW["review"])),
        ["行政诉讼"] + [""] * 9, ["未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
        REVIEW_HEADS + REVIEW_HEADS,
        [str(v) for v in REVIEW["litigation.direct"] + REVIEW["litigation.after_review"]],
    ],
    "fifteen with a leading label cell": review_15_rows()[:3] + [["数量", *review_15_rows()[3]]],
}


@pytest.mark.parametrize("layout", list(REVIEW_LAYOUTS))
def test_review_layouts(layout):
    got = cells_of(parse(_review_report(REVIEW_LAYOUTS[layout])), ("表四",))
    assert got == expected_review()


def test_review_printed_all_blank_is_fifteen_blank_cells():
    rows = review_15_rows()[:3] + [[""] * 15]
    report = parse(_review_report(rows))
    got = {f.metric: f.kind for f in report.facts if f.table == "表四"}
    assert got == {k: "blank" for k, _ in expected_review()}
    assert "表四" not in report.missing_tables


# --- 表二 ---------------------------------------------------------------------------------------


def proactive_2021(licensing_row: list[str], fees_header: str = "本年收费金额（单位：万元）") -> list[str]:
    rows = [
        ["第二十条第（一）项", "", "", ""],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", "11"],
        ["行政规范性文件", "2", "1", "30"],
        ["第二十条第（五）项", "", "", ""],
        ["信息内容", "本年处理决定数量", "", ""],
        licensing_row,
        ["第二十条第（六）项", "", "", ""],
        ["信息内容", "本年处理决定数量", "", ""],
        ["行政处罚", "40", "", ""],
        ["行政强制", "", "3", ""],
        ["第二十条第（八）项", "", "", ""],
        ["信息内容", fees_header, "", ""],
        ["行政事业性收费", "12.5", "", ""],
    ]
    return [TITLE, "二、主动公开政府信息情况", *(T.join(r) for r in rows), "三、收到和处理政府信息公开申请情况", "无。"]


@pytest.mark.parametrize("licensing_row", [
    ["行政许可", "500", "", ""],
    ["行政许可", "", "500", ""],
    ["行政许可", "", "", "500"],
], ids=["under-header", "merged-differently", "last-column"])
def test_proactive_2021_merged_cells(licensing_row):
    report = parse(proactive_2021(licensing_row))
    assert cells_of(report, ("表二",)) == PROACTIVE_2021
    fees = next(f for f in report.facts if f.metric == "proactive.fees.amount")
    assert (fees.value, fees.unit) == (12.5, "万元")
    assert report.format == "2021"


def test_proactive_2019_row_shifted_by_an_empty_cell():
    rows = [
        ["第二十条第（五）项", "", "", ""],
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        ["行政许可", "", "-", "+40", "3645"],
        ["其他对外管理服务事项", "12", "-3", "328"],
        ["第二十条第（九）项", "", "", ""],
        ["信息内容", "采购项目数量", "采购总金额", ""],
        ["政府集中采购", "57", "8937万元", ""],
    ]
    report = parse([TITLE, "二、主动公开政府信息情况", *(T.join(r) for r in rows), "三、其他", "无。"])
    facts = {f.metric: (f.raw, f.kind, f.value, f.unit) for f in report.facts if f.table == "表二"}
    assert facts == {
        "proactive.licensing.prev_items": ("-", "dash", None, None),
        "proactive.licensing.change": ("+40", "number", 40, "项"),
        "proactive.licensing.decisions": ("3645", "number", 3645, "件"),
        "proactive.other_services.prev_items": ("12", "number", 12, "项"),
        "proactive.other_services.change": ("-3", "number", -3, "项"),
        "proactive.other_services.decisions": ("328", "number", 328, "件"),
        "proactive.procurement.items": ("57", "number", 57, "项"),
        "proactive.procurement.amount": ("8937万元", "number", 8937, "万元"),
    }
    assert report.format == "2019"


def test_proactive_spaced_rows():
    lines = [TITLE, "二、主动公开政府信息情况", "第二十条 第（一）项", "信息内容 本年制发件数 本年废止件数 现行有效件数",
             "规章 1 0 11", "行政规范性文件 2 1 30", "第二十条 第（五）项", "信息内容 本年处理决定数量", "行政许可 500",
             "第二十条 第（六）项", "信息内容 本年处理决定数量", "行政处罚 40", "行政强制 3",
             "第二十条 第（八）项", "信息内容 本年收费金额（单位：万元）", "行政事业性收费 12.5", "三、其他", "无。"]
    assert cells_of(parse(lines), ("表二",)) == PROACTIVE_2021


def test_all_three_tables_missing_in_a_narrative_report():
    report = parse([TITLE, "一、总体情况", "2023年共收到政府信息公开申请5件。"])
    assert report.format == "none"
    assert report.missing_tables == ["表二", "表三", "表四"]


@pytest.mark.parametrize(("values", "lead", "placed"), [
    ([1, 2, 3], None, [1, 2, 3]),  # as many values as cells
    ([1, 2], None, None),  # fewer: which cell is missing is not known
    ([0, 1, 2, 3, 0], None, [1, 2, 3]),  # blanks (0 here) dropped, the window whose sums hold wins
    ([0, 0, 4, 4], None, [0, 4, 4]),  # no window adds up: the leftmost of those that drop only blanks
    ([0, 0, 4, 4], 1, [0, 4, 4]),
    ([0, 0, 0, 0], 1, [0, 0, 0]),  # every window adds up: the one under the header's first column
    ([5, 1, 2, 3], None, None),  # a filled value is never dropped
])
def test_one_placement_step_for_every_reader(values, lead, placed):
    from index.template import place

    # values: (text, number); 0 stands for a blank cell, the last cell is the row's 总计
    cells = [(i, v) for i, v in enumerate(values)]
    got = place(cells, 3, lambda c: c[1] == 0, lambda w: w[0][1] + w[1][1] == w[2][1], lead)
    assert (got if got is None else [v for _, v in got]) == placed
    if got is not None and lead is not None and values == [0, 0, 0, 0]:
        assert got[0][0] == lead
