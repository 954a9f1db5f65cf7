"""Building the index: incremental by content, bad files skipped, the old index safe whatever happens."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlite_utils

from index import build
from index.build import build_index

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_002 = "002_06daf30fbb2e76e1.txt"
SEED_003 = "003_e7aaa9833632924a.txt"
SUMMARY = re.compile(
    r"^(\d+) reports, (\d+) facts: (\d+) added, (\d+) changed, (\d+) removed, (\d+) unchanged, (\d+) failed "
    r"in [\d.]+s \(jieba start-up [\d.]+s\)$"
)


@pytest.fixture
def seeds(tmp_path) -> Path:
    folder = tmp_path / "reports"
    shutil.copytree(SEEDS, folder)
    return folder


class Parsed:
    """The names of the files the build parses, written by its (forked) workers to a log file."""

    def __init__(self, log: Path):
        self.log = log

    def names(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").split() if self.log.exists() else []

    def clear(self) -> None:
        self.log.unlink(missing_ok=True)


@pytest.fixture
def parsed(monkeypatch, tmp_path) -> Parsed:
    log = Parsed(tmp_path / "parsed.log")
    real = build.parse_file

    def counting(path, source=None):
        with open(log.log, "a", encoding="utf-8") as handle:
            handle.write(Path(path).name + "\n")
        return real(path, source)

    monkeypatch.setattr(build, "parse_file", counting)
    return log


def counts(db_path: Path) -> dict:
    db = sqlite_utils.Database(db_path)
    return {"reports": db["reports"].count, "facts": db["facts"].count, "files": sorted(
        r["file"] for r in db.query("select file from reports"))}


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".building-" in p.name)


def test_second_build_parses_nothing(seeds, tmp_path, parsed):
    db = tmp_path / "index.db"
    first = build_index([seeds], db)
    assert (first.added, first.failed, len(parsed.names())) == (5, [], 5)
    parsed.clear()
    again = build_index([seeds], db)
    assert parsed.names() == []
    assert (again.added, again.changed, again.removed, again.unchanged) == (0, 0, 0, 5)
    assert again.tokenizer_seconds == 0  # nothing to parse: jieba is not even started


def test_changed_file_is_parsed_again(seeds, tmp_path, parsed):
    db = tmp_path / "index.db"
    build_index([seeds], db)
    before = counts(db)
    parsed.clear()
    with open(seeds / SEED_002, "a", encoding="utf-8") as handle:
        handle.write("\n附：本报告于2021年1月28日发布。\n")
    summary = build_index([seeds], db)
    assert parsed.names() == [SEED_002]
    assert (summary.changed, summary.unchanged, summary.added) == (1, 4, 0)
    assert counts(db)["files"] == before["files"]


def test_a_parser_change_parses_every_file_again(seeds, tmp_path, parsed, monkeypatch):
    db = tmp_path / "index.db"
    build_index([seeds], db)
    parsed.clear()
    monkeypatch.setattr(build, "parser_version", lambda: "a-later-parser")
    summary = build_index([seeds], db)
    assert (len(parsed.names()), summary.changed, summary.unchanged) == (5, 5, 0)


def test_removed_file_leaves_the_index(seeds, tmp_path):
    db = tmp_path / "index.db"
    build_index([seeds], db)
    (seeds / SEED_003).unlink()
    summary = build_index([seeds], db)
    assert summary.removed == 1
    index = sqlite_utils.Database(db)
    for table in ("reports", "facts", "passages", "checks"):
        assert index[table].count_where("file = ?", [SEED_003]) == 0, table
    assert counts(db)["reports"] == 4


def test_broken_files_are_reported_and_skipped(seeds, tmp_path):
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "garbage.txt").write_bytes(bytes(range(256)) * 40)
    (seeds / "corrupt.docx").write_bytes(b"PK\x03\x04 this is no zip archive")
    (seeds / "table.xls").write_bytes(b"\xd0\xcf\x11\xe0 an old Excel file")
    db = tmp_path / "index.db"
    summary = build_index([seeds], db)
    reasons = {Path(path).name: reason for path, reason in summary.failed}
    assert set(reasons) == {"empty.txt", "garbage.txt", "corrupt.docx", "table.xls"}
    assert "empty" in reasons["empty.txt"]
    assert "decode" in reasons["garbage.txt"]
    assert "corrupt" in reasons["corrupt.docx"]
    assert "its first bytes match no known format" in reasons["table.xls"]  # a cut-off OLE2 signature
    assert (summary.added, counts(db)["reports"]) == (5, 5)


def test_missing_path_is_reported(seeds, tmp_path):
    summary = build_index([seeds, tmp_path / "nowhere"], tmp_path / "index.db")
    assert summary.failed == [(str(tmp_path / "nowhere"), "no such file or folder")]
    assert summary.added == 5


def test_a_parser_bug_costs_one_file(seeds, tmp_path, monkeypatch):
    real = build.parse_file

    def failing(path, source=None):
        if Path(path).name == SEED_002:
            raise RuntimeError("boom")
        return real(path, source)

    monkeypatch.setattr(build, "parse_file", failing)
    summary = build_index([seeds], tmp_path / "index.db")
    assert [(Path(p).name, r) for p, r in summary.failed] == [(SEED_002, "could not parse: RuntimeError: boom")]
    assert summary.added == 4


def test_a_file_that_turns_bad_keeps_its_last_good_version(seeds, tmp_path):
    db = tmp_path / "index.db"
    build_index([seeds], db)
    facts = sqlite_utils.Database(db)["facts"].count_where("file = ?", [SEED_002])
    (seeds / SEED_002).write_bytes(b"")
    summary = build_index([seeds], db)
    assert [Path(p).name for p, _ in summary.failed] == [SEED_002]
    assert sqlite_utils.Database(db)["facts"].count_where("file = ?", [SEED_002]) == facts


def test_failed_swap_leaves_the_old_index_intact(seeds, tmp_path, monkeypatch):
    db = tmp_path / "index.db"
    build_index([seeds], db)
    before, old_bytes = counts(db), db.read_bytes()
    (seeds / SEED_003).unlink()
    monkeypatch.setattr(build, "parser_version", lambda: "a-later-parser")  # a full rebuild: a new file

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build.os, "replace", crash)
    with pytest.raises(OSError):
        build_index([seeds], db)
    assert db.read_bytes() == old_bytes
    assert counts(db) == before
    assert temp_files(tmp_path) == []


def killed_build(seeds: Path, db: Path, parser: str | None = None) -> subprocess.CompletedProcess:
    """A build that dies half way through writing, as a kill -9 would leave it (another parser: a rebuild)."""
    script = textwrap.dedent(f"""
        import os
        from index import build
        def die(db, report):
            os._exit(9)
        build._insert_report = die
        if {parser!r}:
            build.parser_version = lambda: {parser!r}
        build.build_index([{str(seeds)!r}], {str(db)!r})
    """)
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=60)


def test_a_killed_update_in_place_leaves_the_old_index(seeds, tmp_path):
    db = tmp_path / "index.db"
    build_index([seeds], db)
    facts = "select file, metric, applicant, value, line from facts order by 1, 2, 3, 5"
    before, old_facts = counts(db), list(sqlite_utils.Database(db).query(facts))
    (seeds / SEED_002).write_text((seeds / SEED_002).read_text(encoding="utf-8") + "\n补记。\n", encoding="utf-8")
    (seeds / SEED_003).unlink()  # deleted in the same transaction the kill cuts short
    assert killed_build(seeds, db).returncode == 9
    assert temp_files(tmp_path) == []  # in place: no copy
    assert counts(db) == before
    assert list(sqlite_utils.Database(db).query(facts)) == old_facts
    assert sqlite_utils.Database(db).execute("pragma integrity_check").fetchone() == ("ok",)
    summary = build_index([seeds], db)
    assert (summary.changed, summary.removed) == (1, 1)


def test_a_killed_rebuild_leaves_the_old_index_and_its_temp_file_is_cleared(seeds, tmp_path):
    db = tmp_path / "index.db"
    build_index([seeds], db)
    before, old_bytes = counts(db), db.read_bytes()
    assert killed_build(seeds, db, parser="a-later-parser").returncode == 9
    assert temp_files(tmp_path), "the dead build left its temporary file"
    assert db.read_bytes() == old_bytes
    assert counts(db) == before
    summary = build_index([seeds], db)
    assert summary.unchanged == 5
    assert temp_files(tmp_path) == []


def test_readers_keep_the_old_index_until_they_reopen(seeds, tmp_path):
    db = tmp_path / "index.db"
    build_index([seeds], db)
    reader = sqlite3.connect(db)
    reader.execute("begin")
    assert reader.execute("select count(*) from reports").fetchone() == (5,)
    (seeds / SEED_003).unlink()
    build_index([seeds], db)
    assert reader.execute("select count(*) from reports").fetchone() == (5,)
    reader.close()
    assert counts(db)["reports"] == 4


def test_parallel_build_gives_the_same_facts(seeds, tmp_path):
    query = "select file, metric, applicant, value, raw, line, kind from facts order by 1, 2, 3, 6"
    serial, parallel = tmp_path / "serial.db", tmp_path / "parallel.db"
    build_index([seeds], serial)
    build_index([seeds], parallel, jobs=2)
    assert list(sqlite_utils.Database(serial).query(query)) == list(sqlite_utils.Database(parallel).query(query))


def test_cli_prints_the_summary_line(seeds, tmp_path, capsys):
    from bot.cli import main

    (seeds / "empty.txt").write_bytes(b"")
    code = main(["index", "build", str(seeds), "--db", str(tmp_path / "index.db")])
    out, err = capsys.readouterr()
    assert code == 0
    match = SUMMARY.match(out.strip())
    assert match, out
    assert match.groups()[2:] == ("5", "0", "0", "0", "1")
    assert f"skipped {seeds / 'empty.txt'}: file is empty (0 bytes)" in err


def test_indexing_the_seeds_from_a_cold_start(tmp_path):
    """The whole command in a fresh process, jieba start-up included; the time is printed, not asserted tightly."""
    command = [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())",
               "index", "build", str(SEEDS), "--db", str(tmp_path / "index.db")]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    wall = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    print(f"\nindexing the five seeds: {wall:.2f}s wall, process start included; {done.stdout.strip()}")
    assert SUMMARY.match(done.stdout.strip())
    assert wall < 20
