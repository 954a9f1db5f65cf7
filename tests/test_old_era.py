"""The 2008–2018 reports: their own statistics table, their prose, and trends across the 2019 change.

tests/fixtures/corpus/old holds 平潭's reports for 2011–2018 as published, with every
table row and prose count read by hand (gold.json). Every one of them must come out
of an index built from the real files, with the 历年累计 kept apart from the year's
value; a cell the gold has blank gives no fact. Synthetic tables with other row
wording and order, as other counties printed them, read the same way, and digits
no rule can cut give no fact. A trend over 2011–2025 with the newer reports in the
same index answers year by year and says where the definition changed.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.question import compose
from bot.question.asker import Asker
from index import catalogue
from index.build import build_index
from index.layout import blocks as read_blocks
from index.old_table import read_old_table
from index.parse import parse_file
from index.same_body import place_of

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
OLD = CORPUS / "old"
GOLD = json.loads((OLD / "gold.json").read_text(encoding="utf-8"))
CUM = "（历年累计）"

# every row label gold.json uses, as printed, → the metric it must become (written here by hand, not matched)
LABEL_KEYS = {
    "主动公开信息数": "old.proactive", "主动公开文件数": "old.proactive",
    "网站公开": "old.proactive.website", "政府网站公开数": "old.proactive.website",
    "政府公报公开": "old.proactive.gazette", "政府公报公开数": "old.proactive.gazette",
    "受理依申请公开信息总数": "old.apply.received", "受理政府信息依申请公开总数": "old.apply.received",
    "当面申请数": "old.apply.in_person", "传真申请数": "old.apply.fax", "电子邮件申请数": "old.apply.email",
    "网上申请数": "old.apply.online", "信函申请数": "old.apply.letter", "信函、传真申请数": "old.apply.letter_fax",
    "其它形式申请数": "old.apply.other_channel",
    "对申请的答复数": "old.reply.total", "对申请的答复总数": "old.reply.total",
    "同意公开答复数": "old.reply.granted", "同意部分公开答复数": "old.reply.partial",
    "否决公开答复数": "old.reply.denied", "不予公开答复数": "old.reply.denied", "其他类型答复数": "old.reply.other",
    "政府信息公开收费减免金额": "old.fees",
    "行政申诉数": "old.complaints", "行政申诉、举报数": "old.complaints", "接受行政诉讼、举报数": "old.complaints",
    "行政复议数": "old.review", "行政诉讼数": "old.litigation",
}
# gold.json's prose keys → the metric a sentence's figure is stored under
PROSE_KEYS = {"主动公开政府信息": "prose.info_published", "收到申请": "apply.new", "行政复议": "review.total",
              "行政诉讼": "litigation.total"}


def _key(label: str) -> str:
    return LABEL_KEYS[label.removesuffix(CUM)] + (".cumulative" if label.endswith(CUM) else "")


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """The old corpus and the newer 平潭 text dumps (2019–2025) in one index, as published."""
    folder = tmp_path_factory.mktemp("old") / "reports"
    folder.mkdir()
    for path in [*OLD.glob("*.txt"), *(CORPUS / "textdump").glob("*.txt")]:
        shutil.copy(path, folder)
    out = folder.parent / "i.db"
    summary = build_index([folder], out)
    assert summary.failed == []
    return out


def _facts(db: Path, file: str, where: str, *args) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(f"select * from facts where file = ? and {where}", [file, *args]).fetchall()
    finally:
        conn.close()


def test_every_gold_label_is_named_here():
    assert {label.removesuffix(CUM) for rep in GOLD.values() for label in rep["stats"]} <= set(LABEL_KEYS)


@pytest.mark.parametrize("name", sorted(GOLD))
def test_every_statistics_table_row_comes_out(db, name):
    """Each gold row: the year's value under its metric, the 历年累计 under `.cumulative`, in the printed unit."""
    gold = GOLD[name]
    got = {r["metric"]: r for r in _facts(db, name, "source_table = ? and year = report_year", "统计表")}
    for label, value in gold["stats"].items():
        key = _key(label)
        if value is None:
            assert key not in got, f"{label}: the cell is blank, no fact"
            continue
        assert key in got, f"{label}: no fact"
        assert got[key]["value"] == value, label
        assert got[key]["unit"] == gold["units"][label.removesuffix(CUM)], label
    # nothing beyond the gold's rows
    assert set(got) == {_key(label) for label, v in gold["stats"].items() if v is not None}


