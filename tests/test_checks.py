"""The six consistency rules: the seeds pass, a copy with one cell changed fails the right rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from index.build import build_index
from index.checks import FAIL, NA, PASS
from index.parse import parse_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
APPLICANTS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
TABLED = {
    "000": "000_45e9b68dfabc38a8.txt",
    "001": "001_114e84585976705a.txt",
    "002": "002_06daf30fbb2e76e1.txt",
    "004": "004_6263b7441e3dec22.txt",
}


@pytest.mark.parametrize("seed", list(TABLED))
def test_seed_passes_rule_1_in_every_column(seed_db, seed):
    rows = seed_db.query("select subject, status from checks where file = ? and rule = 1", [TABLED[seed]])
    assert {r["subject"]: r["status"] for r in rows} == dict.fromkeys(APPLICANTS, PASS)


@pytest.mark.parametrize("seed", list(TABLED))
def test_seed_fails_no_rule(seed_db, seed):
    rows = seed_db.query("select rule, subject, status, detail from checks where file = ?", [TABLED[seed]])
    statuses = [(r["rule"], r["subject"], r["status"]) for r in rows]
    assert [s for s in statuses if s[2] == FAIL] == []
    assert {rule for rule, _, status in statuses if status == PASS} == {1, 2, 3, 4, 5}


def test_seed_without_tables_has_no_table_checks(seed_db):
    rules = {r["rule"] for r in seed_db.query("select rule from checks where file = '003_e7aaa9833632924a.txt'")}
    assert rules <= {6}


def broken_copy(tmp_path: Path, seed: str, line: int, index: int, old: str, new: str) -> Path:
    """A copy of a seed with one cell changed: cell `index` of TAB-split `line`, which must read `old`."""
    source = SEEDS / TABLED[seed]
    lines = source.read_text(encoding="utf-8").split("\n")
    cells = lines[line - 1].split("\t")
    assert cells[index] == old, (line, cells)
    cells[index] = new
    lines[line - 1] = "\t".join(cells)
    target = tmp_path / source.name
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


def failures(path: Path) -> dict[tuple[int, str], list[dict]]:
    report = parse_file(path)
    return {(c.rule, c.subject): c.cells for c in report.checks if c.status == FAIL}


# (seed, line, cell index, old, new, the checks that must fail, a cell each of them must name)
BREAKS = {
    "new applications (one cell per line)": (
        "001", 58, 1, "39", "38", {(1, "natural"), (3, "apply.new")}, ("apply.new", "natural", 58)),
    "a result row": (
        "001", 77, 1, "19", "20", {(2, "natural"), (3, "apply.granted")}, ("apply.granted", "natural", 77)),
    "a total that prose also states": (
        "001", 64, 1, "42", "43", {(1, "total"), (3, "apply.new"), (5, "apply.new")}, ("apply.new", "total", 64)),
    "a 表四 block": (
        "001", 355, 1, "1", "2", {(4, "litigation.direct")}, ("litigation.direct.upheld", None, 355)),
    "carried forward (tab rows)": (
        "000", 110, 2, "2", "3", {(1, "natural"), (3, "apply.carried_forward")},
        ("apply.carried_forward", "natural", 110)),
    "a 2021 其他处理 row": (
        "004", 298, 1, "1", "2", {(2, "natural"), (3, "apply.other.no_correction")},
        ("apply.other.no_correction", "natural", 298)),
    # the prose says 未发生行政复议和行政诉讼案件: rule 5 catches the 5 too
    "a 表四 total that prose contradicts": (
        "002", 89, 14, "0", "5", {(4, "litigation.after_review"), (5, "litigation.total")},
        ("litigation.after_review.total", None, 89)),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_one_changed_cell_fails_the_right_rules(tmp_path, name):
    seed, line, index, old, new, expected, (metric, applicant, cell_line) = BREAKS[name]
    failed = failures(broken_copy(tmp_path, seed, line, index, old, new))
    assert set(failed) == expected
    for cells in failed.values():
        named = {(c["metric"], c.get("applicant"), c["line"]) for c in cells}
        assert (metric, applicant, cell_line) in named


def test_prose_against_table_names_both(tmp_path):
    path = broken_copy(tmp_path, "001", 64, 1, "42", "43")
    check = next(c for c in parse_file(path).checks if c.rule == 5 and c.subject == "apply.new")
    assert (check.status, check.expected, check.actual) == (FAIL, 43, 42)
    prose = [c for c in check.cells if c.get("prose")]
    assert [(c["line"], c["raw"]) for c in prose] == [(22, "收到政府信息公开申请42件")]


def test_blank_cells_read_as_nothing_counted(tmp_path):
    """Seed 000 leaves the organisation columns blank: rule 1 holds there, and says the cells were blank."""
    report = parse_file(SEEDS / TABLED["000"])
    commercial = next(c for c in report.checks if c.rule == 1 and c.subject == "commercial")
    assert (commercial.status, commercial.detail) == (PASS, "all cells blank")


# --- rule 6: one agency, two years ------------------------------------------------------------

T = "\t"


def yearly_report(year: int, carried_over: int, carried_forward: int, in_force: int, issued: int, repealed: int) -> str:
    new, total = 5, 5 + carried_over - carried_forward
    row = lambda label, n: T.join([label, "", str(n), "0", "0", "0", "0", "0", str(n)])  # noqa: E731
    return "\n".join([
        "某某市某某局",
        f"{year}年政府信息公开工作年度报告",
        "二、主动公开政府信息情况",
        T.join(["第二十条第（一）项", "", "", ""]),
        T.join(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]),
        T.join(["规章", "0", "0", "0"]),
        T.join(["行政规范性文件", str(issued), str(repealed), str(in_force)]),
        "三、收到和处理政府信息公开申请情况",
        T.join(["", "", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]),
        row("一、本年新收政府信息公开申请数量", new),
        row("二、上年结转政府信息公开申请数量", carried_over),
        row("三、本年度办理结果（一）予以公开", total),
        row("（七）总计", total),
        row("四、结转下年度继续办理", carried_forward),
        "五、存在的主要问题及改进情况",
        "无。",
    ])


def rule_6(tmp_path: Path, later_carried_over: int, later_in_force: int) -> dict[str, dict]:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a_2022.txt").write_text(yearly_report(2022, 1, 2, 30, 3, 0), encoding="utf-8")
    (folder / "a_2023.txt").write_text(
        yearly_report(2023, later_carried_over, 0, later_in_force, 2, 1), encoding="utf-8")
    db = tmp_path / "index.db"
    summary = build_index([folder], db)
    assert summary.failed == []
    rows = sqlite_utils.Database(db).query("select * from checks where rule = 6")
    return {r["subject"]: r for r in rows}


def test_rule_6_passes_across_consistent_years(tmp_path):
    checks = rule_6(tmp_path, later_carried_over=2, later_in_force=31)
    assert {k: (c["status"], c["year"], c["file"]) for k, c in checks.items()} == {
        "apply.carried": (PASS, 2023, "a_2023.txt"),
        "proactive.normative_docs.in_force": (PASS, 2023, "a_2023.txt"),
        "proactive.rules.in_force": (PASS, 2023, "a_2023.txt"),
    }


def test_rule_6_fails_when_last_years_carry_forward_is_not_this_years_carry_over(tmp_path):
    checks = rule_6(tmp_path, later_carried_over=3, later_in_force=29)
    carried = checks["apply.carried"]
    assert (carried["status"], carried["expected"], carried["actual"]) == (FAIL, 2, 3)
    assert [c["metric"] for c in json.loads(carried["cells"])] == ["apply.carried_forward", "apply.carried_over"]
    in_force = checks["proactive.normative_docs.in_force"]
    assert (in_force["status"], in_force["expected"], in_force["actual"]) == (FAIL, 31, 29)
    assert checks["proactive.rules.in_force"]["status"] == PASS


def test_rule_6_needs_consecutive_years(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a_2021.txt").write_text(yearly_report(2021, 1, 2, 30, 3, 0), encoding="utf-8")
    (folder / "a_2023.txt").write_text(yearly_report(2023, 9, 0, 1, 0, 0), encoding="utf-8")
    build_index([folder], tmp_path / "index.db")
    assert list(sqlite_utils.Database(tmp_path / "index.db").query("select * from checks where rule = 6")) == []


def test_statuses_are_named():
    assert (PASS, FAIL, NA) == ("pass", "fail", "na")
