"""Generate a corpus, index it, and read every generated figure back exactly.

The property: for each generated report the index holds exactly the facts of
its ground truth (metric, applicant, value, unit, raw), its agency, year and
format; a report that breaks rule N fails a check of rule N and no other, and
no other report fails any check, rule 6 across years included.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from index import catalogue
from index.build import build_index
from index.catalogue import LEXICON, TABLE_APPLY
from index.cells import is_value
from index.gen_layouts import LAYOUTS
from index.generate import generate_corpus
from index.read import read_lines

REPORTS = 300
FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    generate_corpus(REPORTS, out, seed=11)
    db = out.parent / "generated.db"
    summary = build_index([out], db, jobs=2)
    assert summary.failed == []
    truth = [json.loads(line) for line in (out / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    yield truth, con
    con.close()


def _key(metric, applicant, value, unit, raw, table, year=None):
    value = None if value is None else float(value)
    return (metric, applicant, value, unit, raw, table, year if table == "图表" else None)


def test_every_generated_fact_comes_back_exactly(corpus):
    truth, con = corpus
    indexed = defaultdict(Counter)
    for r in con.execute("select file, metric, applicant, value, unit, raw, source_table, year from facts"):
        indexed[r["file"]][_key(*tuple(r)[1:])] += 1
    wrong = {}
    for report in truth:
        want = Counter(_key(f["metric"], f["applicant"], f["value"], f["unit"], f["raw"], f["table"], f.get("year"))
                       for f in report["facts"])
        got = indexed[report["path"]]  # a report is named by its path in the indexed folder
        if want != got:
            wrong[report["path"]] = {"layout": report["layout"], "missing": sorted(want - got, key=str)[:5],
                                     "extra": sorted(got - want, key=str)[:5]}
    assert wrong == {}


def test_agency_year_and_format_come_back(corpus):
    truth, con = corpus
    reports = {r["file"]: (r["agency"], r["year"], r["format"]) for r in con.execute("select * from reports")}
    wrong = {t["path"]: reports.get(t["path"]) for t in truth
             if reports.get(t["path"]) != (t["agency"], t["year"], t["format"])}
    assert wrong == {}


def test_each_deliberate_break_fails_its_rule_and_only_that_rule(corpus):
    truth, con = corpus
    failed = defaultdict(set)
    for r in con.execute("select file, rule from checks where status = 'fail'"):
        failed[r["file"]].add(r["rule"])
    broken = [t for t in truth if t["broken_rule"]]
    assert {t["broken_rule"] for t in broken} == {1, 2, 3, 4, 5}
    wrong = {t["path"]: (t["broken_rule"], sorted(failed[t["path"]])) for t in broken
             if failed[t["path"]] != {t["broken_rule"]}}
    assert wrong == {}


def test_no_report_without_a_break_fails_any_check(corpus):
    truth, con = corpus
    failed = defaultdict(list)
    for r in con.execute("select file, rule, subject from checks where status = 'fail'"):
        failed[r["file"]].append((r["rule"], r["subject"]))
    wrong = {t["path"]: failed[t["path"]] for t in truth if not t["broken_rule"] and failed[t["path"]]}
    assert wrong == {}


def test_years_chain_so_rule_6_is_checked(corpus):
    _, con = corpus
    passed = con.execute("select count(*) from checks where rule = 6 and status = 'pass'").fetchone()[0]
    assert passed > REPORTS // 4


def test_the_corpus_has_every_layout_both_formats_and_narrative_reports(corpus):
    truth, _ = corpus
    assert {t["layout"] for t in truth} == set(LAYOUTS)
    assert {t["format"] for t in truth} == {"2019", "2021", "none"}
    assert {t["year"] for t in truth} == set(range(2019, 2026))
    assert any(f["table"] == "图表" for t in truth for f in t["facts"])


def test_generation_is_deterministic_for_a_seed(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    generate_corpus(40, first, seed=5)
    generate_corpus(40, second, seed=5)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_generator_data_names_only_catalogue_keys():
    cat = catalogue.load()
    tables = yaml.safe_load((LEXICON / "gen_tables.yaml").read_text(encoding="utf-8"))
    for fmt in ("2019", "2021"):
        rows = {r["key"] for r in tables["apply_rows"] if fmt in r.get("formats", ("2019", "2021"))}
        assert rows == {k for k, m in cat.metrics.items() if m.table == TABLE_APPLY and fmt in m.formats}
        for block in tables["proactive"][fmt]:
            for row, _ in block["rows"]:
                for col, _ in block["columns"]:
                    assert fmt in cat.metrics[f"proactive.{row}.{col}"].formats
    prose = yaml.safe_load((LEXICON / "gen_prose.yaml").read_text(encoding="utf-8"))
    for specs in prose["figures"].values():
        for spec in specs:
            assert all(f["metric"] in cat.metrics or f["metric"] in cat.groups for f in spec["facts"])
    assert set(tables["result_weights"]) <= set(cat.metrics)
    assert set(tables["applicant_weights"]) == set(cat.applicant_order) - {"total"}


def test_a_generated_2021_docx_has_the_national_templates_merged_grid(tmp_path):
    """The label cells of the generated Word tables sit where the real template's merged cells put them."""
    generate_corpus(120, tmp_path, seed=2)
    truth = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    docx = next(t for t in truth if t["layout"] == "docx" and t["format"] == "2021")

    def label_grid(path):
        rows = [line.split("\t") for line in read_lines(path) if "\t" in line]
        return [["" if is_value(c) else catalogue.normalize_label(c) for c in row] for row in rows]

    assert label_grid(tmp_path / docx["path"]) == label_grid(FIXTURES / "template_2021_format.docx")