@pytest.mark.parametrize("name", sorted(GOLD))
def test_prose_counts_come_out_and_no_other(db, name):
    gold = GOLD[name]["prose"]
    for key, metric in PROSE_KEYS.items():
        values = [r["value"] for r in _facts(db, name, "metric = ? and source_table = '正文'", metric)]
        if key not in gold:
            assert values == [], f"{key}: the text says nothing of it"
        elif metric == "prose.info_published":
            assert gold[key] in values  # the whole and its parts (区直 …, 各乡镇 …) are all stated
        else:
            assert set(values) == {gold[key]}, key


@pytest.mark.parametrize("name", sorted(GOLD))
def test_agency_year_and_table_format(db, name):
    report = parse_file(OLD / name)
    assert (report.meta.agency, report.meta.year) == (GOLD[name]["agency"], GOLD[name]["year"])
    assert report.format == ("2008" if GOLD[name]["stats"] else "none")
    assert report.missing_tables == ([] if GOLD[name]["stats"] else ["表二", "表三", "表四"])
    conn = sqlite3.connect(db)
    agency, fmt = conn.execute("select agency, format from reports where file = ?", [name]).fetchone()
    conn.close()
    assert (agency, fmt) == (GOLD[name]["agency"], report.format)  # the index keeps the name as printed


def test_one_body_written_two_ways_is_one_agency_to_questions(db):
    """平潭综合实验区管委会 (2014) and 平潭综合实验区 (the other years): one agency, 2014 among its years."""
    ix = Asker(db).index
    assert "平潭综合实验区管委会" not in ix.agencies
    assert ix.report("平潭综合实验区", 2014)["file"] == "08_pingtanshiyanqu_2014.txt"
    assert place_of("平潭综合实验区管委会") == "平潭综合实验区"


def test_cells_run_together_are_recovered_and_say_how(db):
    """02: cut by the table's own order; 03: only last year's 历年累计 decides (1516 + 2026 = 3542)."""
    kinds = {r["metric"]: r["kind"] for r in _facts(db, "02_pingtanxian_2011.txt", "source_table = '统计表'")}
    assert kinds["old.proactive"] == kinds["old.proactive.cumulative"] == "recovered"
    assert {r["kind"] for r in _facts(db, "01_pingtanshiyanqu_2011.txt", "source_table = '统计表'")} == {"number"}
    row = _facts(db, "03_pingtanxian_2012.txt", "metric = 'old.proactive'")[0]
    assert (row["kind"], row["sentence"]) == ("recovered", "1516 + 2026 = 3542 (2011 → 2012)")
    # 2017's count restarted (2016 printed 85376): 2018's 历年累计 decides it
    row = _facts(db, "11_pingtanshiyanqu_2017.txt", "metric = 'old.proactive.cumulative'")[0]
    assert (row["value"], row["sentence"]) == (10037, "10037 + 2069 = 12106 (2017 → 2018)")


# --- other counties' wording, order and layout -------------------------------------------------

SPACED = """某县人民政府2010年政府信息公开工作年度报告
附件：政府信息公开情况统计表 指标名称 计量单位 2010年度 历年累计 行政复议数 件 1 3 行政诉讼数 件 0 1 申诉数 件 2 2
依申请公开信息数 条 12 40 其中：1、网上申请数 条 5 20 2、当面申请数 条 7 20 同意公开答复数 条 8 30
部分同意公开答复数 条 2 5 信息不存在 条 1 2 非本机关 条 1 2 申请内容不明确 条 0 1 收取费用 元 0 0
主动公开信息数 条 300 900 附件下载
"""

