"""A report uploaded twice (two files, one agency and year) is used once and the other is named."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.question import Asker
from index import duplicates
from index.build import build_index

ROOT = Path(__file__).resolve().parent.parent
WENDENG = "001_114e84585976705a.txt"


@pytest.fixture(scope="module")
def twice(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("twice")
    shutil.copytree(ROOT / "seeds", base / "seeds")
    # the same report again, as a second upload with its 表四 cut off: fewer facts
    text = (ROOT / "seeds" / WENDENG).read_text(encoding="utf-8")
    (base / "seeds" / "again_wendeng.txt").write_text(text[: text.index("四、政府信息公开行政复议")], encoding="utf-8")
    db = base / "index.db"
    build_index([base / "seeds"], db)
    return db


def test_a_duplicate_is_not_counted_twice_in_a_sum_or_a_ranking(twice, seed_index):
    asker, once = Asker(twice), Asker(seed_index)
    for question in ("2020年所有单位一共收到多少申请", "2020年哪个单位收到的申请最多"):
        answer, alone = asker.ask(question), once.ask(question)
        assert answer.value == alone.value and len(answer.facts) == len(alone.facts), answer.text
    assert asker.ask("文登区2020年收到多少申请").facts[0]["source"]["file"] == WENDENG


def test_the_duplicate_is_named_with_the_file_used(twice):
    assert Asker(twice).stats()["duplicates"] == {"again_wendeng.txt": WENDENG}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "reports", "--db", str(twice), "--json"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    records = {r["file"]: r for r in map(json.loads, out.splitlines())}
    assert any(WENDENG in w and "duplicate" in w for w in records["again_wendeng.txt"]["warnings"])
    assert not any("duplicate" in w for w in records[WENDENG]["warnings"])


def test_two_files_that_agree_are_no_conflict(twice):
    # the second copy states every figure it has as the first does: nothing to flag, answers unchanged
    asker = Asker(twice)
    assert asker.stats()["conflicts"] == []
    answer = asker.ask("文登区2020年收到多少申请")
    assert answer.value == 42 and answer.conflicts == [] and "不一致" not in answer.text


def test_reports_without_an_agency_or_year_duplicate_nothing():
    reports = [{"id": 1, "file": "a", "agency": None, "year": None, "facts": 3},
               {"id": 2, "file": "b", "agency": None, "year": None, "facts": 5}]
    kept, dropped = duplicates.used(reports)
    assert [r["file"] for r in kept] == ["a", "b"] and dropped == {}


def test_on_a_tie_the_report_indexed_last_is_used():
    reports = [{"id": 1, "file": "old", "agency": "X", "year": 2020, "facts": 5, "indexed_at": "2026-01-01"},
               {"id": 2, "file": "new", "agency": "X", "year": 2020, "facts": 5, "indexed_at": "2026-02-01"}]
    assert duplicates.used(reports)[1] == {"old": "new"}


def _page_and_attachment(base: Path, linked: bool) -> Path:
    """The 文登 report as a page stating 本年新收 as 43 (a page and its attachment parse slightly differently)
    and as its attachment stating 42, with a sources.tsv naming the page as the attachment's parent or not."""
    folder = base / "reports"
    folder.mkdir()
    lines = (ROOT / "seeds" / WENDENG).read_text(encoding="utf-8").split("\n")
    cell = next(i for i, line in enumerate(lines) if line.strip() == "42")  # 表三's 本年新收 总计 cell
    lines[cell] = lines[cell].replace("42", "43")
    (folder / "page.txt").write_text("\n".join(lines), encoding="utf-8")
    shutil.copy(ROOT / "seeds" / WENDENG, folder / "attachment.txt")
    (folder / "sources.tsv").write_text(
        "file\turl\ttitle\tpublished\tparent\n"
        "page.txt\thttp://example.gov.cn/page.htm\t\t2021-04-01\t\n"
        f"attachment.txt\thttp://example.gov.cn/report.docx\t\t2021-04-01\t{'page.txt' if linked else ''}\n",
        encoding="utf-8")
    build_index([folder], base / "index.db")
    return base / "index.db"


@pytest.fixture(scope="module")
def linked(tmp_path_factory) -> Path:
    return _page_and_attachment(tmp_path_factory.mktemp("linked"), linked=True)


@pytest.fixture(scope="module")
def unlinked(tmp_path_factory) -> Path:
    return _page_and_attachment(tmp_path_factory.mktemp("unlinked"), linked=False)


def reports_json(db: Path) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "bot.cli", "reports", "--db", str(db), "--json"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return list(map(json.loads, out.splitlines()))


def test_a_page_and_its_attachment_are_one_report_answered_from_the_attachment(linked):
    asker = Asker(linked)
    assert asker.stats()["duplicates"] == {} and asker.stats()["conflicts"] == []
    answer = asker.ask("文登区2020年收到多少申请")
    assert answer.value == 42 and answer.conflicts == []
    assert answer.facts[0]["source"]["url"] == "http://example.gov.cn/report.docx"
    (record,) = reports_json(linked)  # listed once: the attachment, with its page
    assert record["file"] == "attachment.txt" and record["parts"] == ["page.txt"]
    assert record["attachment_of"] == "http://example.gov.cn/page.htm"
    assert not any("duplicate" in w or "conflict" in w for w in record["warnings"])
    text = subprocess.run([sys.executable, "-m", "bot.cli", "reports", "--db", str(linked)],
                          capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert "attachment of http://example.gov.cn/page.htm" in text and "one report with: page.txt" in text


def test_the_same_two_files_without_the_link_are_still_a_duplicate_in_conflict(unlinked):
    asker = Asker(unlinked)
    assert list(asker.stats()["duplicates"].items()) == [("page.txt", "attachment.txt")]
    answer = asker.ask("文登区2020年收到多少申请")
    assert answer.value is None
    assert sorted((v["file"], v["value"]) for v in answer.conflicts[0]["values"]) == [("attachment.txt", 42),
                                                                                      ("page.txt", 43)]
    records = {r["file"]: r for r in reports_json(unlinked)}
    assert sorted(records) == ["attachment.txt", "page.txt"]
    assert any("duplicate" in w for w in records["page.txt"]["warnings"])


def test_an_attachment_without_figures_leaves_the_page_used():
    page = {"id": 1, "path": "/r/page.htm", "file": "page.htm", "agency": "X", "year": 2020, "facts": 80}
    scan = {"id": 2, "path": "/r/scan.pdf", "file": "scan.pdf", "agency": "X", "year": 2020, "facts": 0,
            "parent": "/r/page.htm"}
    tables = {"id": 3, "path": "/r/tables.docx", "file": "tables.docx", "agency": "X", "year": 2020, "facts": 60,
              "parent": "/r/page.htm"}
    assert duplicates.used([page, scan]) == ([page], {})
    assert duplicates.parts([page, scan]) == {"scan.pdf": "page.htm"}
    # an attachment with figures is used, even with fewer than the page: it holds the tables the page links to
    assert duplicates.used([page, scan, tables]) == ([tables], {})
    assert duplicates.parts([page, scan, tables]) == {"page.htm": "tables.docx", "scan.pdf": "tables.docx"}
