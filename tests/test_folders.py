"""Inside the indexed folders only: links never followed, odd files reported, reports named by their path."""

from __future__ import annotations

import json
import os
import shutil
import zlib
from pathlib import Path

import pytest
import sqlite_utils

from index.build import build_index
from index.folders import walk
from index.read import read_lines

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SECRET = "root:x:0:0:OUTSIDE-MARKER-91c2:/root"


@pytest.fixture
def folder(tmp_path) -> Path:
    """Two seeds at the top, two more as report.txt in a/ and b/, and every kind of link and special file."""
    reports = tmp_path / "reports"
    (reports / "a").mkdir(parents=True)
    (reports / "b").mkdir()
    shutil.copy(SEEDS[0], reports / SEEDS[0].name)
    shutil.copy(SEEDS[1], reports / SEEDS[1].name)
    shutil.copy(SEEDS[2], reports / "a" / "report.txt")
    shutil.copy(SEEDS[4], reports / "b" / "report.txt")  # 003 has no tables
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.txt").write_text(SECRET + "\n", encoding="utf-8")
    (reports / "passwd.txt").symlink_to(outside / "passwd.txt")
    (reports / "etc").symlink_to(outside)
    (reports / "copy.txt").symlink_to(reports / SEEDS[0].name)
    (reports / "gone.txt").symlink_to(reports / "nowhere.txt")
    (reports / "loop1.txt").symlink_to(reports / "loop2.txt")
    (reports / "loop2.txt").symlink_to(reports / "loop1.txt")
    (reports / "a" / "up").symlink_to(reports)
    os.mkfifo(reports / "pipe.txt")
    return reports


def test_walk_finds_the_regular_files_and_says_why_it_skipped_the_rest(folder):
    found, skipped = walk([folder])
    assert [f.name for f in found] == [SEEDS[0].name, SEEDS[1].name, "a/report.txt", "b/report.txt"]
    reasons = {Path(path).relative_to(folder).as_posix(): why for path, why in skipped}
    assert reasons == {
        "passwd.txt": "link to a file outside the indexed folders: not followed",
        "etc": "link to a file outside the indexed folders: not followed",
        "copy.txt": "link to a file inside the indexed folders: not followed "
                    "(what it points at is indexed where it is)",
        "a/up": "link to a folder inside the indexed folders: not followed "
                "(what it points at is indexed where it is)",
        "gone.txt": "dangling link (its target does not exist): not followed",
        "loop1.txt": "link loop: not followed",
        "loop2.txt": "link loop: not followed",
        "pipe.txt": "a FIFO, not a report file: skipped",
    }


def test_a_build_reads_nothing_outside_and_names_reports_by_their_path(folder, tmp_path):
    db = tmp_path / "index.db"
    summary = build_index([folder], db)
    assert summary.added == 4
    assert len(summary.failed) == 8
    index = sqlite_utils.Database(db)
    assert sorted(r["file"] for r in index.query("select file from reports")) == sorted(
        [SEEDS[0].name, SEEDS[1].name, "a/report.txt", "b/report.txt"])
    for table, column in (("passages", "text"), ("facts", "raw")):
        assert not index.execute(f"select count(*) from {table} where {column} like '%OUTSIDE-MARKER%'").fetchone()[0]
    # every report's text is what its own file holds
    for row in index.query("select file, text_z from reports"):
        assert zlib.decompress(row["text_z"]).decode() == "\n".join(read_lines(folder / row["file"]))


def test_two_reports_of_one_name_keep_their_own_figures_and_source_lines(folder, tmp_path, capsys):
    from bot.cli import main
    from bot.question import Asker

    db = tmp_path / "index.db"
    build_index([folder], db)
    assert main(["facts", "--db", str(db), "--jsonl"]) == 0
    facts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_file = {}
    for fact in facts:
        by_file.setdefault(fact["file"], []).append(fact)
    assert {"a/report.txt", "b/report.txt"} <= set(by_file)
    asker = Asker(db)
    for name in ("a/report.txt", "b/report.txt"):
        lines = (folder / name).read_text(encoding="utf-8").split("\n")
        table_facts = [f for f in by_file[name] if f["table"] in ("表三", "表二") and f["raw"]]
        assert table_facts
        for fact in table_facts[:20]:
            assert fact["raw"] in lines[fact["line"] - 1]
            quoted = dict(asker.source_lines(name, fact["line"], around=0))
            assert quoted == {fact["line"]: lines[fact["line"] - 1]}
    agencies = {f["file"]: f["agency"] for f in facts}
    assert agencies["a/report.txt"] != agencies["b/report.txt"]