RUN_TOGETHER = """某县人民政府2010年政府信息公开工作年度报告
政府信息公开情况统计表指标名称计量单位2010年度历年累计申请总数条1240其中：1.网上申请数条5202.当面申请数条720\
同意公开答复数条830部分同意公开答复数条25主动公开文件数条12345行政复议数件01
"""


def _old(tmp_path, text: str):
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    report = parse_file(path)
    return report, {f.metric: f.value for f in report.facts if f.table == "统计表"}


def test_other_wording_and_order_spaced(tmp_path):
    report, got = _old(tmp_path, SPACED)
    assert report.format == "2008"
    assert got == {
        "old.review": 1, "old.review.cumulative": 3, "old.litigation": 0, "old.litigation.cumulative": 1,
        "old.complaints": 2, "old.complaints.cumulative": 2,
        "old.apply.received": 12, "old.apply.received.cumulative": 40,
        "old.apply.online": 5, "old.apply.online.cumulative": 20,
        "old.apply.in_person": 7, "old.apply.in_person.cumulative": 20,
        "old.reply.granted": 8, "old.reply.granted.cumulative": 30,
        "old.reply.partial": 2, "old.reply.partial.cumulative": 5,
        "old.reply.not_exist": 1, "old.reply.not_exist.cumulative": 2,
        "old.reply.not_ours": 1, "old.reply.not_ours.cumulative": 2,
        "old.reply.unclear": 0, "old.reply.unclear.cumulative": 1,
        "old.fees": 0, "old.fees.cumulative": 0,
        "old.proactive": 300, "old.proactive.cumulative": 900,
    }
    assert next(f for f in report.facts if f.metric == "old.fees").unit == "元"


def test_other_wording_run_together_and_what_no_rule_can_cut(tmp_path):
    """申请总数条1240 is 12 | 40 only (its parts 5 | 20 and 7 | 20 add up to no more); 12345 could be 1 | 2345 or
    12 | 345 and nothing else in the report tells: no fact, a warning with the digits."""
    report, got = _old(tmp_path, RUN_TOGETHER)
    assert got == {
        "old.apply.received": 12, "old.apply.received.cumulative": 40,
        "old.apply.online": 5, "old.apply.online.cumulative": 20,
        "old.apply.in_person": 7, "old.apply.in_person.cumulative": 20,
        "old.reply.granted": 8, "old.reply.granted.cumulative": 30,
        "old.reply.partial": 2, "old.reply.partial.cumulative": 5,
        "old.review": 0, "old.review.cumulative": 1,
    }
    assert any("old.proactive" in w and w.endswith("12345") for w in report.warnings)


def test_cross_year_sum_decides_only_when_one_cut_fits(tmp_path):
    """2016's 12345 is 12 | 345 after 2015's 历年累计 333; another agency's 12345 with no neighbour stays unread."""
    folder = tmp_path / "r"
    folder.mkdir()
    head = "政府信息公开情况统计表 指标名称 计量单位 {y}年度 历年累计 主动公开文件数 条 {cells} 行政复议数 件 0 0\n"
    (folder / "a2015.txt").write_text("福建省连江县人民政府2015年政府信息公开工作年度报告\n"
                                      + head.format(y=2015, cells="33 333"), encoding="utf-8")
    (folder / "a2016.txt").write_text("福建省连江县人民政府2016年政府信息公开工作年度报告\n"
                                      + head.format(y=2016, cells="12345"), encoding="utf-8")
    (folder / "b2016.txt").write_text("福建省罗源县人民政府2016年政府信息公开工作年度报告\n"
                                      + head.format(y=2016, cells="12345"), encoding="utf-8")
    build_index([folder], tmp_path / "i.db")
    conn = sqlite3.connect(tmp_path / "i.db")
    rows = conn.execute("select file, metric, value, kind from facts where metric like 'old.proactive%' "
                        "order by file, metric").fetchall()
    conn.close()
    assert rows == [("a2015.txt", "old.proactive", 33, "number"), ("a2015.txt", "old.proactive.cumulative", 333, "number"),
                    ("a2016.txt", "old.proactive", 12, "recovered"),
                    ("a2016.txt", "old.proactive.cumulative", 345, "recovered")]


