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