def test_no_old_table_where_a_report_prints_none(tmp_path):
    text = "某县人民政府2013年政府信息公开工作年度报告\n2013年主动公开政府信息45条，未收到政府信息公开申请。\n"
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    assert read_old_table(read_blocks(text.splitlines())).found is False
    assert parse_file(path).format == "none"


# --- trends across the 2019 change -------------------------------------------------------------

def _years(answer) -> dict[int, tuple[str, float]]:
    return {f["year"]: (f["metric"], f["value"]) for f in answer.facts}


def test_trend_of_applications_runs_2011_to_2025_and_says_the_definition_changed(db):
    answer = Asker(db).ask("平潭综合实验区历年收到多少申请")
    assert answer.status == "answered"
    years = _years(answer)
    old = {2011: 0, 2012: 0, 2013: 0, 2014: 1, 2015: 0, 2016: 0, 2017: 0, 2018: 0}
    assert {y: v for y, (m, v) in years.items() if m == "old.apply.received"} == old
    assert {y: v for y, (m, v) in years.items() if m == "apply.new"} == {2019: 23, 2021: 70, 2023: 81, 2025: 154}
    cat = catalogue.load()
    values = {"years": compose.years_text(sorted(old)), "old_label": cat.label("old.apply.received"),
              "label": cat.label("apply.new"), "first_new": 2019}
    assert compose.say("note_old_table", **values) in answer.text
    assert compose.say("note_old_changed", **values) in answer.text


def test_trend_of_reviews_over_a_span_of_years_is_one_series(db):
    answer = Asker(db).ask("平潭综合实验区2011到2025年行政复议")
    assert answer.status == "answered"
    years = _years(answer)
    assert sorted(years) == [2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2021, 2023, 2025]
    assert {y for y, (m, _) in years.items() if m == "old.review"} == set(range(2011, 2019))
    assert {y: v for y, (_, v) in years.items() if y >= 2019} == {2019: 0, 2021: 3, 2023: 2, 2025: 36}
    assert compose.replies()["note_old_same"] in answer.text


def test_an_old_row_is_asked_by_its_own_words(db):
    """当面申请 exists only in the old table: asked directly, it answers from there (a recovered cut says so)."""
    answer = Asker(db).ask("平潭县人民政府2012年当面申请多少")
    gold = GOLD["03_pingtanxian_2012.txt"]["stats"]["当面申请数"]
    assert (answer.status, answer.value) == ("answered", gold)
    assert [(f["metric"], f["kind"], f["source"]["table"]) for f in answer.facts] == [
        ("old.apply.in_person", "recovered", "统计表")]
    assert compose.replies()["note_recovered"] in answer.text


def test_a_table_figure_its_own_text_states_otherwise_is_answered_with_the_text_quoted(db):
    """Where a report's table and text disagree (gold: the table's row and the text's figure differ), the
    table is answered and the text's figures are quoted beside it; where they agree, nothing is added."""
    asker = Asker(db)
    differ = agree = 0
    for name, gold in sorted(GOLD.items()):
        table = next((v for k, v in gold["stats"].items() if k.startswith("主动公开") and CUM not in k), None)
        text = gold["prose"].get("主动公开政府信息")
        if table is None or text is None:
            continue
        answer = asker.ask(f"{gold['agency']}{gold['year']}年主动公开了多少信息")
        assert (answer.status, answer.value) == ("answered", table), name
        if table != text:
            differ += 1
            assert "与表格不同" in answer.text and f"{text}条" in answer.text, name
        else:
            agree += 1
            assert "与表格不同" not in answer.text, name
    assert differ == 2 and agree == 9
